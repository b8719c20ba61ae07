import RDPProtocol

/// Everything one `rdpdoctor check` observed: the input to the diagnosis rules.
public struct CheckObservations: Codable, Sendable {
    public let target: Target
    /// Wall-clock time the check started (Unix seconds), to judge the server's clock.
    public var startedAtUnix: Double
    public var timeoutMs: Double
    /// The cap on any one step's wait, when the caller set one (`scan`'s quick mode).
    public var stepCapMs: Double?
    @Boxed public var resolution: ResolutionObservation? = nil
    /// One entry per resolved address: could a TCP connection be opened?
    public var reachability: [ReachabilityObservation] = []
    public var probes: [ProbeRecord] = []
    public var totalMs: Double = 0
    /// Settings read from an .rdp file, when the target came from one.
    @Boxed public var rdpFile: RDPFile? = nil
    /// With --user: whether the account could be tried, and how the server answered it.
    @Boxed public var credentialCheck: CredentialCheckObservation? = nil
    /// The SHA-256 of the leaf certificate the user expects (--cert-sha256).
    public var expectedLeafSHA256: HexBytes?
    /// When the port did not answer like RDP: what it says when spoken to with TLS.
    @Boxed public var service: ServiceObservation? = nil
    /// The walk through the RD Gateway (`--gateway`), when there is one.
    @Boxed public var gateway: GatewayObservation? = nil
    /// How the probes were spread over time, and how the server coped.
    @Boxed public var probing: ProbingObservation? = nil
    /// When the default client stalled: the path MTU black hole search.
    @Boxed public var mtuSearch: MTUSearchObservation? = nil
    /// With --samples: the loss and round-trip sample.
    @Boxed public var pathSample: PathSampleObservation? = nil
    /// The UDP transport (MS-RDPEUDP SYN to the same port number).
    @Boxed public var udp: UDPObservation? = nil
    /// Set by `analyze`: what the capture shows beside the replayed probe.
    @Boxed public var capture: CaptureFacts? = nil

    public init(target: Target, startedAtUnix: Double, timeoutMs: Double) {
        self.target = target
        self.startedAtUnix = startedAtUnix
        self.timeoutMs = timeoutMs
    }

    /// The probe that walked the connection as a default client would.
    public var defaultClient: ProbeRecord? { probes.first { $0.purpose == .defaultClient } }

    /// The walk that shows how a default client's session starts: the default
    /// client's own, or, when the server refused it with
    /// SSL_NOT_ALLOWED_BY_SERVER (mstsc then retries with standard RDP
    /// security), the standard-security probe, which then walks as far as it can.
    public var sessionWalk: ProbeRecord? {
        if let retry = standardSecurityRetry { return retry }
        return defaultClient
    }

    /// The standard-security probe when it replayed mstsc's retry after
    /// SSL_NOT_ALLOWED_BY_SERVER (mstsc's retry: the server wants standard
    /// RDP security; the check then always walks it as far as it goes).
    public var standardSecurityRetry: ProbeRecord? {
        guard defaultClient?.negotiation == .failure(code: .sslNotAllowedByServer),
            let retry = negotiation(requested: .rdp), retry.end != .notStarted
        else { return nil }
        return retry
    }

    public func negotiation(requested: SecurityProtocols) -> ProbeRecord? {
        probes.first { $0.purpose == .negotiation(requested) }
    }

    public func tlsProbe(_ version: TLSProtocolVersion) -> ProbeRecord? {
        probes.first { $0.purpose == .tlsVersion(version) }
    }
}

public struct ResolutionObservation: Codable, Sendable {
    public var addresses: [String]
    public var usedAddress: String?
    public var durationMs: Double
    public var error: String?
    /// True when the host was an IP literal and nothing was looked up.
    public var literal: Bool

    public init(addresses: [String], usedAddress: String?, durationMs: Double, error: String?, literal: Bool) {
        self.addresses = addresses
        self.usedAddress = usedAddress
        self.durationMs = durationMs
        self.error = error
        self.literal = literal
    }
}

public struct ReachabilityObservation: Codable, Sendable {
    public var address: String
    public var connectMs: Double?
    public var failure: ConnectFailure?

    public init(address: String, connectMs: Double?, failure: ConnectFailure?) {
        self.address = address
        self.connectMs = connectMs
        self.failure = failure
    }
}
