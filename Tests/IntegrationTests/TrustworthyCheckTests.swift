import CertificateAudit
import Diagnosis
import Foundation
import ProbeCore
import Testing
import Transport

#if canImport(Glibc)
    import Glibc
#endif

/// Servers and middleboxes rdpdoctor never met (issue "Trustworthy on servers we
/// never met"): weston's RDP backend, a single-threaded relay, a slow path, ports
/// that speak TLS first, and a man in the middle. Every case here once produced a
/// wrong verdict, harmed a real client, or handed out an NTLMv2 hash.
@Suite("check is trustworthy on servers it never met", .serialized)
struct TrustworthyCheckTests {
    // MARK: - Politeness

    @Test("weston: every full check tells the same, true story (it used to say MCS or licensing fails in 9 of 10)")
    func westonVerdictIsStable() async throws {
        for round in 1...6 {
            let report = try await Testbed.check("WESTON")
            #expect(report.verdict.outcome == .reachesLogon, "round \(round): \(report.verdict.summary)")
            #expect((report.observations.probing?.highestSimultaneous ?? 99) <= CheckCoordinator.maximumSimultaneousConnections)
            #expect(report.has("session.maybe-no-logon"), "weston gives a desktop without logon: \(report.ids)")
        }
    }

    @Test(
        "a real xfreerdp session, started while checks run, survives them",
        arguments: [("XRDP_NEGOTIATE", [String]()), ("SHADOW_NLA", ["/u:tester", "/p:Correct-Horse-9"])])
    func realSessionSurvivesChecks(server: String, credentials: [String]) async throws {
        let port = try Testbed.port(server)
        let checks = Task {
            var verdicts: [Verdict.Outcome] = []
            for _ in 1...5 { verdicts.append(try await Testbed.check(server).verdict.outcome) }
            return verdicts
        }
        // Connect while the first check is under way.
        try await Task.sleep(for: .milliseconds(20))
        let client = try RealClient.start(["/v:127.0.0.1", "/port:\(port)", "/cert:ignore"] + credentials)
        defer { client.stop() }
        try await Task.sleep(for: .milliseconds(2500))
        #expect(client.isRunning, "\(server): the client's session died while checks ran: \(client.output)")
        let verdicts = try await checks.value
        #expect(verdicts.allSatisfy { $0 != .fails && $0 != .undetermined }, "\(server): \(verdicts)")
        try await Task.sleep(for: .milliseconds(500))
        #expect(client.isRunning, "\(server): the session did not survive the checks: \(client.output)")
    }

    /// weston 10 (FreeRDP 2 inside) drops a connection that is in the middle of
    /// its setup when another connection ends at that moment, whoever opened it:
    /// three bare X.224 requests from a script, closed on the answer, dropped a
    /// connecting xfreerdp in 6 of 20 tries, and none in 20 without them
    /// (bench/weston-neighbour.sh, docs/BENCHMARKS.md). Every probe ends before a
    /// session, so no pacing shields a client that connects at that instant;
    /// what a check must not do is harm a session that is up.
    @Test("weston: a real xfreerdp session that is up survives five checks")
    func westonSessionSurvivesChecks() async throws {
        let port = try Testbed.port("WESTON")
        let client = try RealClient.start(["/v:127.0.0.1", "/port:\(port)", "/cert:ignore"])
        defer { client.stop() }
        try await Task.sleep(for: .milliseconds(2500))
        try #require(client.isRunning, "the session did not come up before any check: \(client.output)")
        for round in 1...5 {
            let outcome = try await Testbed.check("WESTON").verdict.outcome
            #expect(outcome == .reachesLogon, "round \(round): \(outcome)")
        }
        try await Task.sleep(for: .milliseconds(500))
        #expect(client.isRunning, "the session did not survive the checks: \(client.output)")
    }

