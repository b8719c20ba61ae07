import RDPWire

/// Server early capability flags in TS_UD_SC_CORE (2.2.1.4.2).
public struct ServerEarlyCapabilityFlags: OptionSet, Hashable, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let edgeActionsSupportedV1 = ServerEarlyCapabilityFlags(rawValue: 0x01)
    public static let dynamicDSTSupported = ServerEarlyCapabilityFlags(rawValue: 0x02)
    public static let edgeActionsSupportedV2 = ServerEarlyCapabilityFlags(rawValue: 0x04)
    public static let skipChannelJoinSupported = ServerEarlyCapabilityFlags(rawValue: 0x08)
}

/// Server Core Data, TS_UD_SC_CORE (2.2.1.4.2).
public struct ServerCoreData: Equatable, Sendable {
    public var version: RDPVersion
    /// Echo of what the client asked for in RDP_NEG_REQ; absent from old servers.
    public var clientRequestedProtocols: SecurityProtocols?
    public var earlyCapabilityFlags: ServerEarlyCapabilityFlags?

    public init(
        version: RDPVersion, clientRequestedProtocols: SecurityProtocols? = nil,
        earlyCapabilityFlags: ServerEarlyCapabilityFlags? = nil
    ) {
        self.version = version
        self.clientRequestedProtocols = clientRequestedProtocols
        self.earlyCapabilityFlags = earlyCapabilityFlags
    }

    static func decode(_ reader: inout ByteReader) throws(WireError) -> ServerCoreData {
        let version = RDPVersion(rawValue: try reader.u32LE("version"))
        var core = ServerCoreData(version: version)
        if reader.remaining >= 4 {
            core.clientRequestedProtocols = SecurityProtocols(rawValue: try reader.u32LE("clientRequestedProtocols"))
        }
        if reader.remaining >= 4 {
            core.earlyCapabilityFlags = ServerEarlyCapabilityFlags(rawValue: try reader.u32LE("earlyCapabilityFlags"))
        }
        return core
    }
}

/// Server Security Data, TS_UD_SC_SEC1 (2.2.1.4.3). Under TLS or CredSSP the
/// method and level are 0 and nothing follows.
public struct ServerSecurityData: Equatable, Sendable {
    /// A single method (or none) chosen from those the client offered.
    public var encryptionMethod: EncryptionMethods
    public var encryptionLevel: EncryptionLevel
    public var serverRandom: [UInt8]
    public var certificate: ServerCertificate?

    public init(
        encryptionMethod: EncryptionMethods, encryptionLevel: EncryptionLevel,
        serverRandom: [UInt8] = [], certificate: ServerCertificate? = nil
    ) {
        self.encryptionMethod = encryptionMethod
        self.encryptionLevel = encryptionLevel
        self.serverRandom = serverRandom
        self.certificate = certificate
    }

    static func decode(_ reader: inout ByteReader) throws(WireError) -> ServerSecurityData {
        var data = ServerSecurityData(
            encryptionMethod: EncryptionMethods(rawValue: try reader.u32LE("encryptionMethod")),
            encryptionLevel: EncryptionLevel(rawValue: try reader.u32LE("encryptionLevel")),
            serverRandom: [], certificate: nil)
        guard !reader.isAtEnd else { return data }
        let randomLength = Int(try reader.u32LE("serverRandomLen"))
        let certificateLength = Int(try reader.u32LE("serverCertLen"))
        try reader.check(declaredLength: randomLength, "serverRandomLen")
        data.serverRandom = Array(try reader.bytes(randomLength, "serverRandom"))
        try reader.check(declaredLength: certificateLength, "serverCertLen")
        let certificate = try reader.bytes(certificateLength, "serverCertificate")
        if !certificate.isEmpty {
            data.certificate = try ServerCertificate.decode(certificate)
        }
        return data
    }
}

/// Server Network Data, TS_UD_SC_NET (2.2.1.4.4): the I/O channel and the ids
/// of the static virtual channels, in the order the client requested them.
public struct ServerNetworkData: Equatable, Sendable {
    public var ioChannelID: UInt16
    public var channelIDs: [UInt16]

    public init(ioChannelID: UInt16, channelIDs: [UInt16]) {
        self.ioChannelID = ioChannelID
        self.channelIDs = channelIDs
    }

