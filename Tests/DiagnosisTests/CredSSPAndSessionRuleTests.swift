import Diagnosis
import ProbeCore
import Testing

@Suite struct CredSSPRuleTests {
    private func challenge(_ credssp: CredSSPObservation, startedAt: Double = 1_800_000_000) -> Scenario {
        Scenario(startedAtUnix: startedAt)
            .defaultClient(.selected(protocol: Proto.hybrid, flags: [])) { $0.credssp = credssp }
    }

    @Test func serverTenMinutesAheadIsClockSkew() async {
        let report = await Scenarios.clockSkew.diagnose()
        let finding = report.finding("credssp.clock-skew")
        #expect(finding?.level == .warn)
        #expect(finding?.title == "The server's clock is 600 s ahead of this machine's")
        #expect(finding?.codes == ["ntstatus:0xC0000133", "sspi:0x80090324"])
        #expect(finding?.fixes.isEmpty == false)
        #expect(!report.has("credssp.clock"))
    }

    @Test func serverBehindIsClockSkewToo() async {
        let report = await challenge(.windows(serverTimeUnix: 1_800_000_000 - 400)).diagnose()
        #expect(report.finding("credssp.clock-skew")?.title == "The server's clock is 400 s behind this machine's")
    }

    @Test func twentySecondsIsGood() async {
        let report = await challenge(.windows(serverTimeUnix: 1_800_000_020)).diagnose()
        let finding = report.finding("credssp.clock")
        #expect(finding?.level == .good)
        #expect(finding?.title == "The server's clock agrees with this machine's (within 20 s)")
        #expect(finding?.codes == [])
        #expect(!report.has("credssp.clock-skew"))
    }

    @Test func theChallengeArrivalTimeIsAccountedFor() async {
        // The challenge came 200 s into the check; the server's clock reads 400 s after the start: 200 s skew.
        let report = await challenge(.windows(serverTimeUnix: 1_800_000_400, challengeAtMs: 200_000)).diagnose()
        #expect(report.finding("credssp.clock")?.title == "The server's clock agrees with this machine's (within 200 s)")
    }

    @Test func oldCredSSPVersion() async {
        let report = await Scenarios.clockSkew.diagnose()
        let finding = report.finding("credssp.old-version")
        #expect(finding?.level == .warn)
        #expect(finding?.title == "The server speaks CredSSP version 3")
        #expect(finding?.codes == ["sspi:0x80090302"])
    }

    @Test func currentVersionsAreNotOld() async {
        for version in [5, 6] {
            let report = await challenge(.windows(version: version, serverTimeUnix: nil)).diagnose()
            #expect(!report.has("credssp.old-version"), "version \(version)")
        }
    }

    @Test func targetInfoListsWhatTheChallengeRevealed() async {
        let report = await challenge(.windows(serverTimeUnix: nil)).diagnose()
        #expect(
            report.finding("credssp.target-info")?.detail
                == "CredSSP version 6, computer rdp01.example.test, domain example.test, NetBIOS domain EXAMPLE, Windows version 10.0.20348.")
        #expect(!report.has("credssp.clock") && !report.has("credssp.clock-skew"))
    }

    @Test func serverErrorCodeIsAFailWithTheNTSTATUS() async {
        let report = await Scenarios.credsspServerError.diagnose()
        let finding = report.finding("credssp.server-error")
        #expect(finding?.level == .fail)
        #expect(finding?.codes == ["ntstatus:0xC00000BB"])
    }

    @Test func noChallengeNoCredSSPFindings() async {
        let report = await Scenario().defaultClient(.selected(protocol: Proto.hybrid, flags: [])).diagnose()
        #expect(!report.findings.contains { $0.section == .credssp })
    }
}

@Suite struct SessionRuleTests {
    private func session(_ edit: @escaping (inout SessionObservation) -> Void) -> Scenario {
        Scenario().defaultClient(.selected(protocol: Proto.ssl, flags: [])) { $0.session = .with(edit) }
    }

    @Test func validClient() async {
        let report = await Scenarios.demandActive.diagnose()
        let finding = report.finding("licensing.valid-client")
        #expect(finding?.level == .good)
        #expect(finding?.codes == ["license:0x7"])
    }

    @Test func demandActiveShowsTheLogonScreen() async {
        let report = await Scenarios.demandActive.diagnose()
        #expect(report.finding("session.started")?.level == .good)
        // Without negotiation probes the only warning is that the default client got TLS, not CredSSP.
        #expect(report.findings.filter { $0.level >= .warn }.map(\.id) == [.x224NoNla])
        #expect(report.exitStatus == 1)
    }

    @Test func errorInfoFindingCarriesTheErrinfoCode() async {
        let report = await Scenarios.serverDeniedErrorInfo.diagnose()
        let findings = report.findings("session.error-info")
        #expect(findings.count == 1, "error info 0 is not an error")
        #expect(findings.first?.level == .fail)
        #expect(findings.first?.codes == ["errinfo:0x7"])
        #expect(findings.first?.title == "The server sent error info 0x7")
    }

    @Test func licensingErrorIsAFailWithItsCodes() async {
        let report = await Scenarios.licensingNoLicense.diagnose()
        let finding = report.finding("licensing.error")
        #expect(finding?.level == .fail)
        #expect(finding?.codes == ["license:0x2", "licensestate:0x2", "disconnect:0x808"])
    }

    @Test func licenseRequestRedirectionAndOtherMessagesAreInfo() async {
        let request = await session {
            $0.licensing = .licenseRequest; $0.demandActive = true
        }.diagnose()
        #expect(request.finding("licensing.request")?.level == .info)
        #expect(request.finding("licensing.request")?.detail.contains("went on") == true)

        let redirected = await session { $0.redirected = true }.diagnose()
        #expect(redirected.finding("session.redirected")?.level == .info)

        let other = await session { $0.licensing = .other(messageType: 0x13) }.diagnose()
        #expect(other.finding("licensing.other")?.title == "Licensing message type 0x13")
    }

    @Test func noSessionNoSessionFindings() async {
        let report = await Scenario().defaultClient(.selected(protocol: Proto.ssl, flags: [])).diagnose()
        #expect(!report.findings.contains { $0.section == .session })
    }
}
