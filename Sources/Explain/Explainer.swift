import Catalogue

/// Answers queries from the catalogue. Pure: no I/O, no printing.
public struct Explainer: Sendable {
    /// The families a client dialog's "Error code" comes from.
    public static let errorCodeFamilies: [FamilyID] = [.disconnect, .newclient]
    /// The family of a client dialog's "Extended error code".
    public static let extendedCodeFamilies: [FamilyID] = [.extended]
    /// How many entries a word search returns at most.
    public static let searchLimit = 12
    /// Distinct words a search reads; the rest are ignored (with a note). Each
    /// word is looked for in every entry, so an argument of 64 KiB of "a a a …"
    /// would otherwise cost tens of thousands of passes over the catalogue.
    public static let maximumSearchTerms = 32

    public let catalogue: Catalogue
    private let structural: StructuralReader

    public init(catalogue: Catalogue) {
        self.catalogue = catalogue
        self.structural = StructuralReader(catalogue: catalogue)
    }

    public func explain(_ query: Query) -> Explanation {
        switch query {
        case let .pair(error, extended): explainPair(error: error, extended: extended)
        case let .number(number): explainNumber(number)
        case let .name(name): explainName(name)
        case let .search(words): search(words)
        }
    }

    // MARK: - Numbers

    func explainNumber(_ number: WrittenNumber) -> Explanation {
        let families = number.family.map { [$0] }
        var notes: [String] = []
        if let family = number.family, catalogue.family(family) == nil {
            notes.append("There is no family called \"\(family)\"; known families: \(catalogue.families.map(\.family.rawValue).joined(separator: ", ")).")
        }
        var readings = readings(for: number.value, in: families, role: nil)
        if number.notation == .decimal, number.family == nil, number.text.count <= 8,
            let asHex = UInt64(number.text, radix: 16), asHex != number.value
        {
            // mstsc writes codes in hex; "904" typed without 0x most likely means 0x904.
            let hexReadings = catalogue.entries(value: asHex).map {
                Reading(match: .hexReading, family: $0.family, value: asHex, entry: $0.entry)
            }
            if !hexReadings.isEmpty {
                notes.append(
                    "\(number.text) was read as a decimal number; read as hex (\(CodeNumber.hex(asHex))) it is \(hexReadings.map { $0.key ?? "" }.joined(separator: ", ")), shown after the decimal readings."
                )
                readings.removeAll { $0.match == .unknown }
                readings += hexReadings
            }
        }
        let known = readings.filter { $0.match == .exact }
        if known.count > 1 {
            notes.append(
                "\(number.text) is defined in \(known.count) families; the right reading depends on where it was shown: \(known.compactMap(\.key).joined(separator: ", "))."
            )
        }
        return Explanation(kind: .number, input: number.text, readings: readings, notes: notes)
    }

    /// Entries first; without any, what structure says; without that, the raw number.
    func readings(for value: UInt64, in families: [FamilyID]?, role: Reading.Role?) -> [Reading] {
        let exact = catalogue.entries(value: value)
            .filter { families?.contains($0.family.family) ?? true }
            .map { Reading(match: .exact, role: role, family: $0.family, value: value, entry: $0.entry) }
        if !exact.isEmpty { return exact }
        let shaped = structural.readings(for: value, in: families, role: role)
        if !shaped.isEmpty { return shaped }
        let family = families?.count == 1 ? families.flatMap { catalogue.family($0[0]) } : nil
        return [Reading(match: .unknown, role: role, family: family, value: value)]
    }

    // MARK: - Pairs

    func explainPair(error: WrittenNumber, extended: WrittenNumber?) -> Explanation {
        var readings = readings(for: error.value, in: Self.errorCodeFamilies, role: .error)
        var notes: [String] = []
        var story: PairStory?
        if let extended {
            readings += self.readings(for: extended.value, in: Self.extendedCodeFamilies, role: .extended)
            story = catalogue.pairStory(error: error.value, extended: extended.value)
            if story == nil {
                notes.append(
                    "The error code says how the client's connection ended; the extended code is a separate value that says why, when the client or server knew. Read the two together."
                )
            }
        } else {
            notes.append(
                "No extended error code was given. If the dialog showed one, add it (for example `rdpdoctor explain \(error.text) 0x7`): it often says why.")
        }
        let input = extended.map { "\(error.text) \($0.text)" } ?? error.text
        return Explanation(kind: .pair, input: input, readings: readings, story: story, notes: notes)
    }

    // MARK: - Names and words

    func explainName(_ name: String) -> Explanation {
        let readings = catalogue.entries(named: name).map {
            Reading(match: .exact, family: $0.family, value: $0.entry.code.value, entry: $0.entry)
        }
        return Explanation(kind: .name, input: name, readings: readings)
    }

    /// Entries whose name, summary or meaning hold the words; names count most.
    public func search(_ words: String) -> Explanation {
        var seen = Set<String>()
        let distinct = words.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map(String.init)
            .filter { seen.insert($0).inserted }
        let terms = distinct.prefix(Self.maximumSearchTerms)
        guard !terms.isEmpty else { return Explanation(kind: .search, input: words, readings: []) }
        let scored = catalogue.entries(holding: Array(terms)).map {
            (score: $0.score, reading: Reading(match: .search, family: $0.family, value: $0.entry.code.value, entry: $0.entry))
        }
        let best = scored.enumerated()
            .sorted { ($0.element.score, -$0.offset) > ($1.element.score, -$1.offset) }
            .prefix(Self.searchLimit).map(\.element.reading)
        var notes: [String] = []
        if distinct.count > terms.count {
            notes.append("Only the first \(terms.count) different words were searched for; \(distinct.count - terms.count) more were ignored.")
        }
        if scored.count > best.count {
            notes.append("\(scored.count) entries match; the \(best.count) best are shown. Add words to narrow it.")
        }
        return Explanation(kind: .search, input: words, readings: Array(best), notes: notes)
    }
}
