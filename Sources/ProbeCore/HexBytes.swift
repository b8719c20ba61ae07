import RDPWire

/// Bytes that JSON shows as a hex string rather than an array of numbers
/// (certificates, unexpected server bytes).
public struct HexBytes: Codable, Sendable, Equatable, Hashable {
    public let bytes: [UInt8]

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// Lower-case hex digits, two per byte.
    public var hex: String { Hex.string(bytes, uppercase: false) }

    /// Reads hex as people paste it: either case, colons or spaces between
    /// bytes (`7E:FD:…`); nil for anything else.
    public init?(parsing text: String) {
        let digits = Array(text.filter { $0 != ":" && $0 != " " }.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let high = Self.nibble(digits[index]), let low = Self.nibble(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        self.bytes = bytes
    }

    private static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let parsed = HexBytes(parsing: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not hex digits in pairs")
        }
        self = parsed
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(hex)
    }
}
