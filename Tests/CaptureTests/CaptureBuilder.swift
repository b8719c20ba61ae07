// Builds small captures byte by byte for the reader's tests. Real captures
// (dumpcap on loopback during a check) are read in IntegrationTests.

struct Frame {
    var micros: Int64
    var bytes: [UInt8]
}

enum CaptureBuilder {
    static func le32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
    static func be32(_ v: UInt32) -> [UInt8] { le32(v).reversed() }
    static func le16(_ v: UInt16) -> [UInt8] { [UInt8(truncatingIfNeeded: v), UInt8(v >> 8)] }
    static func be16(_ v: UInt16) -> [UInt8] { [UInt8(v >> 8), UInt8(truncatingIfNeeded: v)] }

    /// A classic pcap file (little-endian, microseconds).
    static func pcap(linkType: UInt32, _ frames: [Frame]) -> [UInt8] {
        var out = le32(0xA1B2_C3D4) + le16(2) + le16(4) + le32(0) + le32(0) + le32(65535) + le32(linkType)
        for frame in frames {
            out += le32(UInt32(frame.micros / 1_000_000)) + le32(UInt32(frame.micros % 1_000_000))
            out += le32(UInt32(frame.bytes.count)) + le32(UInt32(frame.bytes.count)) + frame.bytes
        }
        return out
    }

    static func block(_ type: UInt32, _ body: [UInt8]) -> [UInt8] {
        var padded = body
        while padded.count % 4 != 0 { padded.append(0) }
        let length = UInt32(padded.count + 12)
        return le32(type) + le32(length) + padded + le32(length)
    }

    /// A pcapng file: one section, one interface with nanosecond timestamps,
    /// the frames as Enhanced Packet Blocks, and an optional key log.
    static func pcapng(linkType: UInt16, _ frames: [Frame], keyLog: String? = nil) -> [UInt8] {
        var out = block(0x0A0D_0D0A, le32(0x1A2B_3C4D) + le16(1) + le16(0) + [UInt8](repeating: 0xFF, count: 8))
        let tsresol: [UInt8] = le16(9) + le16(1) + [9, 0, 0, 0] + le16(0) + le16(0)
        out += block(1, le16(linkType) + le16(0) + le32(0) + tsresol)
        if let keyLog {
            let data = Array(keyLog.utf8)
            out += block(0x0A, le32(0x544C_534B) + le32(UInt32(data.count)) + data)
        }
        for frame in frames {
            let nanos = UInt64(frame.micros) * 1000
            out += block(
                6,
                le32(0) + le32(UInt32(nanos >> 32)) + le32(UInt32(truncatingIfNeeded: nanos))
                    + le32(UInt32(frame.bytes.count)) + le32(UInt32(frame.bytes.count)) + frame.bytes)
        }
        return out
    }

    static func tcp(
        _ sourcePort: UInt16, _ destinationPort: UInt16, seq: UInt32, ack: UInt32 = 0,
        flags: UInt8, window: UInt16 = 65535, mss: UInt16? = nil, payload: [UInt8] = []
    ) -> [UInt8] {
        let options: [UInt8] = mss.map { [2, 4] + be16($0) } ?? []
        let offset = UInt8((20 + options.count) / 4) << 4
        return be16(sourcePort) + be16(destinationPort) + be32(seq) + be32(ack) + [offset, flags] + be16(window)
            + [0, 0, 0, 0] + options + payload
    }

    static func ipv4(_ source: [UInt8], _ destination: [UInt8], _ segment: [UInt8]) -> [UInt8] {
        [0x45, 0] + be16(UInt16(20 + segment.count)) + [0, 0, 0x40, 0, 64, 6, 0, 0] + source + destination + segment
    }

    static func ipv6(_ source: [UInt8], _ destination: [UInt8], _ segment: [UInt8]) -> [UInt8] {
        [0x60, 0, 0, 0] + be16(UInt16(segment.count)) + [6, 64] + source + destination + segment
    }

    static func ethernet(_ ip: [UInt8], v6: Bool = false) -> [UInt8] {
        [UInt8](repeating: 0x02, count: 12) + (v6 ? [0x86, 0xDD] : [0x08, 0x00]) + ip
    }

    static func sll2(_ ip: [UInt8], v6: Bool = true) -> [UInt8] {
        (v6 ? [0x86, 0xDD] : [0x08, 0x00]) + [0, 0] + le32(1) + [0, 1, 0, 6] + [UInt8](repeating: 0, count: 8) + ip
    }
}

/// A short RDP exchange between 10.0.0.1:50000 and 10.0.0.2:3389 (addresses
/// only inside these bytes), with knobs for the faults under test.
enum Conversation {
    static let client: [UInt8] = [10, 0, 0, 1]
    static let server: [UInt8] = [10, 0, 0, 2]
    /// TPKT + X.224 Connection Request with an RDP Negotiation Request for TLS and CredSSP.
    static let request: [UInt8] = [0x03, 0x00, 0x00, 0x13, 0x0E, 0xE0, 0, 0, 0, 0, 0, 0x01, 0x00, 0x08, 0x00, 0x03, 0x00, 0x00, 0x00]
    /// The Connection Confirm selecting TLS.
    static let confirm: [UInt8] = [0x03, 0x00, 0x00, 0x13, 0x0E, 0xD0, 0, 0, 0x12, 0x34, 0, 0x02, 0x01, 0x08, 0x00, 0x01, 0x00, 0x00, 0x00]

    static func up(_ segment: [UInt8]) -> [UInt8] { CaptureBuilder.ethernet(CaptureBuilder.ipv4(client, server, segment)) }
    static func down(_ segment: [UInt8]) -> [UInt8] { CaptureBuilder.ethernet(CaptureBuilder.ipv4(server, client, segment)) }

    /// Handshake, request, confirm, then the server resets.
    static func frames(retransmitConfirm: Bool = false) -> [Frame] {
        typealias B = CaptureBuilder
        var frames = [
            Frame(micros: 1_000_000, bytes: up(B.tcp(50000, 3389, seq: 100, flags: 0x02, mss: 1460))),
            Frame(micros: 1_000_500, bytes: down(B.tcp(3389, 50000, seq: 900, ack: 101, flags: 0x12, mss: 1400))),
            Frame(micros: 1_001_000, bytes: up(B.tcp(50000, 3389, seq: 101, ack: 901, flags: 0x10))),
            Frame(micros: 1_002_000, bytes: up(B.tcp(50000, 3389, seq: 101, ack: 901, flags: 0x18, payload: request))),
            Frame(micros: 1_003_000, bytes: down(B.tcp(3389, 50000, seq: 901, ack: 120, flags: 0x18, payload: confirm))),
        ]
        if retransmitConfirm {
            frames.append(Frame(micros: 1_203_000, bytes: down(B.tcp(3389, 50000, seq: 901, ack: 120, flags: 0x18, payload: confirm))))
        }
        frames.append(Frame(micros: 1_300_000, bytes: down(B.tcp(3389, 50000, seq: 920, ack: 120, flags: 0x14))))
        return frames
    }
}
