import RDPWire

// From a captured frame to the TCP segment or UDP datagram inside it. Frames
// that are not IP, or IP that is not TCP or UDP, are skipped (nil), never an
// error: a capture holds all kinds of traffic.

/// An IPv4 or IPv6 address. Kept inline (two words and a length, no array):
/// every captured packet makes two, and the reassembler hashes and compares
/// them once per segment.
public struct IPAddressBytes: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The address in network order, from the top bit of `high` on (IPv4 in
    /// its top 32 bits), zeros after it: numeric order is byte order.
    private let high: UInt64
    private let low: UInt64
    /// 4 for IPv4, 16 for IPv6 (at most 16 bytes are kept).
    private let length: UInt8

    public init(_ bytes: some Collection<UInt8>) {
        var high: UInt64 = 0
        var low: UInt64 = 0
        var index = 0
        for byte in bytes.prefix(16) {
            if index < 8 { high |= UInt64(byte) << (56 - 8 * index) } else { low |= UInt64(byte) << (56 - 8 * (index - 8)) }
            index += 1
        }
        (self.high, self.low, self.length) = (high, low, UInt8(index))
    }

    init(ipv4 address: UInt32) {
        (high, low, length) = (UInt64(address) << 32, 0, 4)
    }

    public var bytes: [UInt8] {
        (0..<Int(length)).map { index in UInt8(truncatingIfNeeded: index < 8 ? high >> (56 - 8 * index) : low >> (56 - 8 * (index - 8))) }
    }

    public var isIPv6: Bool { length == 16 }

    public var description: String {
        let bytes = bytes
        if bytes.count == 4 { return bytes.map(String.init).joined(separator: ".") }
        // IPv6: eight groups, the longest run of zero groups written "::".
        let groups = stride(from: 0, to: 16, by: 2).map { UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]) }
        var best = (start: -1, length: 0)
        var run = (start: -1, length: 0)
        for (index, group) in groups.enumerated() {
            if group == 0 {
                run = run.start < 0 ? (index, 1) : (run.start, run.length + 1)
                if run.length > best.length { best = run }
            } else {
                run = (-1, 0)
            }
        }
        let hex = groups.map { String($0, radix: 16) }
        guard best.length >= 2 else { return hex.joined(separator: ":") }
        let head = hex[..<best.start].joined(separator: ":")
        let tail = hex[(best.start + best.length)...].joined(separator: ":")
        return head + "::" + tail
    }

    /// Byte order, a shorter address before a longer one it begins (as
    /// comparing the byte arrays would).
    public static func < (lhs: IPAddressBytes, rhs: IPAddressBytes) -> Bool {
        (lhs.high, lhs.low, lhs.length) < (rhs.high, rhs.low, rhs.length)
    }
}

/// One end of a connection.
public struct Endpoint: Hashable, Sendable, CustomStringConvertible {
    public let address: IPAddressBytes
    public let port: UInt16

    public init(address: IPAddressBytes, port: UInt16) {
        self.address = address
        self.port = port
    }

    public var description: String {
        address.isIPv6 ? "[\(address)]:\(port)" : "\(address):\(port)"
    }
}

/// TCP header flags.
public struct TCPFlags: OptionSet, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let fin = TCPFlags(rawValue: 0x01)
    public static let syn = TCPFlags(rawValue: 0x02)
    public static let rst = TCPFlags(rawValue: 0x04)
    public static let psh = TCPFlags(rawValue: 0x08)
    public static let ack = TCPFlags(rawValue: 0x10)
}

public struct TCPSegment: Sendable, Equatable {
    public let source: Endpoint
    public let destination: Endpoint
    public let sequence: UInt32
    public let acknowledgement: UInt32
    public let flags: TCPFlags
    public let window: UInt16
    /// The MSS option of a SYN, if present.
    public let maximumSegmentSize: UInt16?
    public let payload: [UInt8]
    /// Payload bytes the frame did not record (snapshot length).
    public let missingPayload: Int
}

public struct UDPDatagram: Sendable, Equatable {
    public let source: Endpoint
    public let destination: Endpoint
    public let payload: [UInt8]
}

