import RDPWire

/// Client early capability flags in TS_UD_CS_CORE (2.2.1.3.2).
public struct ClientEarlyCapabilityFlags: OptionSet, Hashable, Sendable {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let supportErrorInfoPDU = ClientEarlyCapabilityFlags(rawValue: 0x0001)
    public static let want32BPPSession = ClientEarlyCapabilityFlags(rawValue: 0x0002)
    public static let supportStatusInfoPDU = ClientEarlyCapabilityFlags(rawValue: 0x0004)
    public static let strongAsymmetricKeys = ClientEarlyCapabilityFlags(rawValue: 0x0008)
    public static let validConnectionType = ClientEarlyCapabilityFlags(rawValue: 0x0020)
    public static let supportMonitorLayoutPDU = ClientEarlyCapabilityFlags(rawValue: 0x0040)
    public static let supportNetCharAutodetect = ClientEarlyCapabilityFlags(rawValue: 0x0080)
    public static let supportDynvcGFXProtocol = ClientEarlyCapabilityFlags(rawValue: 0x0100)
    public static let supportDynamicTimeZone = ClientEarlyCapabilityFlags(rawValue: 0x0200)
    public static let supportHeartbeatPDU = ClientEarlyCapabilityFlags(rawValue: 0x0400)
    public static let supportSkipChannelJoin = ClientEarlyCapabilityFlags(rawValue: 0x0800)
}

/// Client Core Data, TS_UD_CS_CORE (MS-RDPBCGR 2.2.1.3.2). Always written up to
/// and including serverSelectedProtocol; the later display fields are omitted.
public struct ClientCoreData: Equatable, Sendable {
    public var version: RDPVersion = .rdp10_12
    public var desktopWidth: UInt16 = 1024
    public var desktopHeight: UInt16 = 768
    /// RNS_UD_COLOR_8BPP; superseded by highColorDepth.
    public var colorDepth: UInt16 = 0xCA01
    /// RNS_UD_SAS_DEL, the only defined value.
    public var sasSequence: UInt16 = 0xAA03
    public var keyboardLayout: UInt32 = 0x0409
    public var clientBuild: UInt32 = 2600
    /// Up to 15 characters; longer names are cut.
    public var clientName: String = "rdpdoctor"
    /// IBM enhanced (101/102-key).
    public var keyboardType: UInt32 = 4
    public var keyboardSubType: UInt32 = 0
    public var keyboardFunctionKeys: UInt32 = 12
    public var imeFileName: String = ""
    public var postBeta2ColorDepth: UInt16 = 0xCA01
    public var clientProductID: UInt16 = 1
    public var serialNumber: UInt32 = 0
    public var highColorDepth: UInt16 = 24
    /// RNS_UD_24BPP_SUPPORT | 16BPP | 15BPP | 32BPP.
    public var supportedColorDepths: UInt16 = 0x000F
    public var earlyCapabilityFlags: ClientEarlyCapabilityFlags = [.supportErrorInfoPDU]
    public var clientDigProductID: String = ""
    /// Only meaningful with `.validConnectionType`; 6 is LAN, 7 auto-detect.
    public var connectionType: UInt8 = 0
    /// Must echo the protocol the server selected in the connection confirm.
    public var serverSelectedProtocol: SecurityProtocols = .rdp
    /// How far the optional tail goes: all of it in a value built to be sent;
    /// as the client wrote it in a decoded one (nil: only the mandatory part).
    public internal(set) var lastFieldPresent: OptionalField? = .serverSelectedProtocol

    public init() {}

    /// Body without the TS_UD_HEADER (212 bytes).
    func encodeBody() -> [UInt8] {
        var w = ByteWriter(capacity: 212)
        w.u32LE(version.rawValue)
        w.u16LE(desktopWidth)
        w.u16LE(desktopHeight)
        w.u16LE(colorDepth)
        w.u16LE(sasSequence)
        w.u32LE(keyboardLayout)
        w.u32LE(clientBuild)
        w.append(UTF16LE.fixed(clientName, byteCount: 32))
        w.u32LE(keyboardType)
        w.u32LE(keyboardSubType)
        w.u32LE(keyboardFunctionKeys)
        w.append(UTF16LE.fixed(imeFileName, byteCount: 64))
        w.u16LE(postBeta2ColorDepth)
        w.u16LE(clientProductID)
        w.u32LE(serialNumber)
        w.u16LE(highColorDepth)
        w.u16LE(supportedColorDepths)
        w.u16LE(earlyCapabilityFlags.rawValue)
        w.append(UTF16LE.fixed(clientDigProductID, byteCount: 64))
        w.u8(connectionType)
        w.u8(0)  // pad1octet
        w.u32LE(serverSelectedProtocol.rawValue)
        return w.bytes
    }
}

