/// Bytes that JSON shows as a hex string rather than an array of numbers
/// (certificates, unexpected server bytes).
public struct HexBytes: Codable, Sendable, Equatable, Hashable {
    public let bytes: [UInt8]

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// Lower-case hex digits, two per byte.
    public var hex: String { ProbeCore.hex(bytes) }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard text.count % 2 == 0 else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "odd-length hex")
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.count / 2)
        var iterator = text.makeIterator()
        while let high = iterator.next(), let low = iterator.next() {
            guard let byte = UInt8(String([high, low]), radix: 16) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "not hex")
            }
            bytes.append(byte)
        }
        self.bytes = bytes
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(hex)
    }
}
