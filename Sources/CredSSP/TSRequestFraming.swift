import RDPWire

// TSRequests arrive over TLS with no framing but their own DER header. This
// tells the transport how many bytes make up the next message, from as few
// bytes as it has, and refuses oversized messages before they are buffered.

extension TSRequest {
    /// The total length of the TSRequest that starts `buffer`, or nil when
    /// more bytes are needed to know it. The outer length may be long-form
    /// with leading zero octets (BER), within the 64 KiB bound.
    public static func frameLength<Bytes: Collection>(of buffer: Bytes) throws(CredSSPError) -> Int?
    where Bytes.Element == UInt8 {
        guard let tag = buffer.first else { return nil }
        guard tag == 0x30 else { throw .malformedDER("a TSRequest starts with a SEQUENCE (0x30), found 0x\(String(tag, radix: 16))") }
        let total: Int
        // Long form, minimal or not (clients accept non-minimal BER lengths); swift-asn1
        // reads at most 8 length octets; refused as soon as it is past the bound.
        switch DERLength.read(buffer.dropFirst(), maximumOctets: 8, limit: maximumEncodedCount) {
        case .needMore: return nil
        case let .length(length, octets): total = 1 + octets + length
        case .indefinite: throw .malformedDER("indefinite length is not accepted")
        case .tooManyOctets(let count): throw .malformedDER("a length in \(count) octets")
        case .tooLarge: throw .messageTooLarge(Int.max)
        }
        guard total <= maximumEncodedCount else { throw .messageTooLarge(total) }
        return total
    }
}
