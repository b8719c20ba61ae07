import RDPWire

/// The packets of MS-TSGU's HTTP transport (2.2.10): an 8-byte header (type,
/// reserved, packet length, all little-endian), then the body. The client's
/// packets are built here; the gateway's are read into typed values. Result
/// codes are kept raw (`GatewayResult`): what a number means is catalogue data.
public enum TSGU {
    /// The largest packet read: a DATA packet carries at most 65,535 bytes.
    public static let maximumPacket = 8 + 2 + 0xFFFF

    public struct PacketType: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
        public let rawValue: UInt16
        public init(rawValue: UInt16) { self.rawValue = rawValue }

        public static let handshakeRequest = PacketType(rawValue: 0x1)
        public static let handshakeResponse = PacketType(rawValue: 0x2)
        public static let extendedAuth = PacketType(rawValue: 0x3)
        public static let tunnelCreate = PacketType(rawValue: 0x4)
        public static let tunnelResponse = PacketType(rawValue: 0x5)
        public static let tunnelAuth = PacketType(rawValue: 0x6)
        public static let tunnelAuthResponse = PacketType(rawValue: 0x7)
        public static let channelCreate = PacketType(rawValue: 0x8)
        public static let channelResponse = PacketType(rawValue: 0x9)
        public static let data = PacketType(rawValue: 0xA)
        public static let serviceMessage = PacketType(rawValue: 0xB)
        public static let reauth = PacketType(rawValue: 0xC)
        public static let keepalive = PacketType(rawValue: 0xD)
        public static let closeChannel = PacketType(rawValue: 0x10)
        public static let closeChannelResponse = PacketType(rawValue: 0x11)

        public var description: String {
            let names: [UInt16: String] = [
                0x1: "HANDSHAKE_REQUEST", 0x2: "HANDSHAKE_RESPONSE", 0x3: "EXTENDED_AUTH_MSG",
                0x4: "TUNNEL_CREATE", 0x5: "TUNNEL_RESPONSE", 0x6: "TUNNEL_AUTH", 0x7: "TUNNEL_AUTH_RESPONSE",
                0x8: "CHANNEL_CREATE", 0x9: "CHANNEL_RESPONSE", 0xA: "DATA", 0xB: "SERVICE_MESSAGE",
                0xC: "REAUTH_MESSAGE", 0xD: "KEEPALIVE", 0x10: "CLOSE_CHANNEL", 0x11: "CLOSE_CHANNEL_RESPONSE",
            ]
            return names[rawValue] ?? "packet type " + hexString(rawValue)
        }
    }

    /// One packet as it came: its type and body (the header removed).
    public struct Packet: Sendable, Equatable {
        public let type: PacketType
        public let body: [UInt8]
        public init(type: PacketType, body: [UInt8]) {
            self.type = type
            self.body = body
        }
    }

    static func packet(_ type: PacketType, _ body: [UInt8]) -> [UInt8] {
        var w = ByteWriter(capacity: 8 + body.count)
        w.u16LE(type.rawValue)
        w.u16LE(0)
        w.u32LE(UInt32(8 + body.count))
        w.append(body)
        return w.bytes
    }

    // MARK: - What the client sends

    /// HANDSHAKE_REQUEST (2.2.10.10): version 1.0, client version 0, extended auth.
    public static func handshakeRequest(extendedAuth: UInt16 = 0) -> [UInt8] {
        var w = ByteWriter()
        w.u8(1)
        w.u8(0)
        w.u16LE(0)
        w.u16LE(extendedAuth)
        return packet(.handshakeRequest, w.bytes)
    }

    /// TUNNEL_CREATE (2.2.10.18) without a PAA cookie.
    public static func tunnelCreate(capabilities: UInt32) -> [UInt8] {
        var w = ByteWriter()
        w.u32LE(capabilities)
        w.u16LE(0)
        w.u16LE(0)
        return packet(.tunnelCreate, w.bytes)
    }

    /// TUNNEL_AUTH (2.2.10.14): the client's name, NUL-terminated UTF-16LE.
    public static func tunnelAuth(clientName: String) -> [UInt8] {
        let name = UTF16LE.encode(String(clientName.prefix(64))) + [0, 0]
        var w = ByteWriter()
        w.u16LE(0)
        w.u16LE(UInt16(name.count))
        w.append(name)
        return packet(.tunnelAuth, w.bytes)
    }

    /// CHANNEL_CREATE (2.2.10.2): one resource, no alternates, protocol 3 (RDP).
    public static func channelCreate(host: String, port: UInt16) -> [UInt8] {
        let name = UTF16LE.encode(String(host.prefix(255))) + [0, 0]
        var w = ByteWriter()
        w.u8(1)
        w.u8(0)
        w.u16LE(port)
        w.u16LE(3)
        w.u16LE(UInt16(name.count))
        w.append(name)
        return packet(.channelCreate, w.bytes)
    }

    /// DATA (2.2.10.6): at most 65,535 bytes per packet.
    public static func data(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        precondition(bytes.count <= 0xFFFF, "a DATA packet holds at most 65,535 bytes")
        var w = ByteWriter(capacity: 2 + bytes.count)
        w.u16LE(UInt16(bytes.count))
        w.append(bytes)
        return packet(.data, w.bytes)
    }

    /// KEEPALIVE (2.2.10.9): the header alone.
    public static func keepalive() -> [UInt8] { packet(.keepalive, []) }

    /// CLOSE_CHANNEL (2.2.10.4) and its response (2.2.10.5): a status code.
    public static func closeChannel(status: UInt32 = 0) -> [UInt8] {
        var w = ByteWriter()
        w.u32LE(status)
        return packet(.closeChannel, w.bytes)
    }

    public static func closeChannelResponse(status: UInt32 = 0) -> [UInt8] {
        var w = ByteWriter()
        w.u32LE(status)
        return packet(.closeChannelResponse, w.bytes)
    }
}

