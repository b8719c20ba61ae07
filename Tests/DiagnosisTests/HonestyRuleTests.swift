import CertificateAudit
import Diagnosis
import ProbeCore
import Testing

/// What rdpdoctor may claim when a server was silent, what it says about
/// ports that speak TLS first, pins, and servers that cannot take several
/// connections at once.
@Suite("honest findings: silence, TLS-first ports, pins, polite probing")
struct HonestyRuleTests {
    static let noAnswer = ConnectionEnd.timedOut(step: .x224, waitingFor: .connectionConfirm)

    @Test("TLS and CredSSP requests that got no answer do not make 'only standard RDP security'")
    func silenceIsNotOnlyStandardSecurity() async {
        let report = await Scenario().resolved().reachable()
            .defaultClient(nil, end: Self.noAnswer)
            .negotiation(Proto.rdp, .selected(protocol: Proto.rdp, flags: []))
            .negotiation(Proto.ssl, nil, end: Self.noAnswer)
            .negotiation(Proto.hybrid, nil, end: Self.noAnswer)
            .diagnose()
        #expect(!report.has("x224.rdp-security-only"), "\(report.ids)")
        let accepted = report.finding("x224.rdp-security-accepted")
        #expect(accepted?.detail.contains("could not be determined") == true, "\(accepted?.detail ?? "")")
    }

    @Test("answered refusals of TLS and CredSSP still make 'only standard RDP security'")
    func refusalsAreOnlyStandardSecurity() async {
        let report = await Scenarios.standardSecurityOnly.diagnose()
        #expect(report.has("x224.rdp-security-only"), "\(report.ids)")
    }

