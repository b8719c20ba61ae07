/// The loaded catalogue with its look-up indexes. Immutable once built.
public struct Catalogue: Sendable {
    /// Families in the order readings of an ambiguous number are listed:
    /// what a client dialog shows first, then the server and protocol codes.
    public static let readingOrder: [FamilyID] = [
        .disconnect, .newclient, .extended, .errinfo, .negfailure, .license,
        .licensestate, .ntstatus, .sspi, .gateway, .hresult, .freerdp,
    ]

    public let families: [Family]
    public let pairStories: [PairStory]
    /// clientcodes.json: the codes a client shows for each way of failing.
    let clientCodeShapes: [ClientFailure: ClientCodeTemplate]
    /// wirenames.json, by table and value.
    let wireNames: [WireTable: [UInt64: String]]
    private let byFamily: [FamilyID: Int]
    private let byValue: [UInt64: [Located]]
    private let byName: [String: [Located]]
    private let wordIndex: WordIndex

    /// Where an entry sits: family index and entry index.
    struct Located: Hashable, Sendable {
        let family: Int
        let entry: Int
    }

    public init(families unordered: [Family], pairStories: [PairStory] = []) {
        self.init(families: unordered, pairStories: pairStories, clientCodeShapes: [], wireTables: [])
    }

    init(
        families unordered: [Family], pairStories: [PairStory], clientCodeShapes: [ClientCodeShape],
        wireTables: [WireNameTable]
    ) {
        var wireNames: [WireTable: [UInt64: String]] = [:]
        for table in wireTables {
            for (written, words) in table.names {
                if let number = CodeNumber.parse(written) { wireNames[table.table, default: [:]][number.value] = words }
            }
        }
        self.wireNames = wireNames
        self.clientCodeShapes = Dictionary(clientCodeShapes.map { ($0.shape, $0.template) }, uniquingKeysWith: { first, _ in first })
        let rank = Dictionary(uniqueKeysWithValues: Self.readingOrder.enumerated().map { ($1, $0) })
        families = unordered.sorted {
            (rank[$0.family] ?? Int.max, $0.family) < (rank[$1.family] ?? Int.max, $1.family)
        }
        self.pairStories = pairStories
        var byFamily: [FamilyID: Int] = [:]
        var byValue: [UInt64: [Located]] = [:]
        var byName: [String: [Located]] = [:]
        for (f, family) in families.enumerated() {
            byFamily[family.family] = f
            for (e, entry) in family.entries.enumerated() {
                let here = Located(family: f, entry: e)
                for value in Set([entry.code.value] + entry.altCodes.map(\.value)) {
                    byValue[value, default: []].append(here)
                }
                for name in Set(([entry.name] + entry.aliases).map(Self.nameKey)) {
                    byName[name, default: []].append(here)
                }
            }
        }
        self.byFamily = byFamily
        self.byValue = byValue
        self.byName = byName
        self.wordIndex = WordIndex(families: families)
    }

    public func family(_ id: FamilyID) -> Family? {
        byFamily[id].map { families[$0] }
    }

    /// Every entry, in any family, whose number (or alternative spelling) is `value`.
    public func entries(value: UInt64) -> [(family: Family, entry: CatalogueEntry)] {
        (byValue[value] ?? []).map(resolve)
    }

    /// The entry for `value` in one family.
    public func entry(_ family: FamilyID, _ value: UInt64) -> CatalogueEntry? {
        entries(value: value).first { $0.family.family == family }?.entry
    }

    /// The entry a key names.
    public func entry(_ key: CatalogueKey) -> (family: Family, entry: CatalogueEntry)? {
        entries(value: key.value).first { $0.family.family == key.family }
    }

    /// The entry a written key such as `errinfo:0x7` names.
    public func entry(key: String) -> (family: Family, entry: CatalogueEntry)? {
        CatalogueKey(parsing: key).flatMap(entry)
    }

    /// Entries whose symbolic name or alias is `name` (case-insensitive).
    public func entries(named name: String) -> [(family: Family, entry: CatalogueEntry)] {
        (byName[Self.nameKey(name)] ?? []).map(resolve)
    }

    /// True when some entry has this name: the text scanner uses it to tell
    /// names from ordinary words.
    public func isName(_ word: Substring) -> Bool {
        byName[Self.nameKey(String(word))] != nil
    }

    /// Entries whose names or prose hold every term (case-insensitive), in
    /// catalogue order; a term found in the names scores 3, in the prose 1.
    public func entries(holding terms: [String]) -> [(family: Family, entry: CatalogueEntry, score: Int)] {
        wordIndex.matches(terms).map {
            let (family, entry) = resolve($0.location)
            return (family, entry, $0.score)
        }
    }

    public func pairStory(error: UInt64, extended: UInt64) -> PairStory? {
        pairStories.first { $0.error.value == error && $0.extended.value == extended }
    }

    /// The codes a Microsoft client shows when a connection fails this way;
    /// `value` is the number the server sent, for the shapes that carry one.
    public func clientCodes(_ failure: ClientFailure, value: UInt64? = nil) -> ClientCodes {
        clientCodeShapes[failure]?.codes(value: value) ?? ClientCodes(error: nil, extended: nil, also: [])
    }

    /// Words for a value a server selected or announced (wirenames.json);
    /// nil when the table does not know it (show the number instead).
    public func wireName(_ table: WireTable, _ value: some BinaryInteger) -> String? {
        wireNames[table]?[UInt64(clamping: value)]
    }

    /// How many values a wire table names (a test checks each is loaded).
    public func wireNameCount(_ table: WireTable) -> Int { wireNames[table]?.count ?? 0 }

    /// Which ways of failing the catalogue has codes for (a test checks all).
    public var clientFailuresCovered: Set<ClientFailure> { Set(clientCodeShapes.keys) }

    public var entryCount: Int { families.reduce(0) { $0 + $1.entries.count } }

    private func resolve(_ located: Located) -> (family: Family, entry: CatalogueEntry) {
        let family = families[located.family]
        return (family, family.entries[located.entry])
    }

    private static func nameKey(_ name: String) -> String { name.lowercased() }
}