/// What a frame carries, as far as rdpdoctor reads it.
public enum TransportPacket: Sendable, Equatable {
    case tcp(TCPSegment)
    case udp(UDPDatagram)
}

public enum PacketDecoder {
    /// The TCP segment or UDP datagram in a frame; nil for anything else
    /// (ARP, ICMP, fragments after the first, link types not read).
    public static func decode(_ packet: CapturedPacket) -> TransportPacket? {
        guard let (version, ip) = ipPayload(packet.linkType, packet.data[...]) else { return nil }
        return version == 4 ? ipv4(ip, originalLength: packet.originalLength) : ipv6(ip)
    }

    /// The IP packet inside a link-layer frame, with its version.
    static func ipPayload(_ linkType: LinkType, _ frame: ArraySlice<UInt8>) -> (Int, ArraySlice<UInt8>)? {
        var reader = ByteReader(frame, pdu: "frame")
        switch linkType {
        case .ethernet:
            guard (try? reader.skip(12, "addresses")) != nil, var type = try? reader.u16BE("ethertype") else { return nil }
            while type == 0x8100 || type == 0x88A8 {  // VLAN tags
                guard (try? reader.skip(2, "tag")) != nil, let inner = try? reader.u16BE("ethertype") else { return nil }
                type = inner
            }
            return byEtherType(type, reader.unread)
        case .linuxSLL:
            guard (try? reader.skip(14, "header")) != nil, let type = try? reader.u16BE("protocol") else { return nil }
            return byEtherType(type, reader.unread)
        case .linuxSLL2:
            guard let type = try? reader.u16BE("protocol"), (try? reader.skip(18, "header")) != nil else { return nil }
            return byEtherType(type, reader.unread)
        case .null, .loop:
            // The address family: host order for NULL, network order for LOOP.
            guard let raw = try? reader.u32BE("family") else { return nil }
            let family = linkType == .loop ? raw : (raw > 0xFFFF ? raw.byteSwapped : raw)
            switch family {
            case 2: return (4, reader.unread)
            case 10, 24, 28, 30: return (6, reader.unread)
            default: return nil
            }
        case .raw, .ipv4, .ipv6:
            guard let first = frame.first else { return nil }
            let version = Int(first >> 4)
            return version == 4 || version == 6 ? (version, frame) : nil
        default:
            return nil
        }
    }

    private static func byEtherType(_ type: UInt16, _ rest: ArraySlice<UInt8>) -> (Int, ArraySlice<UInt8>)? {
        switch type {
        case 0x0800: (4, rest)
        case 0x86DD: (6, rest)
        default: nil
        }
    }

    // IPv4 and the TCP/UDP headers are read at fixed offsets, each checked
    // against the frame's length first: this runs once per captured packet,
    // and a reader's sub-slices cost a reference count each.
    static func ipv4(_ packet: ArraySlice<UInt8>, originalLength: Int) -> TransportPacket? {
        guard packet.count >= 20, packet.byte(0) >> 4 == 4 else { return nil }
        let headerLength = Int(packet.byte(0) & 0x0F) * 4
        guard headerLength >= 20, packet.count >= headerLength else { return nil }
        // Only whole datagrams or first fragments carry the transport header.
        guard packet.u16(at: 6) & 0x1FFF == 0 else { return nil }
        // Ethernet pads short frames; TSO captures may say 0 (then take what is there).
        let declared = Int(packet.u16(at: 2)) - headerLength
        let available = packet.count - headerLength
        let body = declared > 0 ? min(declared, available) : available
        return transport(
            packet.byte(9), IPAddressBytes(ipv4: packet.u32(at: 12)), IPAddressBytes(ipv4: packet.u32(at: 16)),
            packet, at: headerLength, count: body, truncatedBy: max(0, declared - body))
    }

