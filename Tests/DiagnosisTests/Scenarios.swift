import CredSSP
import ProbeCore
import RDPProtocol

/// The named checks the tests diagnose. `all` lists them so one test can
/// hold every code they produce against the shipped catalogue.
enum Scenarios {
    static let leafChain = [CertificateFixtures.leaf, CertificateFixtures.rootCA]

    /// A well-run Windows host: NLA required, TLS 1.2 and 1.3 only, a CA-issued
    /// certificate for the name, a synchronised clock. Nothing to warn about.
    static var healthyNLA: Scenario {
        let started = Double(CertificateFixtures.validNow)
        return Scenario()
            .resolved(["192.0.2.10"])
            .reachable("192.0.2.10")
            .defaultClient(.selected(protocol: Proto.hybridEx, flags: NegotiationResponseFlags(rawValue: 0x1F))) { probe in
                probe.tls = TLSSessionInfo(version: .tls13, peerChain: leafChain)
                probe.credssp = .windows(version: 6, serverTimeUnix: started + 2, challengeAtMs: 30)
                probe.timings = [
                    .step(.tcp, from: 0, took: 2), .step(.x224, from: 2, took: 3),
                    .step(.tls, from: 5, took: 15), .step(.credssp, from: 20, took: 20),
                ]
                probe.totalMs = 45
            }
            .nlaRequiredNegotiation()
            .tlsVersions(accepted: [.tls12, .tls13])
    }

    /// The same host with NLA not required (TLS and standard security accepted).
    static var nlaOptional: Scenario {
        Scenario()
            .resolved()
            .reachable()
            .defaultClient(.selected(protocol: Proto.hybridEx, flags: NegotiationResponseFlags(rawValue: 0x1))) { probe in
                probe.tls = TLSSessionInfo(version: .tls12, peerChain: leafChain)
            }
            .nlaOptionalNegotiation()
            .tlsVersions(accepted: [.tls12])
    }

    /// xrdp with security_layer=tls: TLS, no CredSSP, reaches the logon screen.
    static var tlsOnlyXrdp: Scenario {
        Scenario()
            .resolved()
            .reachable()
            .defaultClient(.selected(protocol: Proto.ssl, flags: [])) { probe in
                probe.tls = TLSSessionInfo(version: .tls12, peerChain: [CertificateFixtures.selfSigned])
                probe.serverData = .overTLS
                probe.session = .with {
                    $0.licensing = .validClient; $0.demandActive = true
                }
            }
            .tlsOnlyNegotiation()
            .tlsVersions(accepted: [.tls12, .tls13])
    }

    /// An old server with standard RDP security only.
    static var standardSecurityOnly: Scenario {
        Scenario()
            .resolved()
            .reachable()
            .defaultClient(.failure(code: .sslNotAllowedByServer))
            .standardSecurityOnlyNegotiation()
    }

    static var dnsFailure: Scenario {
        Scenario().dnsFailure("NXDOMAIN: rdp.example.test does not exist")
    }

    static var allRefused: Scenario {
        Scenario()
            .resolved(["192.0.2.10", "2001:db8::10"])
            .unreachable("192.0.2.10", .refused)
            .unreachable("2001:db8::10", .refused)
    }

    static var tlsTimeout: Scenario {
        Scenario().resolved().reachable()
            .defaultClient(
                .selected(protocol: Proto.hybridEx, flags: []),
                end: .timedOut(step: .tls, waitingFor: .tlsHandshake))
    }

    static var tlsReset: Scenario {
        Scenario().resolved().reachable()
            .defaultClient(
                .selected(protocol: Proto.hybridEx, flags: []),
                end: .peerClosed(.reset, step: .tls, waitingFor: .tlsHandshake))
    }

    static var foreignHTTP: Scenario {
        Scenario().resolved().reachable()
            .defaultClient(nil, end: .protocolError(step: .x224, message: "the port answered with HTTP, not an X.224 Connection Confirm")) { probe in
                probe.foreignService = .http
                probe.unexpectedBytes = "485454502f312e3120343030204261642052657175657374"
            }
    }