    @Test("a TLS 1.2 handshake that got no answer is 'not determined', never 'only TLS 1.3'")
    func silentTLS12IsNotARefusal() async throws {
        let report = await Scenario()
            .tlsVersion(.tls10, accepted: false).tlsVersion(.tls11, accepted: false)
            .probe(
                .tlsVersion(.tls12), requested: [Proto.ssl, Proto.hybrid], answer: .selected(protocol: Proto.hybrid, flags: []),
                end: .timedOut(step: .tls, waitingFor: .tlsHandshake)
            ) { probe in
                probe.timings = [.init(step: .tls, startMs: 10)]
                probe.totalMs = 3010
            }
            .tlsVersion(.tls13, accepted: true)
            .diagnose()
        #expect(!report.has("tls.only-tls13"), "\(report.ids)")
        #expect(!report.has("tls.no-tls12"), "\(report.ids)")
        let versions = try #require(report.finding("tls.versions"))
        #expect(
            versions.detail.contains("Not determined: TLS 1.2 (not determined: no answer during the TLS handshake within 3000 ms)"),
            "\(versions.detail)")
    }

    @Test("an SSH greeting is quoted as text, not hex")
    func bannerIsText() async {
        let report = await Scenario().resolved().reachable()
            .defaultClient(nil, end: .protocolError(step: .x224, message: "the port answered with SSH")) { probe in
                probe.foreignService = .ssh
                probe.unexpectedBytes = "5353482d322e302d4f70656e5353485f392e320d0a"
                probe.banner = "SSH-2.0-OpenSSH_9.2"
            }.diagnose()
        #expect(report.finding("x224.not-rdp")?.detail.contains("\"SSH-2.0-OpenSSH_9.2\"") == true)
        #expect(report.verdict.summary.contains("\"SSH-2.0-OpenSSH_9.2\""), "\(report.verdict.summary)")
    }

    static func tlsFirst(_ http: HTTPAnswer?) -> Scenario {
        var scenario = Scenario().resolved().reachable()
            .defaultClient(nil, end: .peerClosed(.fin, step: .x224, waitingFor: .connectionConfirm)) { probe in
                probe.timings = [.init(step: .tcp, startMs: 0, durationMs: 1), .init(step: .x224, startMs: 1)]
                probe.totalMs = 2
            }
        var service = ServiceObservation()
        service.connected = true
        service.tls = TLSSessionInfo(version: .tls13, peerChain: [])
        service.http = http
        scenario.observations.service = service
        return scenario
    }

    @Test("a port that answers RDG_OUT_DATA with 401 and its schemes is named an RD Gateway, not a firewall")
    func gatewayIsNamed() async throws {
        let report = await Self.tlsFirst(
            HTTPAnswer(
                status: 401, reason: "Unauthorized", server: "Microsoft-HTTPAPI/2.0",
                authenticationSchemes: ["Negotiate", "NTLM"])
        ).diagnose()
        let finding = try #require(report.finding("service.rd-gateway"))
        #expect(finding.detail.contains("Negotiate, NTLM"))
        #expect(report.verdict.summary.contains("RD Gateway"), "\(report.verdict.summary)")
        #expect(
            !report.has("path.reset-after-connect") && !report.has("path.closed-during-x224"),
            "no firewall story for a TLS service: \(report.ids)")
    }

    @Test("a web server refusing RDG_OUT_DATA is an HTTPS server, not a gateway")
    func webServerIsNamed() async {
        let report = await Self.tlsFirst(
            HTTPAnswer(
                status: 405, reason: "Not Allowed", server: "nginx",
                authenticationSchemes: [])
        ).diagnose()
        #expect(report.has("service.https"), "\(report.ids)")
        #expect(report.verdict.summary.contains("HTTPS server (Server: nginx)"), "\(report.verdict.summary)")
    }

    @Test("a listener that is not TLS either keeps the refusal story")
    func notTLSEither() async {
        var scenario = Self.tlsFirst(nil)
        scenario.observations.service?.tls = nil
        scenario.observations.service?.closedDuringTLS = .reset
        let report = await scenario.diagnose()
        #expect(report.has("service.not-tls"), "\(report.ids)")
        #expect(report.has("path.closed-during-x224") || report.has("path.reset-after-connect"), "\(report.ids)")
    }

    @Test("a pin that the server does not match fails the check on every connection that saw it")
    func pinMismatch() async throws {
        var scenario = Scenario().resolved().reachable()
            .defaultClient(.selected(protocol: Proto.hybrid, flags: [])) {
                $0.tls = TLSSessionInfo(version: .tls12, peerChain: [[0x30, 0x01, 0x00]])
            }
        scenario.observations.expectedLeafSHA256 = HexBytes([UInt8](repeating: 0xAB, count: 32))
        let report = await scenario.diagnose()
        let finding = try #require(report.finding("cert.pin-mismatch"))
        #expect(finding.level == .fail)
        #expect(finding.detail.contains("AB:AB:AB"), "expected fingerprint shown")
        #expect(report.verdict.outcome == .fails, "a ✔ above a man in the middle would be a lie: \(report.verdict.summary)")
    }

    @Test("a matching pin is confirmed")
    func pinMatch() async {
        let leaf: [UInt8] = [0x30, 0x01, 0x00]
        var scenario = Scenario().resolved().reachable()
            .defaultClient(.selected(protocol: Proto.hybrid, flags: [])) {
                $0.tls = TLSSessionInfo(version: .tls12, peerChain: [leaf])
            }
        scenario.observations.expectedLeafSHA256 = HexBytes(CertificateKey.sha256(ofDER: leaf))
        let report = await scenario.diagnose()
        #expect(report.finding("cert.pin-matches")?.level == .good, "\(report.ids)")
        #expect(report.verdict.outcome == .reachesCredentials)
    }

    @Test("a server that drops concurrent connections is told, with what rdpdoctor did about it")
    func dropsConcurrent() async throws {
        var scenario = Scenarios.healthyNLA
        var probing = ProbingObservation(limit: 3)
        probing.connections = 13
        probing.highestSimultaneous = 3
        probing.wentSequential = true
        probing.droppedWhileConcurrent = [.negotiation(Proto.rdsaad)]
        probing.answeredAlone = [.negotiation(Proto.rdsaad)]
        scenario.observations.probing = probing
        let report = await scenario.diagnose()
        let finding = try #require(report.finding("tcp.drops-concurrent"))
        #expect(finding.level == .warn)
        #expect(finding.detail.contains("one connection at a time"))
        #expect(report.finding("timing.plan")?.detail.contains("at most 3 at once") == true)
    }

    @Test("a server that stops reading (zero window, bytes unsent) is named, and only then")
    func zeroWindowIsNamed() async throws {
        func stalled(window: Int?, unsent: Int?) async -> CheckReport {
            await Scenario().resolved().reachable()
                .defaultClient(.selected(protocol: Proto.ssl, flags: []), end: .timedOut(step: .tls, waitingFor: .tlsHandshake)) { probe in
                    probe.timings = [.init(step: .tls, startMs: 10)]
                    probe.totalMs = 1810
                    probe.stepDeadlineMs = 1800
                    probe.tcp = TCPStats(
                        rttMs: 0.1, rttVarianceMs: 0, minRTTMs: 0.1, totalRetransmits: 0, lost: 0, segmentsOut: 9, segmentsIn: 9,
                        pathMTU: 1500, sendMSS: 1448, peerWindow: window, unsentBytes: unsent)
                }
                .diagnose()
        }
        let closed = await stalled(window: 0, unsent: 1454)
        let finding = try #require(closed.finding("path.zero-window"), "\(closed.ids)")
        #expect(finding.title.contains("TLS handshake"), "\(finding.title)")
        #expect(finding.detail.contains("1454 bytes"), "\(finding.detail)")
        #expect(!closed.has("path.stall"), "the cause is known: \(closed.ids)")
        #expect(closed.verdict.outcome == .undetermined)
        #expect(closed.verdict.summary.contains("stopped reading"), "\(closed.verdict.summary)")
        // A zero window with nothing waiting, or a kernel that does not report the window, is silence.
        for (window, unsent) in [(0, 0), (nil, 1454), (65535, 1454)] as [(Int?, Int?)] {
            let report = await stalled(window: window, unsent: unsent)
            #expect(!report.has("path.zero-window"), "window \(String(describing: window)), unsent \(String(describing: unsent))")
            #expect(!report.verdict.summary.contains("stopped reading"))
        }
    }
}