/// Client Security Data, TS_UD_CS_SEC (2.2.1.3.3). Under TLS or CredSSP the
/// methods are ignored by the server but still sent.
public struct ClientSecurityData: Equatable, Sendable {
    public var encryptionMethods: EncryptionMethods
    /// Only for the French locale; otherwise 0.
    public var extEncryptionMethods: UInt32

    public init(encryptionMethods: EncryptionMethods = .all, extEncryptionMethods: UInt32 = 0) {
        self.encryptionMethods = encryptionMethods
        self.extEncryptionMethods = extEncryptionMethods
    }

    func encodeBody() -> [UInt8] {
        var w = ByteWriter(capacity: 8)
        w.u32LE(encryptionMethods.rawValue)
        w.u32LE(extEncryptionMethods)
        return w.bytes
    }
}

/// CHANNEL_DEF options (2.2.1.3.4.1).
public struct ChannelOptions: OptionSet, Hashable, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let initialized = ChannelOptions(rawValue: 0x8000_0000)
    public static let encryptRDP = ChannelOptions(rawValue: 0x4000_0000)
    public static let encryptSC = ChannelOptions(rawValue: 0x2000_0000)
    public static let encryptCS = ChannelOptions(rawValue: 0x1000_0000)
    public static let priorityHigh = ChannelOptions(rawValue: 0x0800_0000)
    public static let priorityMedium = ChannelOptions(rawValue: 0x0400_0000)
    public static let priorityLow = ChannelOptions(rawValue: 0x0200_0000)
    public static let compressRDP = ChannelOptions(rawValue: 0x0080_0000)
    public static let compress = ChannelOptions(rawValue: 0x0040_0000)
    public static let showProtocol = ChannelOptions(rawValue: 0x0020_0000)
    public static let remoteControlPersistent = ChannelOptions(rawValue: 0x0010_0000)
}

/// One static virtual channel request (CHANNEL_DEF, 2.2.1.3.4.1).
public struct ChannelDefinition: Equatable, Sendable {
    /// 1 to 7 ASCII characters, e.g. "rdpdr", "cliprdr".
    public var name: String
    public var options: ChannelOptions

    public init(name: String, options: ChannelOptions) {
        self.name = name
        self.options = options
    }
}

/// Client Network Data, TS_UD_CS_NET (2.2.1.3.4); an empty list is valid.
public struct ClientNetworkData: Equatable, Sendable {
    public static let maximumChannelCount = 31
    public var channels: [ChannelDefinition]

    public init(channels: [ChannelDefinition] = []) { self.channels = channels }

    func encodeBody() throws(WireError) -> [UInt8] {
        let pdu = "Client Network Data"
        guard channels.count <= Self.maximumChannelCount else {
            throw WireError(.tooLarge(value: channels.count, limit: Self.maximumChannelCount), pdu: pdu, field: "channelCount")
        }
        var w = ByteWriter(capacity: 4 + 12 * channels.count)
        w.u32LE(UInt32(channels.count))
        for channel in channels {
            let name = Array(channel.name.utf8)
            guard (1...7).contains(name.count), name.allSatisfy({ $0 > 0 && $0 < 0x80 }) else {
                throw WireError(
                    .invalidField(reason: "\"\(channel.name)\" must be 1 to 7 ASCII characters"),
                    pdu: pdu, field: "channel name")
            }
            w.append(name)
            w.zeros(8 - name.count)
            w.u32LE(channel.options.rawValue)
        }
        return w.bytes
    }
}

/// TS_UD_CS_CLUSTER flags (2.2.1.3.5); bits 2–5 hold the redirection version.
public struct ClusterFlags: OptionSet, Hashable, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let redirectionSupported = ClusterFlags(rawValue: 0x01)
    public static let redirectedSessionIDFieldValid = ClusterFlags(rawValue: 0x02)
    public static let redirectedSmartcard = ClusterFlags(rawValue: 0x40)

    /// REDIRECTION_VERSION1 is 0 … REDIRECTION_VERSION6 is 5.
    public static func redirectionVersion(_ version: UInt32) -> ClusterFlags {
        ClusterFlags(rawValue: (version & 0x0F) << 2)
    }
}

/// Client Cluster Data, TS_UD_CS_CLUSTER (2.2.1.3.5): says the client can
/// follow a Server Redirection PDU from a connection broker.
public struct ClientClusterData: Equatable, Sendable {
    public var flags: ClusterFlags
    public var redirectedSessionID: UInt32

    /// By default: redirection supported, REDIRECTION_VERSION4 (as Windows 7+ clients).
    public init(flags: ClusterFlags = [.redirectionSupported, .redirectionVersion(3)], redirectedSessionID: UInt32 = 0) {
        self.flags = flags
        self.redirectedSessionID = redirectedSessionID
    }

    func encodeBody() -> [UInt8] {
        var w = ByteWriter(capacity: 8)
        w.u32LE(flags.rawValue)
        w.u32LE(redirectedSessionID)
        return w.bytes
    }
}