    @Test("a single-threaded relay: answered, never called silent or 'only standard RDP security'")
    func singleThreadedRelay() async throws {
        let report = try await Testbed.check("SLOW_SINGLE")
        #expect(report.verdict.outcome == .reachesLogon, "\(report.verdict.summary)")
        #expect(!report.has("x224.silent") && !report.has("x224.rdp-security-only"), "\(report.ids)")
        #expect(
            report.finding("tls.versions")?.title.contains("TLS 1.3") == true,
            "\(report.finding("tls.versions")?.title ?? "")")
    }

    // MARK: - Deadlines

    @Test("a slow path (every reply 1.5 s late) with --timeout 15: no false 'only TLS 1.3', the deadline holds")
    func slowPath() async throws {
        let clock = ContinuousClock()
        let start = clock.now
        let report = try await Testbed.check("DELAY_PROXY", timeoutMs: 15000)
        let elapsed = clock.now - start
        #expect(elapsed < .milliseconds(16500), "took \(elapsed) for a 15 s deadline")
        #expect(report.verdict.outcome == .reachesLogon, "\(report.verdict.summary)")
        #expect(!report.has("tls.only-tls13") && !report.has("tls.no-tls12"), "\(report.ids)")
        let deadline = try #require(report.observations.defaultClient?.stepDeadlineMs)
        #expect(deadline > 3000, "the first step deadline follows --timeout, not a fixed 3 s (\(deadline))")
    }

    @Test("a slow path with --timeout 10: the check ends within 10 %, and says it could not tell")
    func slowPathShortBudget() async throws {
        let clock = ContinuousClock()
        let start = clock.now
        let report = try await Testbed.check("DELAY_PROXY", timeoutMs: 10000)
        let elapsed = clock.now - start
        #expect(elapsed < .milliseconds(11000), "took \(elapsed) for a 10 s deadline")
        #expect(report.verdict.outcome != .fails, "silence is not a failure: \(report.verdict.summary)")
    }

    // MARK: - Naming what answers

    @Test(
        "TLS-first ports are named: an RD Gateway and an HTTPS server, not a firewall",
        arguments: [
            ("TLS_ONLY_GATEWAY", "service.rd-gateway"), ("TLS_ONLY_WEB", "service.https"),
        ])
    func tlsFirstPorts(server: String, id: String) async throws {
        let report = try await Testbed.check(server)
        #expect(report.has(id), "\(report.ids)")
        #expect(!report.ids.contains { $0.hasPrefix("path.reset") || $0.hasPrefix("path.closed") }, "\(report.ids)")
        #expect(report.verdict.summary.contains("TLS from the first byte"), "\(report.verdict.summary)")
    }

    @Test("an SSH greeting is quoted as text")
    func sshBanner() async throws {
        let report = try await Testbed.check("SSH_LIKE_PORT")
        #expect(report.observations.defaultClient?.banner == "SSH-2.0-OpenSSH_9.2")
        #expect(report.verdict.summary.contains("SSH-2.0-OpenSSH_9.2"), "\(report.verdict.summary)")
    }

    // MARK: - A man in the middle

    static let account = CredentialRequest(
        user: "tester", domain: "", password: "Correct-Horse-9", logon: false,
        insecure: false)

    /// The NTLM AUTHENTICATE messages the man in the middle has seen so far.
    static func authenticatesSeen() -> Int {
        let log = Testbed.stateDirectory.appendingPathComponent("logs/mitm-ntlm.log")
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").filter { $0.hasPrefix("AUTHENTICATE") }.count
    }

    /// The real server's leaf (the shadow server's certificate), SHA-256.
    static func realLeafSHA256() async throws -> [UInt8] {
        let report = try await Testbed.check("SHADOW_NLA")
        return CertificateKey.sha256(ofDER: try #require(report.observations.defaultClient?.tls?.peerChain.first))
    }

    @Test("pinned to the real server: the mismatch is a failure on every connection, and no hash leaves")
    func pinnedMismatch() async throws {
        let pin = try await Self.realLeafSHA256()
        let before = Self.authenticatesSeen()
        let report = try await Testbed.check("MITM_NLA") { options in
            options.credentials = Self.account
            options.pinnedLeafSHA256 = pin
        }
        #expect(report.finding("cert.pin-mismatch")?.level == .fail, "\(report.ids)")
        #expect(report.verdict.outcome == .fails, "\(report.verdict.summary)")
        guard case .withheld(.pinMismatch)? = report.observations.credentialCheck?.decision else {
            Issue.record("\(String(describing: report.observations.credentialCheck?.decision))")
            return
        }
        #expect(Self.authenticatesSeen() == before, "rdpdoctor sent an NTLM AUTHENTICATE to the man in the middle")
    }

    @Test("untrusted and unpinned: the check stops after the CHALLENGE and says so; no hash leaves")
    func untrustedWithheld() async throws {
        let before = Self.authenticatesSeen()
        let report = try await Testbed.check("MITM_NLA") { $0.credentials = Self.account }
        #expect(report.observations.credentialCheck?.decision == .withheld(.untrusted))
        #expect(report.finding("credssp.account-not-tried")?.detail.contains("sent nothing derived from the password") == true)
        #expect(report.observations.defaultClient?.credssp?.challengeAtMs != nil, "the CHALLENGE was read")
        #expect(Self.authenticatesSeen() == before)
    }

    @Test("--insecure: the hash goes (the MITM logs it) and CredSSP's key binding exposes the interception")
    func insecureShowsWhyTheGateMatters() async throws {
        let before = Self.authenticatesSeen()
        let report = try await Testbed.check("MITM_NLA") { options in
            options.credentials = CredentialRequest(
                user: "tester", domain: "", password: "Correct-Horse-9",
                logon: false, insecure: true)
        }
        #expect(report.observations.credentialCheck?.decision == .sent(.insecure))
        #expect(Self.authenticatesSeen() > before, "the man in the middle saw the AUTHENTICATE")
        let outcome = report.observations.credentialCheck?.credential?.outcome
        #expect(outcome == .serverKeyMismatch || outcome == .closedAfterAuthenticate, "\(String(describing: outcome))")
    }
}

/// A real xfreerdp client session on the testbed's X display. Its output goes to
/// a file (a pipe nobody reads would fill and stall the client).
final class RealClient: @unchecked Sendable {
    let process = Process()
    let log: URL

    init() {
        log = FileManager.default.temporaryDirectory.appendingPathComponent("rdpdoctor-xfreerdp-\(UUID().uuidString).log")
    }

    static func start(_ arguments: [String], environment extra: [String: String] = [:]) throws -> RealClient {
        let client = RealClient()
        _ = FileManager.default.createFile(atPath: client.log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: client.log)
        client.process.executableURL = URL(fileURLWithPath: "/usr/bin/xfreerdp")
        client.process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["DISPLAY"] = Testbed.display
        environment.merge(extra) { $1 }
        client.process.environment = environment
        client.process.standardOutput = handle
        client.process.standardError = handle
        try client.process.run()
        return client
    }

    var isRunning: Bool { process.isRunning }

    /// The end of what the client printed, and its exit status once it has exited.
    var output: String {
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        let status = process.isRunning ? "running" : "exit \(process.terminationStatus)"
        return status + ": " + String(text.suffix(1500))
    }

    /// SIGTERM, then SIGKILL after 3 s; polls rather than `waitUntilExit`, which
    /// spins a CPU on Linux when called off the main thread.
    func stop() {
        if process.isRunning { process.terminate() }
        for _ in 0..<300 where process.isRunning { usleep(10_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        for _ in 0..<300 where process.isRunning { usleep(10_000) }
        try? FileManager.default.removeItem(at: log)
    }
}
