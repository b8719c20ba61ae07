/// The name of a catalogue entry: a family and a number. Its one written
/// form is `family:0xHEX` (`disconnect:0x904`, `negfailure:0x2`), which is
/// also how it encodes to JSON; `init(parsing:)` accepts decimal too.
public struct CatalogueKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let family: FamilyID
    public let value: UInt64

    /// `value` as the wire carries it; a negative number (never a code) reads as 0.
    public init(_ family: FamilyID, _ value: some BinaryInteger) {
        self.family = family
        self.value = UInt64(clamping: value)
    }

    /// Reads `family:number` (hex with `0x`, or decimal); nil for anything else.
    public init?(parsing text: some StringProtocol) {
        guard let colon = text.firstIndex(of: ":"), colon != text.startIndex,
            let number = CodeNumber.parse(Substring(text[text.index(after: colon)...]))
        else { return nil }
        self.init(FamilyID(String(text[..<colon])), number.value)
    }

    public var description: String { "\(family.rawValue):\(CodeNumber.hex(value))" }

    public static func < (lhs: CatalogueKey, rhs: CatalogueKey) -> Bool {
        (lhs.family, lhs.value) < (rhs.family, rhs.value)
    }
}

extension CatalogueKey: Codable {
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let key = CatalogueKey(parsing: text) else {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: decoder.codingPath,
                    debugDescription: "\"\(text)\" is not a catalogue key (family:0xHEX)"))
        }
        self = key
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

extension CatalogueKey {
    /// The entry of a typed wire value (an NTSTATUS, an error info code, a
    /// negotiation failure): the family names what the number means.
    public init<Value: RawRepresentable>(_ family: FamilyID, _ value: Value) where Value.RawValue: BinaryInteger {
        self.init(family, value.rawValue)
    }

    /// The number as the catalogue writes it (`0x904`).
    public var hexValue: String { CodeNumber.hex(value) }
}
