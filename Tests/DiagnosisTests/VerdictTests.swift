import Diagnosis
import ProbeCore
import Testing

/// Where a default Microsoft client would stop, and the code pair it would show.
@Suite struct VerdictTests {
    @Test func dnsErrorFailsAtNameResolution() async {
        let report = await Scenarios.dnsFailure.diagnose()
        #expect(report.verdict.outcome == .fails)
        #expect(report.verdict.step == .dns)
        #expect(report.verdict.errorCode == "disconnect:0x104")
        #expect(report.verdict.extendedCode == nil)
        #expect(report.verdict.summary.contains("NXDOMAIN"))
    }

    @Test func everyAddressRefusedFailsAtTCP() async {
        let report = await Scenarios.allRefused.diagnose()
        #expect(report.verdict.outcome == .fails)
        #expect(report.verdict.step == .tcp)
        #expect(report.verdict.errorCode == "disconnect:0x204")
    }

    @Test func everyAddressTimingOutFailsAtTCP() async {
        let report = await Scenario().resolved(["192.0.2.10"]).unreachable("192.0.2.10", .timedOut).diagnose()
        #expect(report.verdict.outcome == .fails)
        #expect(report.verdict.step == .tcp)
        #expect(report.verdict.errorCode == "disconnect:0x204")
    }

    @Test(arguments: [
        ConnectionEnd.refused, .unreachable("no route to host"), .timedOut(step: .tcp, waitingFor: .tcpConnection),
    ])
    func defaultClientThatCannotConnectFailsAtTCP(end: ConnectionEnd) async {
        let report = await Scenario().resolved().defaultClient(nil, end: end) { probe in
            probe.timings = [.step(.tcp, from: 0, took: nil)]
            probe.totalMs = 3000
        }.diagnose()
        #expect(report.verdict.outcome == .fails)
        #expect(report.verdict.step == .tcp)
        #expect(report.verdict.errorCode == "disconnect:0x204")
    }

    @Test func theBudgetRunningOutIsToldApartFromASilentStep() async {
        var scenario = Scenario().resolved()
            .defaultClient(
                .selected(protocol: Proto.ssl, flags: []),
                end: .timedOut(step: .licensing, waitingFor: .licensing)
            ) { probe in
                probe.timings = [.step(.tcp, from: 0, took: 1), .step(.licensing, from: 9000, took: nil)]
                probe.totalMs = 9926
                probe.stepDeadlineMs = 6000
            }
        scenario.observations.timeoutMs = 10000
        let report = await scenario.diagnose()
        #expect(report.verdict.outcome == .undetermined)
        #expect(report.verdict.summary.contains("budget ran out during licensing, 926 ms into that step"), "\(report.verdict.summary)")
    }

    @Test func aShortUnansweredConnectIsNoEvidence() async {
        let report = await Scenario().resolved()
            .defaultClient(nil, end: .timedOut(step: .tcp, waitingFor: .tcpConnection)) { probe in
                probe.timings = [.step(.tcp, from: 0, took: nil)]
                probe.totalMs = 600
            }.diagnose()
        #expect(report.verdict.outcome == .undetermined, "\(report.verdict.summary)")
        #expect(report.verdict.summary.contains("within 600 ms"), "\(report.verdict.summary)")
        #expect(report.exitStatus == 4)
    }

    @Test func nothingObservedIsUndetermined() async {
        let report = await Scenario().diagnose()
        #expect(report.verdict.outcome == .undetermined)
        #expect(report.verdict.step == nil)
        #expect(report.verdict.errorCode == nil)
    }

    @Test func silenceDuringTLSIsCouldNotTellNotAFailure() async {
        let report = await Scenarios.tlsTimeout.diagnose()
        #expect(report.verdict.outcome == .undetermined)
        #expect(report.verdict.step == .tls)
        #expect(report.verdict.summary.hasPrefix("Could not tell: no answer during the TLS handshake within"), "\(report.verdict.summary)")
        #expect(report.verdict.errorCode == nil)
        #expect(!report.findings.contains { $0.level == .fail }, "\(report.ids)")
        #expect(report.exitStatus == 4)
    }

    @Test func resetDuringTLSFailsThereWith904And7() async {
        let report = await Scenarios.tlsReset.diagnose()
        #expect(report.verdict.outcome == .fails)
        #expect(report.verdict.step == .tls)
        #expect(report.verdict.errorCode == "disconnect:0x904")
        #expect(report.verdict.extendedCode == "extended:0x7")
        #expect(report.verdict.summary.contains("resets"))
    }

