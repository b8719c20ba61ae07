// TSRequests arrive over TLS with no framing but their own DER header. This
// tells the transport how many bytes make up the next message, from as few
// bytes as it has, and refuses oversized messages before they are buffered.

extension TSRequest {
    /// The total length of the TSRequest that starts `buffer`, or nil when
    /// more bytes are needed to know it. The outer length may be long-form
    /// with leading zero octets (BER), within the 64 KiB bound.
    public static func frameLength<Bytes: Collection>(of buffer: Bytes) throws(CredSSPError) -> Int?
    where Bytes.Element == UInt8 {
        var iterator = buffer.makeIterator()
        guard let tag = iterator.next() else { return nil }
        guard tag == 0x30 else { throw .malformedDER("a TSRequest starts with a SEQUENCE (0x30), found 0x\(String(tag, radix: 16))") }
        guard let first = iterator.next() else { return nil }
        let total: Int
        if first < 0x80 {
            total = 2 + Int(first)
        } else {
            // Long form, minimal or not (clients accept non-minimal BER lengths).
            let lengthCount = Int(first & 0x7f)
            guard lengthCount != 0 else { throw .malformedDER("indefinite length is not accepted") }
            // swift-asn1 reads at most 8 length octets; 0xFF is reserved (X.690 §8.1.3.5).
            guard lengthCount <= 8 else { throw .malformedDER("a length in \(lengthCount) octets") }
            var length = 0
            for index in 0..<lengthCount {
                guard let byte = iterator.next() else { return nil }
                length = length << 8 | Int(byte)
                // Refused as soon as it is past the bound, so the value never overflows.
                if length > maximumEncodedCount, index < lengthCount - 1 { throw .messageTooLarge(Int.max) }
            }
            total = 2 + lengthCount + length
        }
        guard total <= maximumEncodedCount else { throw .messageTooLarge(total) }
        return total
    }
}
