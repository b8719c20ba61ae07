/// The contract between a sans-IO probe and the transport that drives it:
/// the transport turns socket happenings into events, feeds them in with the
/// time they happened, and carries out the actions that come back.
public protocol ConnectionMachine: Sendable {
    /// Handles one event; `now` is a monotonic clock reading in nanoseconds.
    mutating func handle(_ event: ConnectionEvent, now: UInt64) -> [ConnectionAction]
    /// True once the machine wants nothing more; the transport then closes.
    var isFinished: Bool { get }
    /// True when the connection may carry something derived from a password (an
    /// NTLM exchange, credentials): a recording of it must stay encrypted.
    var carriesAccount: Bool { get }
}

extension ConnectionMachine {
    public var carriesAccount: Bool { false }
}

public enum ConnectionEvent: Sendable, Equatable {
    /// The transport is about to open the TCP connection.
    case connecting
    /// The TCP connection is up.
    case connected
    /// The TCP connection attempt failed.
    case connectFailed(ConnectFailure)
    /// Bytes arrived (plaintext before TLS, decrypted after).
    case received([UInt8])
    case tlsEstablished(TLSSessionInfo)
    case tlsFailed(String)
    case peerClosed(CloseKind)
    /// The deadline the machine last asked for has passed.
    case deadline
    /// Bytes arrived on the wire (counted before TLS decryption).
    case rawBytesArrived(Int)
    /// The kernel's view of the connection, read just before it closes.
    case tcpStatistics(TCPStats)
    /// What the TLS session inside a tunnel did with the bytes the machine
    /// handed it (`ConnectionAction.tunnelTLS`).
    case tunnelTLS(TunnelTLSEvent)
    /// Something happened on the machine's second connection (`ConnectionAction.second`).
    case second(SecondConnectionEvent)
}

/// A second connection to the same address, beside the first (the RD
/// Gateway's legacy HTTP transport: RDG_IN_DATA carries the client's bytes,
/// RDG_OUT_DATA the gateway's). The transport opens it, runs TLS on it and
/// reports what happens on it; the machine stays sans-IO.
public enum SecondConnectionAction: Sendable, Equatable {
    /// Open it and start TLS with these parameters once TCP is up.
    case open(TLSParameters)
    case send([UInt8])
    case close
}

public enum SecondConnectionEvent: Sendable, Equatable {
    /// TCP and TLS are up on it.
    case established(TLSSessionInfo)
    /// It could not be opened, or its TLS failed.
    case failed(String)
    case received([UInt8])
    case closed(CloseKind)
}

/// TLS carried inside a tunnel (the RDP walk inside an RD Gateway channel):
/// the transport runs the TLS engine in memory and never sees the tunnel;
/// the machine carries the engine's bytes in its own packets.
public enum TunnelTLSAction: Sendable, Equatable {
    /// Start a client handshake now.
    case start(TLSParameters)
    /// Plaintext to encrypt.
    case write([UInt8])
    /// Ciphertext that came out of the tunnel.
    case feed([UInt8])
}

public enum TunnelTLSEvent: Sendable, Equatable {
    /// Ciphertext for the peer, to be carried through the tunnel.
    case output([UInt8])
    case established(TLSSessionInfo)
    /// Decrypted bytes from the peer.
    case plaintext([UInt8])
    case failed(String)
}

/// TCP_INFO figures of one connection (Linux).
public struct TCPStats: Sendable, Equatable, Codable {
    public var rttMs: Double
    public var rttVarianceMs: Double
    public var minRTTMs: Double
    public var totalRetransmits: Int
    public var lost: Int
    public var segmentsOut: Int
    public var segmentsIn: Int
    public var pathMTU: Int
    public var sendMSS: Int
    /// The receive window the peer advertised last, in bytes (tcpi_snd_wnd);
    /// nil where the kernel does not report it (before Linux 5.4).
    public var peerWindow: Int?
    /// Bytes written by rdpdoctor that the kernel has not sent yet (tcpi_notsent_bytes).
    public var unsentBytes: Int?
    /// Segments with data sent, retransmissions included (tcpi_data_segs_out),
    /// and segments the peer acknowledged, each once (tcpi_delivered); nil
    /// before Linux 4.18. Their difference is what never arrived, even where
    /// the kernel merged several lost segments into one retransmission.
    public var dataSegmentsOut: Int?
    public var delivered: Int?

    public init(
        rttMs: Double, rttVarianceMs: Double, minRTTMs: Double, totalRetransmits: Int, lost: Int,
        segmentsOut: Int, segmentsIn: Int, pathMTU: Int, sendMSS: Int, peerWindow: Int? = nil, unsentBytes: Int? = nil,
        dataSegmentsOut: Int? = nil, delivered: Int? = nil
    ) {
        self.rttMs = rttMs
        self.rttVarianceMs = rttVarianceMs
        self.minRTTMs = minRTTMs
        self.totalRetransmits = totalRetransmits
        self.lost = lost
        self.segmentsOut = segmentsOut
        self.segmentsIn = segmentsIn
        self.pathMTU = pathMTU
        self.sendMSS = sendMSS
        self.peerWindow = peerWindow
        self.unsentBytes = unsentBytes
        self.dataSegmentsOut = dataSegmentsOut
        self.delivered = delivered
    }

    /// The peer stopped reading: its window is closed and our bytes wait to be sent.
    public var peerWindowClosed: Bool { peerWindow == 0 && (unsentBytes ?? 0) > 0 }
}

public enum ConnectFailure: Sendable, Equatable, Codable {
    case refused
    /// The listener accepted, then reset at once (a firewall or a refusing listener).
    case resetAfterAccept
    case timedOut
    case unreachable(String)
}

public enum ConnectionAction: Sendable, Equatable {
    case send([UInt8])
    /// Start TLS on this connection, now: the X.224 exchange is over.
    case startTLS(TLSParameters)
    /// Deliver `.deadline` at this monotonic time (replaces any earlier one).
    case setDeadline(UInt64)
    case close
    /// Hand bytes to the TLS session inside a tunnel (answered with `.tunnelTLS` events).
    case tunnelTLS(TunnelTLSAction)
    /// Open, write to or close the second connection (answered with `.second` events).
    case second(SecondConnectionAction)
}

public enum TLSProtocolVersion: String, Codable, Sendable, CaseIterable, Comparable {
    case tls10 = "TLS 1.0"
    case tls11 = "TLS 1.1"
    case tls12 = "TLS 1.2"
    case tls13 = "TLS 1.3"

    public static func < (lhs: Self, rhs: Self) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

public struct TLSParameters: Sendable, Equatable {
    public var minimum: TLSProtocolVersion
    public var maximum: TLSProtocolVersion
    /// SNI; nil for an IP literal (an IP cannot be sent as SNI).
    public var serverName: String?

    public init(minimum: TLSProtocolVersion = .tls10, maximum: TLSProtocolVersion = .tls13, serverName: String?) {
        self.minimum = minimum
        self.maximum = maximum
        self.serverName = serverName
    }
}

public struct TLSSessionInfo: Sendable, Equatable, Codable {
    public let version: TLSProtocolVersion?
    /// The chain the server presented, leaf first, DER.
    public var peerChain: [[UInt8]] { chain.map(\.bytes) }
    let chain: [HexBytes]

    public init(version: TLSProtocolVersion?, peerChain: [[UInt8]]) {
        self.version = version
        self.chain = peerChain.map(HexBytes.init)
    }
}