    @Test func tlsHandshakeFailureFailsAtTLS() async {
        let report = await Scenario()
            .defaultClient(.selected(protocol: Proto.ssl, flags: []), end: .tlsFailed("alert handshake_failure"))
            .diagnose()
        #expect(report.verdict.outcome == .fails)
        #expect(report.verdict.step == .tls)
        #expect(report.verdict.errorCode == "disconnect:0x904")
        #expect(report.verdict.extendedCode == "extended:0x7")
    }

    @Test func foreignHTTPServiceFailsAtX224() async {
        let report = await Scenarios.foreignHTTP.diagnose()
        #expect(report.verdict.outcome == .fails)
        #expect(report.verdict.step == .x224)
        #expect(report.verdict.errorCode == "disconnect:0x904")
        #expect(report.verdict.extendedCode == "extended:0x7")
        #expect(report.verdict.summary.contains("an HTTP service"))
    }

    @Test func undecodableBytesFailAtTheirStep() async {
        let report = await Scenario()
            .defaultClient(nil, end: .protocolError(step: .x224, message: "TPKT version 0x16")) { $0.unexpectedBytes = "1603010200" }
            .diagnose()
        #expect(report.verdict.outcome == .fails)
        #expect(report.verdict.step == .x224)
        // Framed but undecodable bytes are a protocol error, not a foreign service.
        #expect(report.verdict.summary.contains("do not decode"))
    }

    @Test func selectedCredSSPReachesTheCredentialPrompt() async {
        for selected in [Proto.hybrid, Proto.hybridEx] {
            let report = await Scenario().resolved().reachable()
                .defaultClient(.selected(protocol: selected, flags: [])) {
                    $0.tls = TLSSessionInfo(version: .tls12, peerChain: Scenarios.leafChain)
                }
                .diagnose()
            #expect(report.verdict.outcome == .reachesCredentials, "selected 0x\(String(selected.rawValue, radix: 16))")
            #expect(report.verdict.step == .credssp)
            #expect(report.verdict.errorCode == nil)
        }
    }

    @Test func demandActiveReachesTheLogonScreen() async {
        let report = await Scenarios.demandActive.diagnose()
        #expect(report.verdict.outcome == .reachesLogon)
        #expect(report.verdict.step == .capabilities)
        #expect(report.verdict.errorCode == nil && report.verdict.extendedCode == nil)
    }

    @Test func errorInfoFailsWithItAsTheExtendedCode() async {
        let report = await Scenarios.serverDeniedErrorInfo.diagnose()
        #expect(report.verdict.outcome == .fails)
        #expect(report.verdict.extendedCode == "errinfo:0x7")
    }

    @Test func errorInfoWinsOverDemandActive() async {
        let report = await Scenario()
            .defaultClient(.selected(protocol: Proto.ssl, flags: [])) {
                $0.session = .with {
                    $0.demandActive = true; $0.errorInfo = [0x9]
                }
            }
            .diagnose()
        #expect(report.verdict.outcome == .fails)
        #expect(report.verdict.extendedCode == "errinfo:0x9")
    }

    @Test func licensingErrorFailsWithTheLicenseCode() async {
        let report = await Scenarios.licensingNoLicense.diagnose()
        #expect(report.verdict.outcome == .fails)
        #expect(report.verdict.step == .licensing)
        #expect(report.verdict.errorCode == "disconnect:0x808")
        #expect(report.verdict.extendedCode == "license:0x2")
    }

    @Test func redirectionReachesLogon() async {
        let report = await Scenario()
            .defaultClient(.selected(protocol: Proto.ssl, flags: [])) { $0.session = .with { $0.redirected = true } }
            .diagnose()
        #expect(report.verdict.outcome == .reachesLogon)
        #expect(report.verdict.summary.contains("redirects"))
    }

    @Test func sslNotAllowedOnTheDefaultClientReachesLogonWithStandardSecurity() async {
        let report = await Scenarios.standardSecurityOnly.diagnose()
        #expect(report.verdict.outcome == .reachesLogon)
        #expect(report.verdict.step == .x224)
        #expect(report.verdict.errorCode == nil)
        #expect(report.verdict.summary.contains("standard RDP security"))
    }

    @Test func otherNegotiationFailuresFailAtX224WithTheirCode() async {
        let report = await Scenario().defaultClient(.failure(code: .sslWithUserAuthRequiredByServer)).diagnose()
        #expect(report.verdict.outcome == .fails)
        #expect(report.verdict.step == .x224)
        #expect(report.verdict.errorCode == "negfailure:6")
    }