    static var demandActive: Scenario {
        Scenario().resolved().reachable()
            .defaultClient(.selected(protocol: Proto.ssl, flags: [])) { probe in
                probe.tls = TLSSessionInfo(version: .tls12, peerChain: leafChain)
                probe.session = .with {
                    $0.licensing = .validClient; $0.demandActive = true
                }
            }
    }

    static var serverDeniedErrorInfo: Scenario {
        Scenario().resolved().reachable()
            .defaultClient(.selected(protocol: Proto.ssl, flags: [])) { probe in
                probe.tls = TLSSessionInfo(version: .tls12, peerChain: leafChain)
                probe.session = .with { $0.errorInfo = [0, 0x7] }
            }
    }

    static var licensingNoLicense: Scenario {
        Scenario().resolved().reachable()
            .defaultClient(.selected(protocol: Proto.ssl, flags: [])) { probe in
                probe.tls = TLSSessionInfo(version: .tls12, peerChain: leafChain)
                probe.session = .with { $0.licensing = .error(code: 0x2, stateTransition: 0x2) }
            }
    }

    static var negotiationDisconnected: Scenario {
        Scenario().resolved().reachable()
            .defaultClient(.disconnected(reason: MCSDisconnectReason(rawValue: 3)))
    }

    static var credsspServerError: Scenario {
        Scenario().resolved().reachable()
            .defaultClient(.selected(protocol: Proto.hybrid, flags: [])) { probe in
                probe.tls = TLSSessionInfo(version: .tls12, peerChain: leafChain)
                var credssp = CredSSPObservation.windows(serverTimeUnix: nil)
                credssp.errorCode = 0xC000_00BB
                probe.credssp = credssp
            }
    }

    static var clockSkew: Scenario {
        let started = Double(CertificateFixtures.validNow)
        return Scenario(startedAtUnix: started)
            .defaultClient(.selected(protocol: Proto.hybrid, flags: [])) { probe in
                probe.credssp = .windows(version: 3, serverTimeUnix: started + 600)
            }
    }

    static var weakStandardSecurity: Scenario {
        Scenario().resolved().reachable()
            .defaultClient(.noNegotiationData) { probe in
                probe.serverData = .standardSecurity(method: 0x1, level: 2, keyBits: 512)
                probe.session = .with {
                    $0.licensing = .licenseRequest; $0.demandActive = true
                }
            }
    }

    static var unencryptedStandardSecurity: Scenario {
        Scenario().resolved().reachable()
            .defaultClient(.selected(protocol: Proto.rdp, flags: [])) { probe in
                probe.serverData = .standardSecurity(method: 0, level: 0)
            }
    }

    static var expiredSelfSigned: Scenario {
        Scenario(anchors: [])
            .judged(at: CertificateFixtures.SelfSigned.notAfter + 5 * CertificateFixtures.day)
            .defaultClient(.selected(protocol: Proto.ssl, flags: [])) { probe in
                probe.tls = TLSSessionInfo(version: .tls12, peerChain: [CertificateFixtures.selfSigned])
            }
    }

    static var nameMismatch: Scenario {
        Scenario(host: "other.example.test")
            .defaultClient(.selected(protocol: Proto.ssl, flags: [])) { probe in
                probe.tls = TLSSessionInfo(version: .tls12, peerChain: leafChain)
            }
    }

    static var oldTLS: Scenario {
        Scenario()
            .defaultClient(.selected(protocol: Proto.ssl, flags: [])) { probe in
                probe.tls = TLSSessionInfo(version: .tls10, peerChain: leafChain)
            }
            .tlsVersions(accepted: [.tls10])
    }

    static var tls13Only: Scenario {
        Scenario().tlsVersions(accepted: [.tls13])
    }

    static var tcpTimeoutAndUnreachable: Scenario {
        Scenario().resolved(["192.0.2.10", "192.0.2.11", "192.0.2.12"])
            .unreachable("192.0.2.10", .timedOut)
            .unreachable("192.0.2.11", .unreachable("no route to host"))
            .reachable("192.0.2.12")
            .defaultClient(nil, end: .timedOut(step: .x224, waitingFor: .connectionConfirm))
    }