    static func decode(_ reader: inout ByteReader) throws(WireError) -> ServerNetworkData {
        let io = try reader.u16LE("MCSChannelId")
        let count = Int(try reader.u16LE("channelCount"))
        try reader.check(declaredLength: count * 2, "channelCount")
        var ids: [UInt16] = []
        for _ in 0..<count { ids.append(try reader.u16LE("channelIdArray")) }
        return ServerNetworkData(ioChannelID: io, channelIDs: ids)
    }
}

/// TS_UD_SC_MULTITRANSPORT flags (2.2.1.4.6).
public struct MultitransportFlags: OptionSet, Hashable, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let udpFECReliable = MultitransportFlags(rawValue: 0x01)
    public static let udpFECLossy = MultitransportFlags(rawValue: 0x04)
    public static let udpPreferred = MultitransportFlags(rawValue: 0x100)
    public static let softSyncTCPToUDP = MultitransportFlags(rawValue: 0x200)

    /// Whether the server offers any UDP transport.
    public var offersUDP: Bool { !intersection([.udpFECReliable, .udpFECLossy]).isEmpty }
}

/// The server settings blocks of the MCS Connect Response (2.2.1.4), in the
/// order received; unknown blocks are kept by type.
public struct ServerConnectData: Equatable, Sendable {
    public enum Block: Equatable, Sendable {
        case core(ServerCoreData)
        case security(ServerSecurityData)
        case network(ServerNetworkData)
        /// TS_UD_SC_MCS_MSGCHANNEL (2.2.1.4.5): the message channel id.
        case messageChannel(UInt16)
        /// TS_UD_SC_MULTITRANSPORT (2.2.1.4.6).
        case multitransport(MultitransportFlags)
        case unknown(UserDataBlockType, [UInt8])
    }

    public var blocks: [Block]

    public init(blocks: [Block]) { self.blocks = blocks }

    public var core: ServerCoreData? {
        blocks.lazy.compactMap { if case let .core(v) = $0 { v } else { nil } }.first
    }
    public var security: ServerSecurityData? {
        blocks.lazy.compactMap { if case let .security(v) = $0 { v } else { nil } }.first
    }
    public var network: ServerNetworkData? {
        blocks.lazy.compactMap { if case let .network(v) = $0 { v } else { nil } }.first
    }
    public var messageChannelID: UInt16? {
        blocks.lazy.compactMap { if case let .messageChannel(v) = $0 { v } else { nil } }.first
    }
    public var multitransport: MultitransportFlags? {
        blocks.lazy.compactMap { if case let .multitransport(v) = $0 { v } else { nil } }.first
    }

    static let pdu = "Server data blocks"

    public static func decode(_ bytes: ArraySlice<UInt8>) throws(WireError) -> ServerConnectData {
        var reader = ByteReader(bytes, pdu: pdu)
        var blocks: [Block] = []
        while !reader.isAtEnd {
            let type = UserDataBlockType(rawValue: try reader.u16LE("block type"))
            let length = Int(try reader.u16LE("block length"))
            // The length includes the 4-byte header; anything smaller would never advance.
            guard length >= 4 else {
                throw reader.error(
                    .invalidField(reason: "\(length) is shorter than the 4-byte block header"),
                    field: "block length")
            }
            var body = try reader.subReader(
                length: length - 4, "block length",
                pdu: blockName(type))
            switch type {
            case .serverCore: blocks.append(.core(try ServerCoreData.decode(&body)))
            case .serverSecurity: blocks.append(.security(try ServerSecurityData.decode(&body)))
            case .serverNetwork: blocks.append(.network(try ServerNetworkData.decode(&body)))
            case .serverMessageChannel: blocks.append(.messageChannel(try body.u16LE("MCSChannelID")))
            case .serverMultitransport:
                blocks.append(.multitransport(MultitransportFlags(rawValue: try body.u32LE("flags"))))
            default: blocks.append(.unknown(type, Array(body.rest())))
            }
        }
        return ServerConnectData(blocks: blocks)
    }

    static func blockName(_ type: UserDataBlockType) -> String {
        switch type {
        case .serverCore: return "Server Core Data"
        case .serverSecurity: return "Server Security Data"
        case .serverNetwork: return "Server Network Data"
        case .serverMessageChannel: return "Server Message Channel Data"
        case .serverMultitransport: return "Server Multitransport Channel Data"
        default: return "Server data block \(hexString(type.rawValue))"
        }
    }
}
