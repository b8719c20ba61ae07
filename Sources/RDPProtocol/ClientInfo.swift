import RDPWire

/// TS_INFO_PACKET flags (MS-RDPBCGR 2.2.1.11.1.1).
public struct ClientInfoFlags: OptionSet, Hashable, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let mouse = ClientInfoFlags(rawValue: 0x0000_0001)
    public static let disableCtrlAltDel = ClientInfoFlags(rawValue: 0x0000_0002)
    public static let autologon = ClientInfoFlags(rawValue: 0x0000_0008)
    public static let unicode = ClientInfoFlags(rawValue: 0x0000_0010)
    public static let maximizeShell = ClientInfoFlags(rawValue: 0x0000_0020)
    public static let logonNotify = ClientInfoFlags(rawValue: 0x0000_0040)
    public static let compression = ClientInfoFlags(rawValue: 0x0000_0080)
    public static let enableWindowsKey = ClientInfoFlags(rawValue: 0x0000_0100)
    public static let remoteConsoleAudio = ClientInfoFlags(rawValue: 0x0000_2000)
    public static let forceEncryptedCSPDU = ClientInfoFlags(rawValue: 0x0000_4000)
    public static let rail = ClientInfoFlags(rawValue: 0x0000_8000)
    public static let logonErrors = ClientInfoFlags(rawValue: 0x0001_0000)
    public static let mouseHasWheel = ClientInfoFlags(rawValue: 0x0002_0000)
    public static let passwordIsSmartcardPIN = ClientInfoFlags(rawValue: 0x0004_0000)
    public static let noAudioPlayback = ClientInfoFlags(rawValue: 0x0008_0000)
    public static let usingSavedCredentials = ClientInfoFlags(rawValue: 0x0010_0000)
    public static let audioCapture = ClientInfoFlags(rawValue: 0x0020_0000)
    public static let videoDisable = ClientInfoFlags(rawValue: 0x0040_0000)
    public static let hiDefRailSupported = ClientInfoFlags(rawValue: 0x0200_0000)

    /// What a no-credentials probe sends: Unicode strings, asks for logon
    /// notifications and logon errors, no autologon.
    public static let probe: ClientInfoFlags = [
        .mouse, .disableCtrlAltDel, .unicode, .maximizeShell,
        .logonNotify, .enableWindowsKey, .logonErrors, .mouseHasWheel,
    ]
}

/// Client Info PDU (2.2.1.11): a basic security header with SEC_INFO_PKT and
/// TS_INFO_PACKET (2.2.1.11.1.1) with its extended part (2.2.1.11.1.1.1), ending
/// after cbAutoReconnectCookie. Strings are UTF-16LE. Under standard RDP
/// security with encryption the caller seals `infoPacket()` instead.
public struct ClientInfoPDU: Equatable, Sendable {
    public var codePage: UInt32 = 0
    public var flags: ClientInfoFlags = .probe
    public var domain: String = ""
    public var userName: String = ""
    /// Empty by default: a probe never sends a password.
    public var password: String = ""
    public var alternateShell: String = ""
    public var workingDirectory: String = ""
    /// AF_INET (2) or AF_INET6 (0x17).
    public var clientAddressFamily: UInt16 = 0x0002
    public var clientAddress: String = ""
    public var clientDirectory: String = ""
    public var clientSessionID: UInt32 = 0
    /// PERF_DISABLE_WALLPAPER | PERF_DISABLE_FULLWINDOWDRAG | PERF_DISABLE_MENUANIMATIONS.
    public var performanceFlags: UInt32 = 0x0000_0007

    public init() {}

    static let pdu = "Client Info PDU"
    /// Domain is limited to 52 bytes and the others to 512, terminator included.
    static let limits: [(String, Int)] = [
        ("Domain", 52), ("UserName", 512), ("Password", 512),
        ("AlternateShell", 512), ("WorkingDir", 512),
    ]

    /// Security header plus info packet: the userData of a Send Data Request
    /// to the I/O channel.
    public func encode() throws(WireError) -> [UInt8] {
        SecurityHeader(flags: .infoPacket).encodeBasic() + (try infoPacket())
    }

    /// TS_INFO_PACKET alone: what standard RDP security encrypts behind its
    /// own security header (SEC_INFO_PKT | SEC_ENCRYPT and the MAC).
    public func infoPacket() throws(WireError) -> [UInt8] {
        let strings = [domain, userName, password, alternateShell, workingDirectory].map(UTF16LE.encode)
        for (bytes, limit) in zip(strings, Self.limits) where bytes.count + 2 > limit.1 {
            throw WireError(.tooLarge(value: bytes.count + 2, limit: limit.1), pdu: Self.pdu, field: limit.0)
        }
        var w = ByteWriter(capacity: 512)
        w.u32LE(codePage)
        w.u32LE(flags.rawValue)
        for bytes in strings { w.u16LE(UInt16(bytes.count)) }  // cb* exclude the terminator
        for bytes in strings { w.append(bytes); w.u16LE(0) }

        let address = UTF16LE.encode(clientAddress) + [0, 0]
        let directory = UTF16LE.encode(clientDirectory) + [0, 0]
        guard address.count <= 80, directory.count <= 512 else {
            throw WireError(
                .tooLarge(value: max(address.count, directory.count), limit: address.count > 80 ? 80 : 512),
                pdu: Self.pdu, field: address.count > 80 ? "clientAddress" : "clientDir")
        }
        w.u16LE(clientAddressFamily)
        w.u16LE(UInt16(address.count))  // cbClientAddress includes the terminator
        w.append(address)
        w.u16LE(UInt16(directory.count))  // cbClientDir includes the terminator
        w.append(directory)
        w.zeros(172)  // clientTimeZone: UTC, no daylight rules
        w.u32LE(clientSessionID)
        w.u32LE(performanceFlags)
        w.u16LE(0)  // cbAutoReconnectCookie
        return w.bytes
    }

    /// The whole TPKT frame: Send Data Request from `userID` to the I/O channel.
    public func frame(userID: UInt16, ioChannelID: UInt16) throws(WireError) -> [UInt8] {
        try MCSRequest.sendData(userID: userID, channelID: ioChannelID, userData: try encode())
    }
}
