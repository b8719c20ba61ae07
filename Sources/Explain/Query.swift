import Catalogue

/// A number as the user wrote it, with the family they named, if any.
public struct WrittenNumber: Sendable, Hashable {
    public let value: UInt64
    public let notation: CodeNumber.Notation
    public let family: FamilyID?
    public let text: String

    public init(value: UInt64, notation: CodeNumber.Notation, family: FamilyID? = nil, text: String) {
        self.value = value
        self.notation = notation
        self.family = family
        self.text = text
    }

    /// `0x904`, `2308` or `errinfo:7`.
    public static func parse(_ text: Substring) -> WrittenNumber? {
        var number = text
        var family: FamilyID?
        if let colon = text.firstIndex(of: ":") {
            let prefix = text[..<colon]
            guard !prefix.isEmpty, prefix.allSatisfy({ $0.isLetter }) else { return nil }
            family = FamilyID(prefix.lowercased())
            number = text[text.index(after: colon)...]
        }
        guard let parsed = CodeNumber.parse(number) else { return nil }
        return WrittenNumber(value: parsed.value, notation: parsed.notation, family: family, text: String(text))
    }
}

/// One thing to explain.
public enum Query: Sendable, Hashable {
    /// What a Microsoft client dialog shows: the error code, and the extended
    /// code when there is one. Both are read as the client means them.
    case pair(error: WrittenNumber, extended: WrittenNumber?)
    case number(WrittenNumber)
    /// A symbolic name, such as `ERRINFO_SERVER_DENIED_CONNECTION`.
    case name(String)
    /// Words to look for in names and meanings.
    case search(String)
}

/// Why the input could not be read at all.
public struct InputError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Turns command-line arguments into queries.
public struct QueryParser: Sendable {
    /// Longest argument list, in characters, that is read; a longer one is refused.
    public static let maximumArgumentLength = 64 * 1024

    let catalogue: Catalogue

    public init(catalogue: Catalogue) {
        self.catalogue = catalogue
    }

    public func parse(arguments: [String]) throws(InputError) -> [Query] {
        let joined = arguments.joined(separator: " ")
        guard joined.utf8.count <= Self.maximumArgumentLength else {
            throw InputError("the arguments are longer than \(Self.maximumArgumentLength / 1024) KiB; pipe long text on standard input instead")
        }
        let words = arguments.flatMap { $0.split(whereSeparator: \.isWhitespace) }
        guard !words.isEmpty else { throw InputError("nothing to explain: give a code, a name or words to search for") }

        // `0x904 0x7`: two bare numbers are the error code and the extended code.
        if words.count == 2, let error = bareNumber(words[0]), let extended = bareNumber(words[1]) {
            return [.pair(error: error, extended: extended)]
        }
        let tokens = words.map(classify)
        if tokens.allSatisfy({ $0 != nil }) {
            return tokens.compactMap { $0 }
        }
        let found = TextScanner(catalogue: catalogue).scan(joined)
        if !found.isEmpty { return found }
        return [.search(words.joined(separator: " "))]
    }

    /// `0x904`, `errinfo:7`, `0x904/0x7` or a symbolic name; nil for a word.
    func classify(_ word: Substring) -> Query? {
        for separator: Character in ["/", ","] where word.contains(separator) {
            let parts = word.split(separator: separator, omittingEmptySubsequences: false)
            if parts.count == 2, let error = bareNumber(parts[0]), let extended = bareNumber(parts[1]) {
                return .pair(error: error, extended: extended)
            }
        }
        if let number = WrittenNumber.parse(word) { return .number(number) }
        if catalogue.isName(word) { return .name(String(word)) }
        return nil
    }

    private func bareNumber(_ text: Substring) -> WrittenNumber? {
        guard let number = WrittenNumber.parse(text), number.family == nil else { return nil }
        return number
    }
}
