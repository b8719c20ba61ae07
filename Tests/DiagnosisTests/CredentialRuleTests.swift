import Diagnosis
import ProbeCore
import Testing

/// --user / --logon: how the server answered the account (CredentialRules and
/// the credential part of the verdict). Scenarios are in Scenarios.credentialScenarios.
@Suite struct CredentialRuleTests {
    private func report(_ name: String) async throws -> CheckReport {
        let scenario = try #require(Scenarios.credentialScenarios.first { $0.name == name }?.scenario)
        return await scenario.diagnose()
    }

    @Test func acceptedAccountGetsPastNLA() async throws {
        let report = try await report("credential.accepted")
        #expect(report.finding("credssp.accepted")?.level == .good)
        #expect(report.finding("credssp.accepted")?.title == "EXAMPLE\\alice is accepted")
        #expect(report.verdict.outcome == .reachesLogon)
        #expect(report.verdict.step == .credssp)
    }

    @Test func rejectedAccountNamesTheNTSTATUSAndItsClientCode() async throws {
        let report = try await report("credential.rejected")
        let finding = report.finding("credssp.rejected")
        #expect(finding?.level == .fail)
        #expect(finding?.title == "EXAMPLE\\alice is refused: STATUS_LOGON_FAILURE")
        #expect(finding?.codes.first == "ntstatus:0xC000006D")
        #expect(finding?.codes.contains("disconnect:0x807") == true)
        #expect(report.verdict.outcome == .fails)
        #expect(report.verdict.step == .credssp)
        #expect(report.verdict.errorCode == "disconnect:0x807")
        #expect(report.verdict.extendedCode == "ntstatus:0xC000006D")
    }

    @Test func closedAfterAuthenticate() async throws {
        let report = try await report("credential.closed")
        #expect(report.finding("credssp.closed-after-authenticate")?.codes == ["ntstatus:0xC000006D", "disconnect:0x807"])
        #expect(report.verdict.errorCode == "disconnect:0x807")
    }

    @Test(arguments: [
        ("credential.key-mismatch", "credssp.server-key-mismatch"),
        ("credential.ntlm-unavailable", "credssp.ntlm-unavailable"),
        ("credential.early-authorization-denied", "credssp.early-authorization-denied"),
    ])
    func failingOutcomes(scenario: String, id: String) async throws {
        let report = try await report(scenario)
        #expect(report.finding(id)?.level == .fail)
        #expect(report.verdict.outcome == .fails)
        #expect(report.verdict.step == .credssp)
        #expect(report.exitStatus == 2)
    }

    @Test func notSentIsAWarningAndLeavesTheVerdict() async throws {
        let report = try await report("credential.not-sent")
        #expect(report.finding("credssp.not-sent")?.level == .warn)
        #expect(report.verdict.outcome == .reachesCredentials)
    }

    @Test func logonThroughToTheSession() async throws {
        let report = try await report("logon.session")
        #expect(report.finding("logon.session")?.level == .good)
        #expect(report.verdict.outcome == .reachesLogon)
        #expect(report.verdict.step == .capabilities)
    }

    @Test func errorInfoAfterTheLogon() async throws {
        let report = try await report("logon.error-info")
        let finding = report.finding("logon.error-info")
        #expect(finding?.level == .fail)
        #expect(finding?.codes == ["errinfo:0x9", "extended:0x9"])
        #expect(report.verdict.outcome == .fails)
        #expect(report.verdict.extendedCode == "errinfo:0x9")
    }

    @Test func anUntrustedServerNeverGetsTheAccount() async throws {
        let report = try await report("logon.refused")
        let finding = report.finding("credssp.account-not-tried")
        #expect(finding?.level == .warn)
        #expect(finding?.detail.contains("sent nothing derived from the password") == true, "\(finding?.detail ?? "")")
        #expect(finding?.fixes.contains { $0.contains("--cert-sha256") } == true)
        #expect(finding?.fixes.contains { $0.contains("--insecure") } == true)
        #expect(report.verdict.outcome == .reachesCredentials, "\(report.verdict.summary)")
    }

    @Test func aRefusedAccountExplainsACloseDuringCredSSP() async {
        let scenario = Scenarios.credential(
            .closedAfterAuthenticate,
            end: .peerClosed(.fin, step: .credssp, waitingFor: .ntlmChallenge))
        let report = await scenario.diagnose()
        #expect(report.verdict.outcome == .fails)
        #expect(report.verdict.errorCode == "disconnect:0x807")
    }

    @Test func whatWasSentIsSaidExactly() async throws {
        let report = try await report("credential.accepted")
        let detail = report.finding("credssp.accepted")?.detail ?? ""
        #expect(detail.contains("NTLMv2 response computed from the password (not the password)"), "\(detail)")
        #expect(detail.contains("trusted for the host name"), "\(detail)")
        #expect(detail.contains("(TSCredentials) were not sent"), "\(detail)")
    }
}
