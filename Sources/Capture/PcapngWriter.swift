import RDPWire

// The blocks of a pcapng file (draft-ietf-opsawg-pcapng), written little-endian.
// Pure: values in, bytes out; the caller writes the file.

/// Encodes pcapng blocks.
public enum PcapngWriter {
    /// `TLSK`: a Decryption Secrets Block holding an NSS key log.
    public static let tlsKeyLogSecrets: UInt32 = 0x544C_534B

    /// A Section Header Block: byte-order magic, version 1.0, section length
    /// unknown; `comment` (opt_comment) and the writing application (shb_userappl).
    public static func sectionHeader(comment: String?, application: String) -> [UInt8] {
        var body = ByteWriter(capacity: 64)
        body.u32LE(0x1A2B_3C4D)
        body.u16LE(1)
        body.u16LE(0)
        body.u64LE(UInt64.max)
        var options: [(UInt16, [UInt8])] = []
        if let comment { options.append((1, Array(comment.utf8))) }
        options.append((4, Array(application.utf8)))
        return block(type: 0x0A0D_0D0A, body.bytes + encodeOptions(options))
    }

    /// An Interface Description Block; timestamps stay in microseconds (the default if_tsresol).
    public static func interfaceDescription(linkType: LinkType, snapLength: UInt32 = 0, name: String? = nil) -> [UInt8] {
        var body = ByteWriter(capacity: 32)
        body.u16LE(UInt16(truncatingIfNeeded: linkType.rawValue))
        body.u16LE(0)
        body.u32LE(snapLength)
        let options: [(UInt16, [UInt8])] = name.map { [(UInt16(2), Array($0.utf8))] } ?? []
        return block(type: 0x0000_0001, body.bytes + encodeOptions(options))
    }

    /// A Decryption Secrets Block (type 0x0000000A) with `data` as its secrets.
    public static func decryptionSecrets(type secretsType: UInt32, data: [UInt8]) -> [UInt8] {
        var body = ByteWriter(capacity: data.count + 8)
        body.u32LE(secretsType)
        body.u32LE(UInt32(data.count))
        body.append(data)
        return block(type: 0x0000_000A, body.bytes)
    }

    /// An Enhanced Packet Block: `data` recorded whole on `interface` at `timestampMicros`.
    public static func enhancedPacket(interface: UInt32, timestampMicros: Int64, data: [UInt8]) -> [UInt8] {
        var body = ByteWriter(capacity: data.count + 20)
        let stamp = UInt64(max(0, timestampMicros))
        body.u32LE(interface)
        body.u32LE(UInt32(truncatingIfNeeded: stamp >> 32))
        body.u32LE(UInt32(truncatingIfNeeded: stamp))
        body.u32LE(UInt32(data.count))
        body.u32LE(UInt32(data.count))
        body.append(data)
        return block(type: 0x0000_0006, body.bytes)
    }

    /// Type, total length, the body padded to 32 bits, the total length again.
    static func block(type: UInt32, _ body: [UInt8]) -> [UInt8] {
        let padding = (4 - body.count % 4) % 4
        let length = UInt32(12 + body.count + padding)
        var out = ByteWriter(capacity: Int(length))
        out.u32LE(type)
        out.u32LE(length)
        out.append(body)
        out.zeros(padding)
        out.u32LE(length)
        return out.bytes
    }

    /// Options as code, length, value padded to 32 bits, then opt_endofopt.
    static func encodeOptions(_ options: [(UInt16, [UInt8])]) -> [UInt8] {
        guard !options.isEmpty else { return [] }
        var out = ByteWriter(capacity: 64)
        for (code, value) in options {
            // An option's length is 16 bits; a longer value is cut (only comments could be).
            let kept = value.prefix(0xFFFC)
            out.u16LE(code)
            out.u16LE(UInt16(kept.count))
            out.append(kept)
            out.zeros((4 - kept.count % 4) % 4)
        }
        out.u32LE(0)
        return out.bytes
    }
}
