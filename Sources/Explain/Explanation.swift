import Catalogue

/// What rdpdoctor says about one query. Text and JSON are both rendered from
/// this record (docs/explain-json.md describes its JSON form).
public struct Explanation: Codable, Sendable {
    public enum Kind: String, Codable, Sendable {
        case pair, number, name, search
    }

    public let kind: Kind
    /// The query as the user wrote it.
    public let input: String
    /// Every reading, most likely first. Several readings of one number mean
    /// it is ambiguous: each family's reading is listed.
    public let readings: [Reading]
    /// For a code pair with a story of its own: what the two mean together.
    public let story: PairStory?
    /// Remarks on the whole answer (ambiguity, missing extended code, ...).
    public let notes: [String]

    public init(kind: Kind, input: String, readings: [Reading], story: PairStory? = nil, notes: [String] = []) {
        self.kind = kind
        self.input = input
        self.readings = readings
        self.story = story
        self.notes = notes
    }

    /// True when some reading comes from a catalogue entry.
    public var isKnown: Bool { readings.contains { $0.entry != nil } }
}

/// One way to read a number or name.
public struct Reading: Codable, Sendable {
    public enum Match: String, Codable, Sendable {
        /// A catalogue entry has this number (or this name).
        case exact
        /// No entry; the number's structure or a family's range gives its meaning.
        case structure
        /// The decimal digits typed, read as hex, name an entry.
        case hexReading
        /// The words searched for appear in this entry.
        case search
        /// Nothing in the catalogue knows it; shown raw.
        case unknown
    }

    /// In a pair: which of the dialog's two numbers this reads.
    public enum Role: String, Codable, Sendable {
        case error, extended
    }

    public let match: Match
    public let role: Role?
    public let key: String?
    public let family: FamilyID?
    public let familyTitle: String?
    public let value: UInt64
    public let hex: String
    public let entry: CatalogueEntry?
    /// What the number's structure or range says, one sentence each.
    public let structure: [String]
    public let layer: Layer?

    public init(
        match: Match, role: Role? = nil, family: Family?, value: UInt64,
        entry: CatalogueEntry? = nil, structure: [String] = [], layer: Layer? = nil
    ) {
        self.match = match
        self.role = role
        self.family = family?.family
        self.familyTitle = family?.title
        self.key = family?.key(for: value).description
        self.value = value
        self.hex = CodeNumber.hex(value)
        self.entry = entry
        self.structure = structure
        self.layer = entry?.layer ?? layer
    }
}
