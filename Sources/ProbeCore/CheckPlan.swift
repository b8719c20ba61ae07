import RDPProtocol

/// Which probe connections a check makes and how each is built. The check
/// coordinator decides when each one runs.
public struct CheckPlan: Sendable {
    /// What mstsc asks for by default: TLS, CredSSP and CredSSP with early
    /// user authorization.
    public static let defaultClientProtocols: SecurityProtocols = [.ssl, .hybrid, .hybridEx]

    /// One request per security protocol, to learn which the server accepts
    /// (the CredSSP variants carry HYBRID, as the specification requires).
    public static let negotiationRequests: [SecurityProtocols] = [
        .rdp, .ssl, .hybrid, .rdstls, [.hybrid, .hybridEx], .rdsaad,
    ]

    public let target: Target
    public let tlsVersions: [TLSProtocolVersion]

    public init(target: Target, tlsVersions: [TLSProtocolVersion] = TLSProtocolVersion.allCases) {
        self.target = target
        self.tlsVersions = tlsVersions
    }

    /// SNI; nil for an IP literal (an IP cannot be sent as SNI).
    var serverName: String? { target.hostIsAddress ? nil : target.host }

    /// The probes that learn what the server accepts, one connection each.
    public var surveyPurposes: [ProbePurpose] {
        Self.negotiationRequests.map { .negotiation($0) } + tlsVersions.map { .tlsVersion($0) }
    }

    /// The machine for one purpose, with the step deadlines it may use.
    /// `credentials` is only used by the credential probe.
    /// With `walkStandardSecurity` the standard-security request walks as far
    /// as it can, as mstsc's retry after SSL_NOT_ALLOWED_BY_SERVER does.
    public func machine(
        _ purpose: ProbePurpose, timeouts: StepTimeouts,
        credentials: CredentialSettings? = nil, walkStandardSecurity: Bool = false
    ) -> RDPProbeMachine {
        let tls = TLSParameters(serverName: serverName)
        switch purpose {
        case .defaultClient:
            return RDPProbeMachine(
                purpose: purpose, requested: Self.defaultClientProtocols, goal: .asFarAsPossible,
                tls: tls, timeouts: timeouts)
        case .credentials:
            return RDPProbeMachine(
                purpose: purpose, requested: Self.defaultClientProtocols, goal: .asFarAsPossible,
                tls: tls, timeouts: timeouts, credentials: credentials)
        case .smallSegments:
            var machine = RDPProbeMachine(
                purpose: purpose, requested: Self.defaultClientProtocols,
                goal: .asFarAsPossible, tls: tls, timeouts: timeouts)
            machine.forceMSS(MTUSearch.smallMSS)
            return machine
        case .mtuTry(let mss):
            var machine = RDPProbeMachine(
                purpose: purpose, requested: Self.defaultClientProtocols,
                goal: .asFarAsPossible, tls: tls, timeouts: timeouts)
            machine.forceMSS(mss)
            return machine
        case .negotiation(let requested):
            // Standard RDP security continues to MCS to read the server's security data.
            let goal: RDPProbeMachine.Goal = requested == .rdp ? (walkStandardSecurity ? .asFarAsPossible : .serverData) : .negotiation
            return RDPProbeMachine(purpose: purpose, requested: requested, goal: goal, tls: tls, timeouts: timeouts)
        case .tlsVersion(let version):
            return RDPProbeMachine(
                purpose: purpose, requested: [.ssl, .hybrid], goal: .tlsHandshake,
                tls: TLSParameters(minimum: version, maximum: version, serverName: serverName),
                timeouts: timeouts)
        }
    }
}

/// How long each step of one connection may take; the check's overall
/// deadline caps them all.
public struct StepTimeouts: Sendable, Equatable {
    public var connectMs: Double
    public var stepMs: Double

    public init(connectMs: Double, stepMs: Double) {
        self.connectMs = connectMs
        self.stepMs = stepMs
    }
}

/// Step deadlines derived from the check's budget and what the path showed,
/// never from a fixed constant: a slow path or a slow server gets the time
/// the user's --timeout allows, a fast one does not keep a stalled probe
/// waiting for long.
public enum DeadlinePolicy {
    /// The share of the budget the first connections (nothing measured yet)
    /// may spend on one step; the rest stays for the probes that follow a stall.
    public static let firstShare = 0.6
    /// Later probes may wait this many times the default walk's slowest step…
    static let slowestStepFactor = 4.0
    /// …and at least this many round trips…
    static let roundTrips = 8.0
    /// …and at least this share of the budget.
    static let budgetShare = 0.2

    /// The first wave: nothing is known about the path yet.
    public static func firstWave(remainingMs: Double) -> StepTimeouts {
        let ms = max(1, remainingMs * firstShare)
        return StepTimeouts(connectMs: ms, stepMs: ms)
    }

    /// Later probes: from the round trip and the default walk's slowest step.
    public static func following(
        budgetMs: Double, remainingMs: Double, roundTripMs: Double,
        slowestStepMs: Double
    ) -> StepTimeouts {
        let wanted = max(slowestStepMs * slowestStepFactor, roundTripMs * roundTrips, budgetMs * budgetShare)
        let ms = max(1, min(remainingMs, wanted))
        return StepTimeouts(connectMs: ms, stepMs: ms)
    }
}
