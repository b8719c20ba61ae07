// The record layer of one side of a TCP stream, split without interpreting:
// type, version, body and where the record starts. Bounded as TLS bounds a
// record (2^14 plus 2048 of expansion); whatever is not a record stops it.

public struct TLSRecord: Sendable, Equatable {
    public let type: UInt8
    public let body: ArraySlice<UInt8>
    /// Where the record's header starts in the stream.
    public let offset: Int
}

public enum TLSRecords {
    /// The largest record body (RFC 5246 §6.2.3, RFC 8446 §5.2).
    public static let maximumBody = (1 << 14) + 2048

    /// The whole records of `stream` from `start`, stopping at the first thing
    /// that is not one (or at a record the stream ends inside).
    public static func split(_ stream: [UInt8], from start: Int) -> [TLSRecord] {
        var records: [TLSRecord] = []
        var position = max(0, start)
        while stream.count - position >= 5 {
            let type = stream[position]
            let length = Int(stream[position + 3]) << 8 | Int(stream[position + 4])
            guard (20...23).contains(type), stream[position + 1] == 3, length <= maximumBody,
                stream.count - position - 5 >= length
            else { break }
            records.append(TLSRecord(type: type, body: stream[(position + 5)..<(position + 5 + length)], offset: position))
            position += 5 + length
        }
        return records
    }
}
