/// The length octets of a DER/BER element (X.690 8.1.3), read from as many
/// bytes as have arrived. The one length reader of MCS (BER), CredSSP's
/// TSRequest framing and the certificate audit.
public enum DERLength: Equatable, Sendable {
    /// More bytes are needed to know the length.
    case needMore
    /// The content length, and how many octets encoded it (1 for the short form).
    case length(Int, octets: Int)
    /// 0x80: BER's indefinite form, which none of our peers may use.
    case indefinite
    /// A long form of more octets than the caller allows.
    case tooManyOctets(Int)
    /// A length above the caller's limit (read no further, so it cannot overflow).
    case tooLarge

    /// Reads the length that starts `bytes`.
    /// - Parameters:
    ///   - maximumOctets: how many long-form octets are acceptable (at most 8).
    ///   - limit: the largest content length worth reading.
    public static func read<Bytes: Collection>(_ bytes: Bytes, maximumOctets: Int, limit: Int) -> DERLength
    where Bytes.Element == UInt8 {
        var iterator = bytes.makeIterator()
        guard let first = iterator.next() else { return .needMore }
        if first < 0x80 { return Int(first) <= limit ? .length(Int(first), octets: 1) : .tooLarge }
        let count = Int(first & 0x7F)
        if count == 0 { return .indefinite }
        guard count <= min(maximumOctets, 8) else { return .tooManyOctets(count) }
        var length = 0
        for _ in 0..<count {
            guard let byte = iterator.next() else { return .needMore }
            length = length << 8 | Int(byte)
            // Leading zero octets are allowed (BER); a value past the limit stops the read.
            if length > limit { return .tooLarge }
        }
        return .length(length, octets: 1 + count)
    }
}