    @Test func disconnectInsteadOfConfirmFailsAtX224() async {
        let report = await Scenarios.negotiationDisconnected.diagnose()
        #expect(report.verdict.outcome == .fails)
        #expect(report.verdict.step == .x224)
        #expect(report.verdict.errorCode == "disconnect:0x904")
        #expect(report.verdict.extendedCode == "extended:0x7")
    }

    @Test func credSSPErrorCodeFailsAtCredSSPWithTheNTSTATUS() async {
        let report = await Scenarios.credsspServerError.diagnose()
        #expect(report.verdict.outcome == .fails)
        #expect(report.verdict.step == .credssp)
        #expect(report.verdict.extendedCode == "ntstatus:0xC00000BB")
    }

    @Test func noNegotiationDataReachesLogonWithStandardSecurity() async {
        let report = await Scenarios.weakStandardSecurity.diagnose()
        // demandActive is set there too; without a session the verdict still reaches logon at MCS.
        #expect(report.verdict.outcome == .reachesLogon)
        let bare = await Scenario().defaultClient(.noNegotiationData).diagnose()
        #expect(bare.verdict.outcome == .reachesLogon)
        #expect(bare.verdict.step == .mcs)
    }

    @Test func localErrorIsUndetermined() async {
        let report = await Scenario().defaultClient(nil, end: .localError("could not create the TLS context")).diagnose()
        #expect(report.verdict.outcome == .undetermined)
    }
}

/// The exit status the CLI returns: 0 clean, 1 warnings (or undetermined), 2 failures.
@Suite struct ExitStatusTests {
    @Test func healthyHostIsCleanWithOnlyGoodAndInfo() async {
        let report = await Scenarios.healthyNLA.diagnose()
        let levels = Set(report.findings.map(\.level))
        #expect(levels.isSubset(of: [.good, .info]), "unexpected: \(report.findings.filter { $0.level > .info }.map(\.id))")
        #expect(report.verdict.outcome == .reachesCredentials)
        #expect(report.exitStatus == 0)
    }

    @Test func aWarningGivesOne() async {
        let report = await Scenarios.nlaOptional.diagnose()
        #expect(report.verdict.outcome == .reachesCredentials)
        #expect(!report.findings.contains { $0.level == .fail })
        #expect(report.findings.contains { $0.level == .warn })
        #expect(report.exitStatus == 1)
    }

    @Test func undeterminedGivesFour() async {
        let report = await Scenario().diagnose()
        #expect(report.findings.isEmpty)
        #expect(report.exitStatus == 4)
    }

    @Test func aFailingVerdictGivesTwoAndAFailureToCount() async {
        let report = await Scenarios.tlsReset.diagnose()
        #expect(report.verdict.outcome == .fails)
        #expect(report.findings.contains { $0.level == .fail }, "the summary's count must agree with the verdict")
        #expect(report.exitStatus == 2)
    }

    @Test func aFailingVerdictWithoutAFailFindingGetsOne() async {
        let report = await Scenario().resolved()
            .defaultClient(.selected(protocol: Proto.ssl, flags: []), end: .peerClosed(.fin, step: .licensing, waitingFor: .licensing)) { probe in
                probe.timings = [.step(.tcp, from: 0, took: 1), .step(.licensing, from: 1, took: nil)]
            }.diagnose()
        #expect(report.verdict.outcome == .fails)
        let failures = report.findings.filter { $0.level == .fail }
        #expect(!failures.isEmpty, "\(report.ids)")
    }

    @Test func aFailFindingMakesTheVerdictFail() async {
        // The only address timed out, yet the default client got through: contradictory,
        // but the report must not show a ✔ above a failure.
        let report = await Scenario()
            .unreachable("192.0.2.10", .timedOut)
            .defaultClient(.selected(protocol: Proto.hybrid, flags: []))
            .diagnose()
        #expect(report.finding("tcp.timeout")?.level == .fail)
        #expect(report.verdict.outcome == .fails, "\(report.verdict.summary)")
        #expect(report.verdict.summary.contains("does not answer"), "\(report.verdict.summary)")
        #expect(report.exitStatus == 2)
    }

    @Test func dnsFailureGivesTwo() async {
        #expect(await Scenarios.dnsFailure.diagnose().exitStatus == 2)
    }
}
