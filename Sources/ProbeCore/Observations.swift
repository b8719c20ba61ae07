/// What the probes saw, as plain records. Observations only: judging them is
/// the diagnosis rules' job (Diagnosis module), never this module's.

/// The steps of an RDP connection, in the order a client walks them.
public enum Step: String, Codable, Sendable, CaseIterable, Comparable {
    case dns, tcp, x224, tls, credssp, mcs
    /// MCS erect domain, attach user and channel joins.
    case channels
    case security, licensing, capabilities

    public static func < (lhs: Step, rhs: Step) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// How the other side ended a connection.
public enum CloseKind: String, Codable, Sendable {
    /// An orderly close (FIN).
    case fin
    /// A reset (RST): a firewall, an IPS, or a listener that refuses.
    case reset
}

/// How one connection ended.
public enum ConnectionEnd: Codable, Sendable, Equatable {
    /// The probe got what it came for and closed politely.
    case completed
    /// The TCP connection attempt was answered with a reset.
    case refused
    /// The TCP connection attempt failed otherwise (no route, unreachable).
    case unreachable(String)
    /// The peer closed the connection while `step` was under way.
    case peerClosed(CloseKind, step: Step, waitingFor: Awaiting)
    /// Nothing (more) arrived before the step's deadline.
    case timedOut(step: Step, waitingFor: Awaiting)
    /// The peer sent bytes that do not decode (`message` names the PDU and field).
    case protocolError(step: Step, message: String)
    /// The TLS handshake failed (an alert, no common version or cipher).
    case tlsFailed(String)
    /// Something on our side failed (socket options, TLS context).
    case localError(String)
    /// The check's deadline came before this probe could start.
    case notStarted

    /// The step during which the connection ended, if it ended early.
    public var step: Step? {
        switch self {
        case .completed: nil
        case .refused, .unreachable: .tcp
        case .peerClosed(_, let step, _), .timedOut(let step, _), .protocolError(let step, _): step
        case .tlsFailed: .tls
        case .localError, .notStarted: nil
        }
    }
}

/// When a step started and how long it took, in milliseconds from the start
/// of its connection.
public struct StepTiming: Codable, Sendable, Equatable {
    public let step: Step
    public let startMs: Double
    public var durationMs: Double?
    /// Bytes that arrived on the wire during the step (before TLS decryption).
    public var bytesReceived: Int = 0
    /// Milliseconds from the step's start to the last byte that arrived in it.
    public var lastByteMs: Double?

    public init(step: Step, startMs: Double, durationMs: Double? = nil) {
        self.step = step
        self.startMs = startMs
        self.durationMs = durationMs
    }
}

/// What a non-RDP service on the port looks like from its first bytes.
public enum ForeignService: String, Codable, Sendable {
    case http, ssh, vnc, unknown
    /// A service that expects TLS first (an HTTPS server, an RD Gateway).
    case tls
}

extension ConnectionEnd {
    /// True when the connection ended because nothing (more) came in time:
    /// the server's answer is unknown, not negative.
    public var isNoAnswer: Bool {
        switch self {
        case .timedOut, .notStarted: true
        default: false
        }
    }
}
