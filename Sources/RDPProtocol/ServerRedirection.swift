import RDPWire

/// RedirFlags of the server redirection packet (MS-RDPBCGR 2.2.13.1).
public struct RedirectionFlags: OptionSet, Hashable, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let targetNetAddress = RedirectionFlags(rawValue: 0x0000_0001)
    public static let loadBalanceInfo = RedirectionFlags(rawValue: 0x0000_0002)
    public static let userName = RedirectionFlags(rawValue: 0x0000_0004)
    public static let domain = RedirectionFlags(rawValue: 0x0000_0008)
    public static let password = RedirectionFlags(rawValue: 0x0000_0010)
    public static let dontStoreUserName = RedirectionFlags(rawValue: 0x0000_0020)
    public static let smartcardLogon = RedirectionFlags(rawValue: 0x0000_0040)
    public static let noRedirect = RedirectionFlags(rawValue: 0x0000_0080)
    public static let targetFQDN = RedirectionFlags(rawValue: 0x0000_0100)
    public static let targetNetBIOSName = RedirectionFlags(rawValue: 0x0000_0200)
    public static let targetNetAddresses = RedirectionFlags(rawValue: 0x0000_0800)
    public static let clientTSVURL = RedirectionFlags(rawValue: 0x0000_1000)
    public static let serverTSVCapable = RedirectionFlags(rawValue: 0x0000_2000)
    public static let passwordIsPKEncrypted = RedirectionFlags(rawValue: 0x0000_4000)
    public static let redirectionGUID = RedirectionFlags(rawValue: 0x0000_8000)
    public static let targetCertificate = RedirectionFlags(rawValue: 0x0001_0000)
}

/// RDP_SERVER_REDIRECTION_PACKET (2.2.13.1): where a connection broker sends
/// the client. Decoded fields are the ones that say where and as whom; the
/// password cookie is only measured, never kept.
public struct ServerRedirection: Equatable, Sendable {
    public var sessionID: UInt32
    public var flags: RedirectionFlags
    public var targetNetAddress: String?
    /// Opaque broker token, usually "Cookie: msts=…\r\n"; send it back as the
    /// routing token of the next connection request.
    public var loadBalanceInfo: [UInt8]?
    public var userName: String?
    public var domain: String?
    /// Size of the password or cookie blob (its content is not retained).
    public var passwordLength: Int?
    public var targetFQDN: String?
    public var targetNetBIOSName: String?
    public var tsvURL: [UInt8]?
    public var redirectionGUID: [UInt8]?
    public var targetCertificate: [UInt8]?
    public var targetNetAddresses: [String]

    /// Upper bound for any single field, far above anything Windows sends, so
    /// a forged length cannot make us hold large buffers.
    public static let maximumFieldLength = 16 * 1024

    static let pdu = "Server Redirection Packet"

    /// Decodes the packet (from its Flags field); `reader` moves past it.
    public static func decode(from reader: inout ByteReader) throws(WireError) -> ServerRedirection {
        reader.pdu = pdu
        let marker = try reader.u16LE("Flags")
        guard marker == SecurityFlags.redirectionPacket.rawValue else {
            throw reader.error(
                .invalidField(reason: "is \(hexString(marker)), expected SEC_REDIRECTION_PKT (0x0400)"),
                field: "Flags")
        }
        let length = Int(try reader.u16LE("Length"))
        // Length covers the whole packet from Flags; some servers round it, so
        // it is only held to what actually arrived.
        guard length >= 12 else {
            throw reader.error(.invalidField(reason: "\(length) is shorter than the 12-byte fixed part"), field: "Length")
        }
        try reader.check(declaredLength: length - 4, "Length")
        var body = try reader.subReader(length: length - 4, "Length")

        var packet = ServerRedirection(
            sessionID: try body.u32LE("SessionID"),
            flags: RedirectionFlags(rawValue: try body.u32LE("RedirFlags")),
            targetNetAddresses: [])
        let flags = packet.flags
        if flags.contains(.targetNetAddress) {
            packet.targetNetAddress = UTF16LE.decodeUntilNUL(try field(&body, "TargetNetAddress"))
        }
        if flags.contains(.loadBalanceInfo) { packet.loadBalanceInfo = Array(try field(&body, "LoadBalanceInfo")) }
        if flags.contains(.userName) { packet.userName = UTF16LE.decodeUntilNUL(try field(&body, "UserName")) }
        if flags.contains(.domain) { packet.domain = UTF16LE.decodeUntilNUL(try field(&body, "Domain")) }
        if flags.contains(.password) { packet.passwordLength = try field(&body, "Password").count }
        if flags.contains(.targetFQDN) { packet.targetFQDN = UTF16LE.decodeUntilNUL(try field(&body, "TargetFQDN")) }
        if flags.contains(.targetNetBIOSName) {
            packet.targetNetBIOSName = UTF16LE.decodeUntilNUL(try field(&body, "TargetNetBiosName"))
        }
        if flags.contains(.clientTSVURL) { packet.tsvURL = Array(try field(&body, "TsvUrl")) }
        if flags.contains(.redirectionGUID) { packet.redirectionGUID = Array(try field(&body, "RedirectionGuid")) }
        if flags.contains(.targetCertificate) {
            packet.targetCertificate = Array(try field(&body, "TargetCertificate"))
        }
        if flags.contains(.targetNetAddresses) {
            var list = ByteReader(try field(&body, "TargetNetAddresses"), pdu: pdu)
            let count = Int(try list.u32LE("addressCount"))
            guard count <= list.remaining / 4 else {
                throw list.error(
                    .lengthExceedsAvailable(declared: count * 4, available: list.remaining),
                    field: "addressCount")
            }
            for _ in 0..<count {
                packet.targetNetAddresses.append(UTF16LE.decodeUntilNUL(try field(&list, "TargetNetAddress")))
            }
        }
        return packet
    }

    /// A 32-bit length followed by that many bytes, bounded by what arrived
    /// and by `maximumFieldLength`.
    private static func field(_ reader: inout ByteReader, _ name: String) throws(WireError) -> ArraySlice<UInt8> {
        let length = Int(try reader.u32LE(name + "Length"))
        try reader.check(declaredLength: length, name + "Length")
        guard length <= maximumFieldLength else {
            throw reader.error(.tooLarge(value: length, limit: maximumFieldLength), field: name + "Length")
        }
        return try reader.bytes(length, name)
    }
}