/// A gateway's result code (an HRESULT such as E_PROXY_RAP_ACCESSDENIED, or 0),
/// kept raw: the catalogue's `gateway` family names it.
public struct GatewayResult: RawRepresentable, Hashable, Sendable, Codable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    /// An HRESULT fails when its top bit is set; a bare Win32 code (no facility)
    /// other than 0 is a failure too (E_PROXY_CONNECTIONABORTED is 0x4D4).
    public var failed: Bool { rawValue != 0 }
    public var hex: String { hexString(rawValue) }
}

/// Splits a byte stream into TSGU packets; a declared length below the header
/// or above `TSGU.maximumPacket` is a `WireError`, never an allocation.
public struct TSGUFramer: Sendable {
    private var buffer: [UInt8] = []
    public init() {}

    public mutating func append(_ bytes: some Sequence<UInt8>) { buffer.append(contentsOf: bytes) }

    public mutating func next() throws(WireError) -> TSGU.Packet? {
        guard buffer.count >= 8 else { return nil }
        var r = ByteReader(buffer[0..<8], pdu: "TSGU packet header")
        let type = TSGU.PacketType(rawValue: try r.u16LE("type"))
        _ = try r.u16LE("reserved")
        let length = Int(try r.u32LE("packetLength"))
        guard length >= 8 else {
            throw WireError(
                .invalidField(reason: "is \(length), below the 8-byte header"), pdu: "TSGU \(type)",
                field: "packetLength")
        }
        guard length <= TSGU.maximumPacket else {
            throw WireError(.tooLarge(value: length, limit: TSGU.maximumPacket), pdu: "TSGU \(type)", field: "packetLength")
        }
        guard buffer.count >= length else { return nil }
        let body = Array(buffer[8..<length])
        buffer.removeFirst(length)
        return TSGU.Packet(type: type, body: body)
    }

    public var buffered: Int { buffer.count }
}
