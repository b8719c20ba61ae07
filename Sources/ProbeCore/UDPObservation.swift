import RDPProtocol

/// What the UDP transport probe (MS-RDPEUDP SYN → SYN+ACK) saw. A client that
/// gets no SYN+ACK silently stays on TCP, so every outcome but `.synAck` means
/// "UDP not used", and the outcome says why as far as the network lets us tell.
public struct UDPObservation: Codable, Sendable, Equatable {
    public enum Outcome: Codable, Sendable, Equatable {
        /// A valid SYN+ACK acknowledging our SYN: RDP-UDP is available.
        case synAck
        /// Nothing came back after every retransmission: filtered, dropped, or no
        /// listener on a host that sends no ICMP. Indistinguishable on UDP.
        case noAnswer
        /// ICMP port unreachable (seen as ECONNREFUSED on the connected socket):
        /// the host is there and nothing listens on the UDP port.
        case icmpUnreachable
        /// Something answered, but not with a SYN+ACK for our SYN; the reason says what was wrong.
        case malformed(String)
        /// The datagram could not be sent or the network reported the host or
        /// network unreachable (ICMP host/net unreachable, no route).
        case unreachable(String)
    }

    /// The address the SYN went to (set by the transport), and the UDP port.
    public var address: String?
    public var port: UInt16
    /// SYN datagrams sent, retransmissions included.
    public var attempts: Int = 0
    /// From the last SYN sent before the answer to the answer. With retransmissions
    /// the answer may belong to an earlier SYN (Karn's ambiguity), so this is a lower bound.
    public var rttMs: Double?
    /// From the first SYN to the answer, or to giving up.
    public var elapsedMs: Double?
    public var outcome: Outcome = .noAnswer
    /// The version we offered in SYNDATAEX (nil: none, which means version 1).
    public var offeredVersion: UInt16?
    /// The server's SYN+ACK, when one was decoded.
    public var server: UDPServerParameters?
    /// Size of the answering datagram and its first bytes, to name what answered.
    public var answerLength: Int?
    public var answerPrefix: HexBytes?

    public init(port: UInt16, address: String? = nil) {
        self.port = port
        self.address = address
    }

    /// True when a client would open the UDP transport.
    public var udpAvailable: Bool { outcome == .synAck }
}

/// The fields of the server's SYN+ACK a diagnosis can use.
public struct UDPServerParameters: Codable, Sendable, Equatable {
    public var initialSequenceNumber: UInt32
    public var receiveWindowSize: UInt16
    public var upStreamMTU: UInt16
    public var downStreamMTU: UInt16
    /// uFlags as received, unknown bits included, and their spec names.
    public var flags: UInt16
    public var flagNames: [String]
    /// The agreed uUdpVer (nil: no SYNDATAEX or VERSION_INFO_VALID unset, i.e. version 1).
    public var version: UInt16?
    public var versionName: String?
    /// The server chose the lossy mode (RDPUDP_FLAG_SYNLOSSY).
    public var lossy: Bool

    public init(_ synAck: RDPUDPSynDatagram) {
        initialSequenceNumber = synAck.synData.initialSequenceNumber
        receiveWindowSize = synAck.receiveWindowSize
        upStreamMTU = synAck.synData.upStreamMTU
        downStreamMTU = synAck.synData.downStreamMTU
        flags = synAck.flags.rawValue
        flagNames = synAck.flags.names
        version = synAck.synDataEx?.version?.rawValue
        versionName = synAck.synDataEx?.version?.name
        lossy = synAck.flags.contains(.synLossy)
    }
}
