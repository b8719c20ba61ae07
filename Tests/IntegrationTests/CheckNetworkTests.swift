import Diagnosis
import ProbeCore
import Testing

/// `check` against ports that are not RDP servers.
@Suite("check against closed, silent and non-RDP ports", .serialized)
struct CheckNetworkTests {
    @Test("a closed port: refused, the client would show 0x204")
    func closedPort() async throws {
        let report = try await Testbed.check("CLOSED_PORT")
        #expect(report.verdict.outcome == .fails)
        #expect(report.verdict.step == .tcp)
        #expect(report.verdict.errorCode == "disconnect:0x204")
        #expect(report.has("tcp.refused"))
        #expect(report.exitStatus == 2)
    }

    @Test("an HTTP server is named as such")
    func httpPort() async throws {
        let report = try await Testbed.check("HTTP_PORT")
        #expect(report.observations.defaultClient?.foreignService == .http)
        #expect(report.has("x224.not-rdp"))
        #expect(report.verdict.outcome == .fails)
    }

    @Test("an SSH server is named as such")
    func sshPort() async throws {
        let report = try await Testbed.check("SSH_LIKE_PORT")
        #expect(report.observations.defaultClient?.foreignService == .ssh)
        #expect(report.has("x224.not-rdp"))
    }

    @Test("a port that accepts and never answers: the deadline holds within 10 %")
    func silentPort() async throws {
        let clock = ContinuousClock()
        let start = clock.now
        let report = try await Testbed.check("SILENT_PORT", timeoutMs: 2000)
        let elapsed = clock.now - start
        #expect(report.has("x224.silent"), "\(report.ids)")
        // Silence is not a refusal: the verdict says it could not tell, and how long it waited.
        #expect(report.verdict.outcome == .undetermined, "\(report.verdict.summary)")
        #expect(report.verdict.step == .x224)
        #expect(report.verdict.summary.contains("within 12"), "waited 60 % of the 2 s budget: \(report.verdict.summary)")
        #expect(report.exitStatus == 4)
        // Asked with TLS from the first byte, it stays silent too: not an HTTPS service.
        #expect(report.observations.service?.noAnswerDuring == .tls, "\(String(describing: report.observations.service))")
        #expect(report.has("service.not-tls"), "\(report.ids)")
        #expect(elapsed < .milliseconds(2200), "took \(elapsed) for a 2 s deadline")
    }
}
