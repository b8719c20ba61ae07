import RDPWire

// From a captured frame to the TCP segment or UDP datagram inside it. Frames
// that are not IP, or IP that is not TCP or UDP, are skipped (nil), never an
// error: a capture holds all kinds of traffic.

/// An IPv4 or IPv6 address, kept as bytes.
public struct IPAddressBytes: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let bytes: [UInt8]

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public var description: String {
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

    public static func < (lhs: IPAddressBytes, rhs: IPAddressBytes) -> Bool {
        lhs.bytes.lexicographicallyPrecedes(rhs.bytes)
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
        address.bytes.count == 16 ? "[\(address)]:\(port)" : "\(address):\(port)"
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

    static func ipv4(_ packet: ArraySlice<UInt8>, originalLength: Int) -> TransportPacket? {
        var reader = ByteReader(packet, pdu: "IPv4")
        guard let first = try? reader.u8("version"), first >> 4 == 4 else { return nil }
        let headerLength = Int(first & 0x0F) * 4
        guard headerLength >= 20, (try? reader.skip(1, "tos")) != nil,
            let totalLength = try? reader.u16BE("total length"),
            (try? reader.skip(2, "id")) != nil,
            let fragment = try? reader.u16BE("fragment"),
            (try? reader.skip(1, "ttl")) != nil,
            let proto = try? reader.u8("protocol"),
            (try? reader.skip(2, "checksum")) != nil,
            let source = try? reader.bytes(4, "source"), let destination = try? reader.bytes(4, "destination"),
            (try? reader.skip(headerLength - 20, "options")) != nil
        else { return nil }
        // Only whole datagrams or first fragments carry the transport header.
        guard fragment & 0x1FFF == 0 else { return nil }
        // Ethernet pads short frames; TSO captures may say 0 (then take what is there).
        let declared = Int(totalLength) - headerLength
        let body = reader.unread.prefix(declared > 0 ? declared : reader.remaining)
        return transport(
            proto, IPAddressBytes(Array(source)), IPAddressBytes(Array(destination)), body,
            truncatedBy: max(0, declared - body.count))
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
        let body = reader.unread.prefix(remainingPayload > 0 ? remainingPayload : reader.remaining)
        return transport(
            next, IPAddressBytes(Array(source)), IPAddressBytes(Array(destination)), body,
            truncatedBy: max(0, remainingPayload - body.count))
    }

    static func transport(
        _ proto: UInt8, _ source: IPAddressBytes, _ destination: IPAddressBytes,
        _ body: ArraySlice<UInt8>, truncatedBy missing: Int
    ) -> TransportPacket? {
        var reader = ByteReader(body, pdu: "transport")
        switch proto {
        case 6:
            guard let sourcePort = try? reader.u16BE("source port"), let destinationPort = try? reader.u16BE("destination port"),
                let sequence = try? reader.u32BE("sequence"), let ack = try? reader.u32BE("ack"),
                let offsetByte = try? reader.u8("data offset"), let flags = try? reader.u8("flags"),
                let window = try? reader.u16BE("window"), (try? reader.skip(4, "checksum and urgent")) != nil
            else { return nil }
            let headerLength = Int(offsetByte >> 4) * 4
            guard headerLength >= 20, let options = try? reader.bytes(headerLength - 20, "options") else { return nil }
            return .tcp(
                TCPSegment(
                    source: Endpoint(address: source, port: sourcePort),
                    destination: Endpoint(address: destination, port: destinationPort),
                    sequence: sequence, acknowledgement: ack, flags: TCPFlags(rawValue: flags & 0x3F), window: window,
                    maximumSegmentSize: mss(options), payload: Array(reader.rest()), missingPayload: missing))
        case 17:
            guard let sourcePort = try? reader.u16BE("source port"), let destinationPort = try? reader.u16BE("destination port"),
                (try? reader.skip(4, "length and checksum")) != nil
            else { return nil }
            return .udp(
                UDPDatagram(
                    source: Endpoint(address: source, port: sourcePort),
                    destination: Endpoint(address: destination, port: destinationPort),
                    payload: Array(reader.rest())))
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
