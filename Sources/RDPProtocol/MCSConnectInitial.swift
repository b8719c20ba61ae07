import RDPWire

/// MCS DomainParameters (T.125 section 7, part 2), as sent in Connect-Initial
/// and returned in Connect-Response.
public struct DomainParameters: Equatable, Sendable {
    public var maxChannelIDs: UInt32
    public var maxUserIDs: UInt32
    public var maxTokenIDs: UInt32
    public var numPriorities: UInt32
    public var minThroughput: UInt32
    public var maxHeight: UInt32
    public var maxMCSPDUSize: UInt32
    public var protocolVersion: UInt32

    public init(
        maxChannelIDs: UInt32, maxUserIDs: UInt32, maxTokenIDs: UInt32, numPriorities: UInt32,
        minThroughput: UInt32, maxHeight: UInt32, maxMCSPDUSize: UInt32, protocolVersion: UInt32
    ) {
        self.maxChannelIDs = maxChannelIDs
        self.maxUserIDs = maxUserIDs
        self.maxTokenIDs = maxTokenIDs
        self.numPriorities = numPriorities
        self.minThroughput = minThroughput
        self.maxHeight = maxHeight
        self.maxMCSPDUSize = maxMCSPDUSize
        self.protocolVersion = protocolVersion
    }

    // The three sets a client sends (MS-RDPBCGR 3.2.5.3.3).
    public static let clientTarget = DomainParameters(
        maxChannelIDs: 34, maxUserIDs: 2, maxTokenIDs: 0, numPriorities: 1,
        minThroughput: 0, maxHeight: 1, maxMCSPDUSize: 65535, protocolVersion: 2)
    public static let clientMinimum = DomainParameters(
        maxChannelIDs: 1, maxUserIDs: 1, maxTokenIDs: 1, numPriorities: 1,
        minThroughput: 0, maxHeight: 1, maxMCSPDUSize: 1056, protocolVersion: 2)
    public static let clientMaximum = DomainParameters(
        maxChannelIDs: 65535, maxUserIDs: 64535, maxTokenIDs: 65535,
        numPriorities: 1, minThroughput: 0, maxHeight: 1,
        maxMCSPDUSize: 65535, protocolVersion: 2)

    func encode(into writer: inout ByteWriter) {
        var body = ByteWriter(capacity: 32)
        for value in [
            maxChannelIDs, maxUserIDs, maxTokenIDs, numPriorities,
            minThroughput, maxHeight, maxMCSPDUSize, protocolVersion,
        ] {
            body.berInteger(value)
        }
        writer.u8(BERTag.sequence)
        writer.berLength(body.count)
        writer.append(body.bytes)
    }

    static func decode(from reader: inout ByteReader) throws(WireError) -> DomainParameters {
        var seq = try reader.berContents(BERTag.sequence, "domainParameters")
        return DomainParameters(
            maxChannelIDs: try seq.berUnsigned(BERTag.integer, "maxChannelIds"),
            maxUserIDs: try seq.berUnsigned(BERTag.integer, "maxUserIds"),
            maxTokenIDs: try seq.berUnsigned(BERTag.integer, "maxTokenIds"),
            numPriorities: try seq.berUnsigned(BERTag.integer, "numPriorities"),
            minThroughput: try seq.berUnsigned(BERTag.integer, "minThroughput"),
            maxHeight: try seq.berUnsigned(BERTag.integer, "maxHeight"),
            maxMCSPDUSize: try seq.berUnsigned(BERTag.integer, "maxMCSPDUsize"),
            protocolVersion: try seq.berUnsigned(BERTag.integer, "protocolVersion"))
    }
}

/// The client settings blocks of the basic settings exchange (2.2.1.3),
/// written in the order Windows uses: core, cluster, security, network.
public struct ClientConnectData: Equatable, Sendable {
    public var core: ClientCoreData
    public var cluster: ClientClusterData?
    public var security: ClientSecurityData
    public var network: ClientNetworkData?

    public init(
        core: ClientCoreData = ClientCoreData(),
        cluster: ClientClusterData? = ClientClusterData(),
        security: ClientSecurityData = ClientSecurityData(),
        network: ClientNetworkData? = ClientNetworkData()
    ) {
        self.core = core
        self.cluster = cluster
        self.security = security
        self.network = network
    }

