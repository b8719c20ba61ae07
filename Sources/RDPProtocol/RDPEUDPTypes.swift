import RDPWire

// Field types of the RDP-UDP connection initialisation (MS-RDPEUDP 2.2.2).
// Every multi-byte field is in network byte order (MS-RDPEUDP 2.2).

/// RDPUDP_FEC_HEADER uFlags (2.2.2.1). Open: unknown bits are kept and named in hex.
public struct RDPUDPFlags: OptionSet, Hashable, Sendable {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let syn = RDPUDPFlags(rawValue: 0x0001)
    public static let fin = RDPUDPFlags(rawValue: 0x0002)
    public static let ack = RDPUDPFlags(rawValue: 0x0004)
    public static let data = RDPUDPFlags(rawValue: 0x0008)
    public static let fec = RDPUDPFlags(rawValue: 0x0010)
    public static let cn = RDPUDPFlags(rawValue: 0x0020)
    public static let cwr = RDPUDPFlags(rawValue: 0x0040)
    public static let sackOption = RDPUDPFlags(rawValue: 0x0080)
    public static let ackOfAcks = RDPUDPFlags(rawValue: 0x0100)
    public static let synLossy = RDPUDPFlags(rawValue: 0x0200)
    public static let ackDelayed = RDPUDPFlags(rawValue: 0x0400)
    public static let correlationID = RDPUDPFlags(rawValue: 0x0800)
    public static let synEx = RDPUDPFlags(rawValue: 0x1000)

    private static let known: [(RDPUDPFlags, String)] = [
        (.syn, "RDPUDP_FLAG_SYN"), (.fin, "RDPUDP_FLAG_FIN"), (.ack, "RDPUDP_FLAG_ACK"),
        (.data, "RDPUDP_FLAG_DATA"), (.fec, "RDPUDP_FLAG_FEC"), (.cn, "RDPUDP_FLAG_CN"),
        (.cwr, "RDPUDP_FLAG_CWR"), (.sackOption, "RDPUDP_FLAG_SACK_OPTION"),
        (.ackOfAcks, "RDPUDP_FLAG_ACK_OF_ACKS"), (.synLossy, "RDPUDP_FLAG_SYNLOSSY"),
        (.ackDelayed, "RDPUDP_FLAG_ACKDELAYED"), (.correlationID, "RDPUDP_FLAG_CORRELATION_ID"),
        (.synEx, "RDPUDP_FLAG_SYNEX"),
    ]

    /// Spec names of the set bits; unknown bits as one hex value.
    public var names: [String] {
        var names = Self.known.filter { contains($0.0) }.map(\.1)
        let unknown = rawValue & ~Self.known.reduce(0) { $0 | $1.0.rawValue }
        if unknown != 0 { names.append(hexString(unknown)) }
        return names
    }
}

/// uUdpVer of RDPUDP_SYNDATAEX_PAYLOAD (2.2.2.9). Open: a future version is kept.
public struct RDPUDPProtocolVersion: RawRepresentable, Hashable, Sendable {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    /// Windows 8 / Server 2012: 500 ms minimum retransmit time-out.
    public static let version1 = RDPUDPProtocolVersion(rawValue: 0x0001)
    /// Windows 8.1 / Server 2012 R2: 300 ms minimum retransmit time-out.
    public static let version2 = RDPUDPProtocolVersion(rawValue: 0x0002)
    /// Windows 10 1809 / Server 2019: data transfer moves to MS-RDPEUDP2. A
    /// client that offers it must send a cookie hash from the TCP connection.
    public static let version3 = RDPUDPProtocolVersion(rawValue: 0x0101)

    /// MS-RDPEUDP 2.2.2.9's version names: a table, so a name is data.
    private static let names: [UInt16: String] = [
        0x0001: "RDPUDP_PROTOCOL_VERSION_1", 0x0002: "RDPUDP_PROTOCOL_VERSION_2",
        0x0101: "RDPUDP_PROTOCOL_VERSION_3",
    ]

    public var name: String {
        Self.names[rawValue] ?? "unknown RDP-UDP version \(hexString(rawValue))"
    }
}

/// RDPUDP_SYNDATA_PAYLOAD (2.2.2.5): 8 bytes.
public struct RDPUDPSynData: Equatable, Sendable {
    /// Both MTU fields MUST lie in this range (2.2.2.5).
    public static let mtuRange: ClosedRange<UInt16> = 1132...1232
    public static let size = 8

    public var initialSequenceNumber: UInt32
    /// Largest datagram this endpoint generates.
    public var upStreamMTU: UInt16
    /// Largest datagram this endpoint accepts.
    public var downStreamMTU: UInt16

    public init(initialSequenceNumber: UInt32, upStreamMTU: UInt16 = 1232, downStreamMTU: UInt16 = 1232) {
        self.initialSequenceNumber = initialSequenceNumber
        self.upStreamMTU = upStreamMTU
        self.downStreamMTU = downStreamMTU
    }
}

/// RDPUDP_SYNDATAEX_PAYLOAD (2.2.2.9): flags, version, and in a client SYN
/// offering version 3 a 32-byte SHA-256 cookie hash.
public struct RDPUDPSynDataEx: Equatable, Sendable {
    /// RDPUDP_VERSION_INFO_VALID: uUdpVer holds a version.
    public static let versionInfoValid: UInt16 = 0x0001
    public static let cookieHashSize = 32

    /// uSynExFlags as received; bits other than VERSION_INFO_VALID are kept.
    public var synExFlags: UInt16
    /// uUdpVer as received; only meaningful with VERSION_INFO_VALID (see `version`).
    public var udpVersion: UInt16
    public var cookieHash: [UInt8]?

    public init(version: RDPUDPProtocolVersion?, cookieHash: [UInt8]? = nil) {
        self.synExFlags = version == nil ? 0 : Self.versionInfoValid
        self.udpVersion = version?.rawValue ?? 0
        self.cookieHash = cookieHash
    }

    public init(synExFlags: UInt16, udpVersion: UInt16, cookieHash: [UInt8]?) {
        self.synExFlags = synExFlags
        self.udpVersion = udpVersion
        self.cookieHash = cookieHash
    }

    /// The offered or agreed version; nil when the flags say uUdpVer is not valid.
    public var version: RDPUDPProtocolVersion? {
        synExFlags & Self.versionInfoValid != 0 ? RDPUDPProtocolVersion(rawValue: udpVersion) : nil
    }
}
