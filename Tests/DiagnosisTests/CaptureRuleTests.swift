import Catalogue
import ProbeCore
import Testing

@testable import Diagnosis

/// The rules over what only a capture shows (`analyze`).
@Suite("capture rules")
struct CaptureRuleTests {
    static func findings(_ facts: CaptureFacts) -> [Finding] {
        var observations = CheckObservations(target: Target(host: "10.0.0.2", port: 3389), startedAtUnix: 0, timeoutMs: 0)
        observations.capture = facts
        return CaptureRules.findings(RuleInput(observations: observations, catalogue: .current, certificate: nil))
    }

    @Test("full-size segments sent again: the MTU black-hole signature, with the path-stall codes")
    func mtuSignature() {
        var facts = CaptureFacts()
        facts.fromServer.retransmissions = 4
        facts.fromServer.largestRetransmitted = 1460
        let finding = Self.findings(facts).first { $0.id == .captureFullSizeRetransmitted }
        #expect(finding?.level == .warn)
        #expect(finding?.codes.contains(CatalogueKey(.disconnect, 0x904)) == true)
        facts.fromServer.largestRetransmitted = 120
        #expect(Self.findings(facts).map(\.id) == [.captureRetransmissions], "small retransmissions are only loss")
    }

    @Test("a reset after long silence is an idle timeout; a FIN is not")
    func idleReset() {
        var facts = CaptureFacts()
        facts.closedBy = .server
        facts.closeKind = .reset
        facts.closedAtMs = 120_000
        facts.idleBeforeCloseMs = 90_000
        #expect(Self.findings(facts).contains { $0.id == .captureIdleReset })
        facts.closeKind = .fin
        #expect(!Self.findings(facts).contains { $0.id == .captureIdleReset })
        #expect(Self.findings(facts).contains { $0.id == .captureServerClosed })
    }

    @Test("a live check has no capture facts and gets no capture findings")
    func liveCheck() {
        let observations = CheckObservations(target: Target(host: "h", port: 3389), startedAtUnix: 0, timeoutMs: 0)
        #expect(CaptureRules.findings(RuleInput(observations: observations, catalogue: .current, certificate: nil)).isEmpty)
    }
}