    /// A probe client: echoes the selected protocol and offers the given methods.
    public static func probe(
        selectedProtocol: SecurityProtocols,
        encryptionMethods: EncryptionMethods = .all,
        clientName: String = "rdpdoctor"
    ) -> ClientConnectData {
        var core = ClientCoreData()
        core.serverSelectedProtocol = selectedProtocol
        core.clientName = clientName
        return ClientConnectData(core: core, security: ClientSecurityData(encryptionMethods: encryptionMethods))
    }

    /// The concatenated user data blocks.
    public func encodeBlocks() throws(WireError) -> [UInt8] {
        var w = ByteWriter(capacity: 300)
        w.userDataBlock(.clientCore, core.encodeBody())
        if let cluster { w.userDataBlock(.clientCluster, cluster.encodeBody()) }
        w.userDataBlock(.clientSecurity, security.encodeBody())
        if let network { w.userDataBlock(.clientNetwork, try network.encodeBody()) }
        return w.bytes
    }
}

/// T.124's object identifier for GCC, {itu-t(0) recommendation(0) t(20) t124(124) version(0) 1},
/// which opens ConnectData in both directions.
let t124Identifier: [UInt8] = [0x00, 0x05, 0x00, 0x14, 0x7C, 0x00, 0x01]

/// Client MCS Connect Initial PDU with GCC Conference Create Request
/// (MS-RDPBCGR 2.2.1.3; T.125 Connect-Initial in BER, T.124 in PER).
public struct MCSConnectInitial: Equatable, Sendable {
    public var clientData: ClientConnectData
    public var targetParameters: DomainParameters = .clientTarget
    public var minimumParameters: DomainParameters = .clientMinimum
    public var maximumParameters: DomainParameters = .clientMaximum

    public init(clientData: ClientConnectData) {
        self.clientData = clientData
    }

    static let pdu = "MCS Connect Initial"

    /// The whole TPKT frame to send.
    public func encode() throws(WireError) -> [UInt8] {
        let blocks = try clientData.encodeBlocks()
        guard blocks.count <= perMaximumLength - 32 else {
            throw WireError(.tooLarge(value: blocks.count, limit: perMaximumLength - 32), pdu: Self.pdu, field: "user data")
        }
        let gcc = Self.conferenceCreateRequest(userData: blocks)

        var body = ByteWriter(capacity: gcc.count + 100)
        body.berOctetString([0x01])  // callingDomainSelector
        body.berOctetString([0x01])  // calledDomainSelector
        body.berBoolean(true)  // upwardFlag
        targetParameters.encode(into: &body)
        minimumParameters.encode(into: &body)
        maximumParameters.encode(into: &body)
        body.berOctetString(gcc)  // userData

        var mcs = ByteWriter(capacity: body.count + 5)
        mcs.u8(0x7F); mcs.u8(0x65)  // [APPLICATION 101] Connect-Initial
        mcs.berLength(body.count)
        mcs.append(body.bytes)
        guard mcs.count + 7 <= 0xFFFF else {
            throw WireError(.tooLarge(value: mcs.count + 7, limit: 0xFFFF), pdu: Self.pdu, field: "TPKT length")
        }
        return X224Data.frame(mcs.bytes)
    }

    /// GCC ConnectData carrying a ConferenceCreateRequest (T.124 8.7, PER) with
    /// the client blocks as h221NonStandard user data keyed "Duca".
    static func conferenceCreateRequest(userData: [UInt8]) -> [UInt8] {
        var request = ByteWriter(capacity: userData.count + 16)
        request.append([
            0x00,  // ConnectGCCPDU: conferenceCreateRequest
            0x08,  // optional fields: only userData present
            0x00, 0x10,  // conferenceName: numeric "1"
            0x00,  // lockedConference, listedConference, conductible FALSE; terminationMethod automatic
            0x01,  // userData: one set member
            0xC0,  // value present, key is h221NonStandard
            0x00,  // h221NonStandard length (4 + 0)
        ])
        request.append("Duca".utf8)  // client-to-server key
        request.perLength(userData.count)
        request.append(userData)

        var connectData = ByteWriter(capacity: request.count + 10)
        connectData.append(t124Identifier)
        connectData.perLength(request.count)  // connectPDU length
        connectData.append(request.bytes)
        return connectData.bytes
    }
}