    static var slowTLS: Scenario {
        Scenario()
            .defaultClient(.selected(protocol: Proto.hybrid, flags: [])) { probe in
                probe.timings = [
                    .step(.tcp, from: 0, took: 3), .step(.x224, from: 3, took: 4),
                    .step(.tls, from: 7, took: 1500), .step(.credssp, from: 1507, took: nil),
                ]
                probe.totalMs = 1600
            }
    }

    /// With --user: the gate allowed the account (or not), and its connection saw `outcome`;
    /// with a `logon` session, --logon sent the credentials and the server went on to it.
    static func credential(
        _ outcome: CredentialObservation.Outcome, ntstatus: UInt32? = nil,
        decision: CredentialDecision = .sent(.trusted), logon: SessionObservation? = nil,
        end: ConnectionEnd = .completed
    ) -> Scenario {
        var scenario = Scenario().resolved().reachable()
            .defaultClient(.selected(protocol: Proto.hybridEx, flags: [])) { probe in
                probe.tls = TLSSessionInfo(version: .tls12, peerChain: leafChain)
            }
        var probe = ProbeRecord(purpose: .credentials, requestedProtocols: Proto.defaultClient)
        probe.negotiation = .selected(protocol: Proto.hybridEx, flags: [])
        probe.tls = TLSSessionInfo(version: .tls12, peerChain: leafChain)
        var credential = CredentialObservation(
            account: "EXAMPLE\\alice", outcome: outcome, ntstatus: ntstatus.map { NTStatus(rawValue: $0) },
            detail: "test detail")
        credential.credentialsSent = logon != nil
        probe.credential = credential
        probe.session = logon
        probe.end = end
        var sent = false
        if case .sent = decision { sent = true }
        scenario.observations.credentialCheck = CredentialCheckObservation(
            account: "EXAMPLE\\alice", logonRequested: logon != nil, decision: decision, probe: sent ? probe : nil)
        return scenario
    }

    static let credentialScenarios: [(name: String, scenario: Scenario)] = [
        ("credential.accepted", credential(.accepted)),
        ("credential.rejected", credential(.rejected, ntstatus: 0xC000_006D)),
        ("credential.closed", credential(.closedAfterAuthenticate)),
        ("credential.key-mismatch", credential(.serverKeyMismatch)),
        ("credential.ntlm-unavailable", credential(.ntlmUnavailable)),
        ("credential.early-authorization-denied", credential(.earlyAuthorizationDenied)),
        ("credential.not-sent", credential(.notSent)),
        ("logon.session", credential(.accepted, logon: .with { $0.demandActive = true })),
        ("logon.error-info", credential(.accepted, logon: .with { $0.errorInfo = [0x9] })),
        ("logon.refused", credential(.accepted, decision: .withheld(.untrusted))),
    ]

    static let all: [(name: String, scenario: Scenario)] =
        credentialScenarios + [
            ("healthyNLA", healthyNLA), ("nlaOptional", nlaOptional), ("tlsOnlyXrdp", tlsOnlyXrdp),
            ("standardSecurityOnly", standardSecurityOnly), ("dnsFailure", dnsFailure), ("allRefused", allRefused),
            ("tlsTimeout", tlsTimeout), ("tlsReset", tlsReset), ("foreignHTTP", foreignHTTP),
            ("demandActive", demandActive), ("serverDeniedErrorInfo", serverDeniedErrorInfo),
            ("licensingNoLicense", licensingNoLicense), ("negotiationDisconnected", negotiationDisconnected),
            ("credsspServerError", credsspServerError), ("clockSkew", clockSkew),
            ("weakStandardSecurity", weakStandardSecurity), ("unencryptedStandardSecurity", unencryptedStandardSecurity),
            ("expiredSelfSigned", expiredSelfSigned), ("nameMismatch", nameMismatch), ("oldTLS", oldTLS),
            ("tls13Only", tls13Only), ("tcpTimeoutAndUnreachable", tcpTimeoutAndUnreachable), ("slowTLS", slowTLS),
        ]
}
