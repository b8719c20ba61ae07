// Bounds-checked little-endian reading of NTLM messages. Every read checks
// the remaining length first; payload fields are checked against the whole
// message before any byte is copied.

struct WireReader {
    let bytes: [UInt8]
    private(set) var offset: Int

    init(_ bytes: [UInt8], offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
    }

    var remaining: Int { bytes.count - offset }

    mutating func readBytes(_ count: Int, _ what: String = "bytes") throws(NTLMError) -> [UInt8] {
        guard count >= 0, count <= remaining else { throw .truncated(what) }
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }

    mutating func skip(_ count: Int) throws(NTLMError) {
        guard count <= remaining else { throw .truncated("reserved bytes") }
        offset += count
    }

    mutating func readUInt8() throws(NTLMError) -> UInt8 {
        try readBytes(1)[0]
    }

    mutating func readUInt16() throws(NTLMError) -> UInt16 {
        let b = try readBytes(2)
        return UInt16(b[0]) | UInt16(b[1]) << 8
    }

    mutating func readUInt32() throws(NTLMError) -> UInt32 {
        let b = try readBytes(4)
        return UInt32(b[0]) | UInt32(b[1]) << 8 | UInt32(b[2]) << 16 | UInt32(b[3]) << 24
    }

    mutating func readUInt64() throws(NTLMError) -> UInt64 {
        let low = UInt64(try readUInt32())
        return low | UInt64(try readUInt32()) << 32
    }

    /// Reads an 8-byte (Len, MaxLen, BufferOffset) descriptor and returns the
    /// payload bytes it points to within the whole message.
    mutating func readPayloadField(_ name: String) throws(NTLMError) -> [UInt8] {
        let length = Int(try readUInt16())
        _ = try readUInt16()  // MaxLen: informational only.
        let start = Int(try readUInt32())
        guard start <= bytes.count, length <= bytes.count - start else { throw .fieldOutOfBounds(name) }
        return Array(bytes[start..<start + length])
    }

    /// Only the offset of a payload field, for telling which optional header
    /// parts (Version, MIC) a message has room for.
    static func payloadOffset(_ bytes: [UInt8], descriptorAt position: Int) -> Int? {
        guard position + 8 <= bytes.count else { return nil }
        let length = Int(bytes[position]) | Int(bytes[position + 1]) << 8
        guard length > 0 else { return nil }
        return Int(bytes[position + 4]) | Int(bytes[position + 5]) << 8
            | Int(bytes[position + 6]) << 16 | Int(bytes[position + 7]) << 24
    }
}

extension Array where Element == UInt8 {
    mutating func appendLE(_ value: UInt16) {
        append(UInt8(truncatingIfNeeded: value))
        append(UInt8(truncatingIfNeeded: value >> 8))
    }

    mutating func appendLE(_ value: UInt32) {
        for shift in stride(from: 0, to: 32, by: 8) { append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }

    mutating func appendLE(_ value: UInt64) {
        for shift in stride(from: 0, to: 64, by: 8) { append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }
}

/// "NTLMSSP\0", the first 8 bytes of every NTLM message.
let ntlmSignature: [UInt8] = Array("NTLMSSP".utf8) + [0]

/// Checks the signature and message type common to all three messages.
func readMessageHeader(_ reader: inout WireReader, expecting type: UInt32) throws(NTLMError) {
    guard try reader.readBytes(8, "signature") == ntlmSignature else { throw .badSignature }
    let found = try reader.readUInt32()
    guard found == type else { throw .unexpectedMessageType(expected: type, found: found) }
}
