import RDPWire

// Little-endian reading of NTLM messages over the one bounds-checked reader;
// payload fields are checked against the whole message before any byte is copied.

/// NTLM's reads over RDPWire's `ByteReader` (the one bounds-checked reader),
/// with NTLM's errors: a short message is `.truncated`, a payload field that
/// points outside it `.fieldOutOfBounds`.
struct NTLMReader {
    let message: [UInt8]
    private var reader: ByteReader

    init(_ message: [UInt8]) {
        self.message = message
        reader = ByteReader(message, pdu: "NTLM message")
    }

    var remaining: Int { reader.remaining }

    mutating func readBytes(_ count: Int, _ what: String = "bytes") throws(NTLMError) -> [UInt8] {
        do { return Array(try reader.bytes(count, what)) } catch { throw .truncated(what) }
    }

    mutating func skip(_ count: Int) throws(NTLMError) {
        do { try reader.skip(count, "reserved bytes") } catch { throw .truncated("reserved bytes") }
    }

    mutating func readUInt8(_ what: String = "bytes") throws(NTLMError) -> UInt8 {
        do { return try reader.u8(what) } catch { throw .truncated(what) }
    }

    mutating func readUInt16(_ what: String = "bytes") throws(NTLMError) -> UInt16 {
        do { return try reader.u16LE(what) } catch { throw .truncated(what) }
    }

    mutating func readUInt32(_ what: String = "bytes") throws(NTLMError) -> UInt32 {
        do { return try reader.u32LE(what) } catch { throw .truncated(what) }
    }

    mutating func readUInt64(_ what: String = "bytes") throws(NTLMError) -> UInt64 {
        let low = UInt64(try readUInt32(what))
        return low | UInt64(try readUInt32(what)) << 32
    }

    /// Reads an 8-byte (Len, MaxLen, BufferOffset) descriptor and returns the
    /// payload bytes it points to within the whole message.
    mutating func readPayloadField(_ name: String) throws(NTLMError) -> [UInt8] {
        let length = Int(try readUInt16(name))
        _ = try readUInt16(name)  // MaxLen: informational only.
        let start = Int(try readUInt32(name))
        guard start <= message.count, length <= message.count - start else { throw .fieldOutOfBounds(name) }
        return Array(message[start..<start + length])
    }

    /// Only the offset of a payload field, for telling which optional header
    /// parts (Version, MIC) a message has room for.
    static func payloadOffset(_ bytes: [UInt8], descriptorAt position: Int) -> Int? {
        guard position >= 0, position <= bytes.count else { return nil }
        var descriptor = ByteReader(bytes[position...], pdu: "NTLM message")
        guard let length = try? descriptor.u16LE("Len"), length > 0,
            (try? descriptor.u16LE("MaxLen")) != nil,
            let offset = try? descriptor.u32LE("BufferOffset")
        else { return nil }
        return Int(offset)
    }
}

/// "NTLMSSP\0", the first 8 bytes of every NTLM message.
let ntlmSignature: [UInt8] = Array("NTLMSSP".utf8) + [0]

/// Checks the signature and message type common to all three messages.
func readMessageHeader(_ reader: inout NTLMReader, expecting type: UInt32) throws(NTLMError) {
    guard try reader.readBytes(8, "signature") == ntlmSignature else { throw .badSignature }
    let found = try reader.readUInt32()
    guard found == type else { throw .unexpectedMessageType(expected: type, found: found) }
}
