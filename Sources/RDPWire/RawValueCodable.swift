/// A wire value that JSON carries as its raw number.
///
/// Observations keep the types the decoders produce (protocol sets, failure
/// codes, error info), so nothing downstream re-derives a meaning from a bare
/// integer; reports still show the numbers the specifications print, which
/// keeps every published JSON schema unchanged.
public protocol RawValueCodable: Codable, RawRepresentable where RawValue: Codable & Sendable {}

extension RawValueCodable {
    public init(from decoder: any Decoder) throws {
        let raw = try decoder.singleValueContainer().decode(RawValue.self)
        guard let value = Self(rawValue: raw) else {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: decoder.codingPath, debugDescription: "\(raw) is not a valid \(Self.self)"))
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
