import RDPProtocol

/// Which probe connections a check makes. They are independent, so the
/// transport runs them all at once; each is one `RDPProbeMachine`.
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
    public let credentials: CredentialSettings?
    /// Only the default client's walk (a second, logon pass needs nothing else).
    public let defaultClientOnly: Bool

    public init(target: Target, tlsVersions: [TLSProtocolVersion] = TLSProtocolVersion.allCases,
                credentials: CredentialSettings? = nil, defaultClientOnly: Bool = false) {
        self.target = target
        self.tlsVersions = tlsVersions
        self.credentials = credentials
        self.defaultClientOnly = defaultClientOnly
    }

    /// One MTU search try: the default client's walk with segments of `mss` bytes.
    public func mtuTry(_ mss: Int, timeouts: StepTimeouts) -> RDPProbeMachine {
        var machine = RDPProbeMachine(purpose: .mtuTry(mss), requested: Self.defaultClientProtocols,
                                      goal: .asFarAsPossible, tls: TLSParameters(serverName: target.hostIsAddress ? nil : target.host),
                                      timeouts: timeouts)
        machine.forceMSS(mss)
        return machine
    }

    /// The machines to run, the default client's first.
    public func machines(timeouts: StepTimeouts) -> [RDPProbeMachine] {
        let sni = target.hostIsAddress ? nil : target.host
        var machines = [RDPProbeMachine(
            purpose: .defaultClient, requested: Self.defaultClientProtocols,
            goal: .asFarAsPossible, tls: TLSParameters(serverName: sni), timeouts: timeouts,
            credentials: credentials)]
        if defaultClientOnly { return machines }
        var small = RDPProbeMachine(purpose: .smallSegments, requested: Self.defaultClientProtocols,
                                    goal: .asFarAsPossible, tls: TLSParameters(serverName: sni), timeouts: timeouts)
        small.forceMSS(MTUSearch.smallMSS)
        machines.append(small)
        for requested in Self.negotiationRequests {
            // Standard RDP security continues to MCS to read the server's security data.
            let goal: RDPProbeMachine.Goal = requested == .rdp ? .serverData : .negotiation
            machines.append(RDPProbeMachine(
                purpose: .negotiation(requested.rawValue), requested: requested, goal: goal,
                tls: TLSParameters(serverName: sni), timeouts: timeouts))
        }
        for version in tlsVersions {
            machines.append(RDPProbeMachine(
                purpose: .tlsVersion(version), requested: [.ssl, .hybrid],
                goal: .tlsHandshake, tls: TLSParameters(minimum: version, maximum: version, serverName: sni),
                timeouts: timeouts))
        }
        return machines
    }
}

/// How long each step may take; the check's overall deadline caps them all.
public struct StepTimeouts: Sendable, Equatable {
    public var connectMs: Double
    public var stepMs: Double

    public init(connectMs: Double = 3000, stepMs: Double = 3000) {
        self.connectMs = connectMs
        self.stepMs = stepMs
    }
}