    static func ipv6(_ packet: ArraySlice<UInt8>) -> TransportPacket? {
        var reader = ByteReader(packet, pdu: "IPv6")
        guard let first = try? reader.u8("version"), first >> 4 == 6,
            (try? reader.skip(3, "class and flow")) != nil,
            let payloadLength = try? reader.u16BE("payload length"),
            var next = try? reader.u8("next header"),
            (try? reader.skip(1, "hop limit")) != nil,
            let source = try? reader.bytes(16, "source"), let destination = try? reader.bytes(16, "destination")
        else { return nil }
        var remainingPayload = Int(payloadLength)
        // Extension headers: hop-by-hop, routing, destination options; a fragment
        // header is followed only when it starts the datagram.
        for _ in 0..<8 where [0, 43, 60, 44].contains(next) {
            if next == 44 {
                guard let header = try? reader.u8("next header"), (try? reader.skip(1, "reserved")) != nil,
                    let offset = try? reader.u16BE("fragment offset"), (try? reader.skip(4, "id")) != nil,
                    offset >> 3 == 0
                else { return nil }
                next = header
                remainingPayload -= 8
            } else {
                guard let header = try? reader.u8("next header"), let units = try? reader.u8("length") else { return nil }
                let length = (Int(units) + 1) * 8
                guard (try? reader.skip(length - 2, "extension")) != nil else { return nil }
                next = header
                remainingPayload -= length
            }
        }
        let body = remainingPayload > 0 ? min(remainingPayload, reader.remaining) : reader.remaining
        return transport(
            next, IPAddressBytes(source), IPAddressBytes(destination), packet, at: reader.offset, count: body,
            truncatedBy: max(0, remainingPayload - body))
    }

    /// The TCP or UDP header and payload in `packet[at..<at + count]` (offsets from its start).
    static func transport(
        _ proto: UInt8, _ source: IPAddressBytes, _ destination: IPAddressBytes,
        _ packet: ArraySlice<UInt8>, at start: Int, count: Int, truncatedBy missing: Int
    ) -> TransportPacket? {
        let end = packet.startIndex + start + count
        switch proto {
        case 6:
            guard count >= 20 else { return nil }
            let headerLength = Int(packet.byte(start + 12) >> 4) * 4
            guard headerLength >= 20, headerLength <= count else { return nil }
            let flags = packet.byte(start + 13)
            let optionStart = packet.startIndex + start + 20
            return .tcp(
                TCPSegment(
                    source: Endpoint(address: source, port: packet.u16(at: start)),
                    destination: Endpoint(address: destination, port: packet.u16(at: start + 2)),
                    sequence: packet.u32(at: start + 4), acknowledgement: packet.u32(at: start + 8),
                    flags: TCPFlags(rawValue: flags & 0x3F), window: packet.u16(at: start + 14),
                    maximumSegmentSize: flags & 0x02 != 0 ? mss(packet[optionStart..<(optionStart + headerLength - 20)]) : nil,
                    payload: Array(packet[(packet.startIndex + start + headerLength)..<end]), missingPayload: missing))
        case 17:
            guard count >= 8 else { return nil }
            return .udp(
                UDPDatagram(
                    source: Endpoint(address: source, port: packet.u16(at: start)),
                    destination: Endpoint(address: destination, port: packet.u16(at: start + 2)),
                    payload: Array(packet[(packet.startIndex + start + 8)..<end])))
        default:
            return nil
        }
    }

    /// The MSS option (kind 2) among TCP options.
    static func mss(_ options: ArraySlice<UInt8>) -> UInt16? {
        var reader = ByteReader(options, pdu: "TCP options")
        while let kind = try? reader.u8("kind") {
            if kind == 0 { return nil }
            if kind == 1 { continue }
            guard let length = try? reader.u8("length"), length >= 2,
                let value = try? reader.bytes(Int(length) - 2, "value")
            else { return nil }
            if kind == 2, value.count == 2 { return UInt16(value[value.startIndex]) << 8 | UInt16(value[value.startIndex + 1]) }
        }
        return nil
    }
}

/// Big-endian reads at offsets from a slice's start; the caller has checked
/// that the slice is long enough.
extension ArraySlice<UInt8> {
    fileprivate func byte(_ offset: Int) -> UInt8 { self[startIndex + offset] }

    fileprivate func u16(at offset: Int) -> UInt16 {
        UInt16(self[startIndex + offset]) << 8 | UInt16(self[startIndex + offset + 1])
    }

    fileprivate func u32(at offset: Int) -> UInt32 {
        UInt32(u16(at: offset)) << 16 | UInt32(u16(at: offset + 2))
    }
}
