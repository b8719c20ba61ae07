import TSGU

/// What one walk through an RD Gateway saw (MS-TSGU's HTTP transport), step by
/// step and timed. Observations only: the diagnosis rules decide which side
/// broke. Never holds a password or anything derived from one.
public struct GatewayObservation: Codable, Sendable, Equatable {
    /// The gateway's steps, in the order a client meets them.
    public enum Step: String, Codable, Sendable, CaseIterable, Comparable {
        case tcp, tls, http, authentication, handshake, tunnelCreate, tunnelAuth, channelCreate, channel

        public static func < (lhs: Step, rhs: Step) -> Bool {
            allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
        }
    }

    /// How the HTTP transport went.
    public enum HTTPTransport: String, Codable, Sendable {
        /// 101 Switching Protocols with a valid Sec-WebSocket-Accept.
        case webSocket
        /// 200 to the upgrade request: only the legacy RDG_OUT_DATA + RDG_IN_DATA
        /// transport (no WebSocket: an older gateway, or a proxy that strips Upgrade).
        case legacyOnly
    }

    /// Gateway authentication, apart from the target's.
    public enum Authentication: String, Codable, Sendable {
        /// No gateway credentials were given: the 401's schemes are all there is.
        case noCredentials
        /// The gateway's certificate is not trusted for its name: nothing derived
        /// from the password went to it.
        case withheldUntrustedCertificate
        /// The gateway offered no scheme rdpdoctor speaks (NTLM, Basic).
        case noUsableScheme
        /// The NTLM AUTHENTICATE (or the Basic credentials) was answered with 401 again.
        case rejected
        case accepted
        /// The gateway let the request through without asking.
        case notAsked
    }

    public struct Failure: Codable, Sendable, Equatable {
        public enum Kind: Codable, Sendable, Equatable {
            case connectFailed(ConnectFailure)
            case tls(String)
            /// A gateway result code (E_PROXY_*) in a response or CLOSE_CHANNEL, kept raw.
            case refused(GatewayResult)
            /// An HTTP status that is not the gateway's (404 from IIS without the role…).
            case httpStatus(Int)
            /// Bytes that do not follow MS-TSGU, RFC 6455 or HTTP (a typed error's text).
            case protocolError(String)
            case closed(CloseKind)
            /// Nothing came within the step's deadline.
            case noAnswer
        }

        public let step: Step
        public let kind: Kind

        public init(step: Step, kind: Kind) {
            self.step = step
            self.kind = kind
        }
    }

    public struct StepTiming: Codable, Sendable, Equatable {
        public let step: Step
        public let ms: Double

        public init(step: Step, ms: Double) {
            self.step = step
            self.ms = ms
        }
    }

    /// How the gateway's certificate was judged for its name (trust anchors:
    /// the system store and --ca). Microsoft's clients refuse a gateway whose
    /// certificate is not trusted or does not match.
    public struct CertificateJudged: Codable, Sendable, Equatable {
        public let trusted: Bool
        public let nameMatches: Bool

        public init(trusted: Bool, nameMatches: Bool) {
            self.trusted = trusted
            self.nameMatches = nameMatches
        }
    }

    public var gateway: String
    public var target: String
    public var tls: TLSSessionInfo?
    public var certificate: CertificateJudged?
    /// The first answer, to the request without credentials or with NTLM's NEGOTIATE.
    public var firstAnswer: HTTPAnswer?
    /// The answer to the request that carried the AUTHENTICATE.
    public var authenticatedAnswer: HTTPAnswer?
    public var authentication: Authentication?
    /// The scheme the account went with: "NTLM", or "Basic" when the gateway
    /// offered Basic and no NTLM.
    public var authenticationScheme: String?
    public var transport: HTTPTransport?
    public var handshake: HandshakeResponse?
    public var tunnel: TunnelResponse?
    public var tunnelAuth: TunnelAuthResponse?
    public var channel: ChannelResponse?
    /// Bytes the target answered inside the channel, and whether they begin
    /// like RDP (a TPKT header).
    public var channelReplyBytes: Int?
    public var channelReplyIsTPKT: Bool?
    /// CLOSE_CHANNEL from the gateway, with its status.
    public var closedByGateway: GatewayResult?
    /// The legacy RPC-over-HTTP transport's URL, asked once without credentials
    /// (so "HTTP fails, RPC works" and the reverse can be told).
    public var rpcProxy: RPCProxyObservation?
    /// `--hold`: the channel kept open after the walk, and how that ended.
    public var hold: Hold?

    public struct Hold: Codable, Sendable, Equatable {
        public enum End: String, Codable, Sendable {
            /// The gateway sent CLOSE_CHANNEL (`closeStatus`): its idle timeout or policy.
            case closeChannel
            /// A WebSocket Close frame, or the connection ended in order.
            case closedByGateway
            case reset
            /// Open when the hold was over; rdpdoctor closed it.
            case stillOpen
        }

        public var requestedMs: Double
        public var heldMs: Double = 0
        public var end: End = .stillOpen
        public var closeStatus: GatewayResult?
        /// KEEPALIVE packets sent (when the gateway advertised an idle timeout).
        public var keepalivesSent = 0
        public var keepaliveIntervalMs: Double?

        public init(requestedMs: Double) { self.requestedMs = requestedMs }
    }
    public var failure: Failure?
    public var steps: [StepTiming] = []
    public var stepDeadlineMs: Double?
    public var totalMs: Double = 0

    public init(gateway: String, target: String) {
        self.gateway = gateway
        self.target = target
    }

    /// The furthest step that completed.
    public var reached: Step? { steps.map(\.step).max() }
}
