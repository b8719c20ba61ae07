import ProbeCore
import Testing

@testable import Diagnosis

/// A captured connection's verdict speaks of the client that made it, in the
/// past, and of the code it most likely showed; the same walk checked live
/// keeps the check's wording about a default client.
@Suite("verdicts on captured connections")
struct CapturedVerdictTests {
    static func captured(_ scenario: Scenario, closedBy: CaptureFacts.Side? = .server) -> Scenario {
        var copy = scenario
        var facts = CaptureFacts()
        facts.closedBy = closedBy
        copy.observations.capture = facts
        return copy
    }

    @Test("a reset during TLS: the same step and codes, told as what happened")
    func resetDuringTLS() async {
        let live = await Scenarios.tlsReset.diagnose()
        let capture = await Self.captured(Scenarios.tlsReset).diagnose()
        #expect(live.verdict.summary.contains("would"))
        #expect(capture.verdict.step == live.verdict.step)
        #expect(capture.verdict.errorCode == live.verdict.errorCode)
        #expect(capture.verdict.extendedCode == live.verdict.extendedCode)
        #expect(capture.verdict.summary.contains("the server reset the connection"), "\(capture.verdict.summary)")
        #expect(capture.verdict.summary.contains("most likely showed 0x904 / 0x7"), "\(capture.verdict.summary)")
        #expect(!capture.verdict.summary.contains("would"), "\(capture.verdict.summary)")
    }

    @Test(
        "no capture verdict speaks as if rdpdoctor had connected, or of a default client",
        arguments: ["tlsReset", "foreignHTTP"])
    func noLiveWording(_ name: String) async {
        let scenario = name == "tlsReset" ? Scenarios.tlsReset : Scenarios.foreignHTTP
        let report = await Self.captured(scenario).diagnose()
        for phrase in ["would", "rdpdoctor", "default Microsoft client", "--user", "--timeout"] {
            #expect(!report.verdict.summary.contains(phrase), "\(name): \(report.verdict.summary)")
        }
    }

    @Test("findings on a capture: no survey of requests it does not hold, no kernel statistics, what this client offered")
    func findingsTellTheCapture() async {
        let live = await Scenarios.tlsReset.diagnose()
        let capture = await Self.captured(Scenarios.tlsReset).diagnose()
        #expect(live.findings.contains { $0.id == .x224Protocols })
        #expect(!capture.findings.contains { $0.id == .x224Protocols })
        let text = capture.findings.map { "\($0.title) \($0.detail)" }.joined(separator: "\n")
        for phrase in ["Default client replay", "kernel", "what mstsc offers"] {
            #expect(!text.contains(phrase), "\(phrase): \(text)")
        }
        if let added = capture.findings.first(where: { $0.id == .verdictFails }) { #expect(added.title.contains("failed")) }
    }
}
