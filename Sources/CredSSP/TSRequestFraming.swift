// TSRequests arrive over TLS with no framing but their own DER header. This
// tells the transport how many bytes make up the next message, from as few
// bytes as it has, and refuses oversized messages before they are buffered.

extension TSRequest {
    /// The total length of the TSRequest that starts `buffer`, or nil when
    /// more bytes are needed to know it.
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
            let lengthCount = Int(first & 0x7f)
            guard lengthCount != 0 else { throw .malformedDER("indefinite length is not DER") }
            guard lengthCount <= 3 else { throw .messageTooLarge(Int.max) }
            var length = 0
            for _ in 0..<lengthCount {
                guard let byte = iterator.next() else { return nil }
                length = length << 8 | Int(byte)
            }
            total = 2 + lengthCount + length
        }
        guard total <= maximumEncodedCount else { throw .messageTooLarge(total) }
        return total
    }
}
