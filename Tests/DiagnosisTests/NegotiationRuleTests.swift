import Diagnosis
import ProbeCore
import RDPProtocol
import Testing

@Suite struct NegotiationRuleTests {
    @Test func theTestRequestsAreTheCheckPlans() {
        #expect(CheckPlan.negotiationRequests == Proto.requests)
        #expect(CheckPlan.defaultClientProtocols == Proto.defaultClient)
    }

    @Test func nlaRequiredIsGood() async {
        let report = await Scenarios.healthyNLA.diagnose()
        let finding = report.finding("x224.nla-required")
        #expect(finding?.level == .good)
        #expect(finding?.section == .negotiation)
        #expect(finding?.codes == ["negfailure:5"])
        #expect(finding?.detail.contains("failure code 5") == true)
        #expect(!report.has("x224.nla-optional"))
        #expect(!report.has("x224.no-nla"))
        #expect(!report.has("x224.rdp-security-accepted") && !report.has("x224.rdp-security-only"))
    }

    @Test func nlaRequiredNeedsBothWeakerProtocolsRefused() async {
        // CredSSP selected, TLS refused, but standard security accepted: not "required".
        let report = await Scenario()
            .negotiation(Proto.rdp, .selected(protocol: Proto.rdp, flags: []))
            .negotiation(Proto.ssl, .failure(code: .hybridRequiredByServer))
            .negotiation(Proto.hybrid, .selected(protocol: Proto.hybrid, flags: []))
            .diagnose()
        #expect(!report.has("x224.nla-required"))
        #expect(report.finding("x224.nla-optional")?.level == .warn)
        #expect(report.finding("x224.nla-optional")?.detail.contains("standard RDP security") == true)
    }

    @Test func nlaRequiredThroughHybridExAlone() async {
        let report = await Scenario()
            .negotiation(Proto.rdp, .failure(code: .hybridRequiredByServer))
            .negotiation(Proto.ssl, .failure(code: .hybridRequiredByServer))
            .negotiation(Proto.hybridPair, .selected(protocol: Proto.hybridEx, flags: []))
            .diagnose()
        #expect(report.finding("x224.nla-required")?.level == .good)
    }

    @Test func nlaOptionalIsAWarning() async {
        let report = await Scenarios.nlaOptional.diagnose()
        let finding = report.finding("x224.nla-optional")
        #expect(finding?.level == .warn)
        #expect(finding?.detail.contains("TLS alone") == true)
        #expect(finding?.fixes.isEmpty == false)
        #expect(!report.has("x224.nla-required") && !report.has("x224.no-nla"))
        // Standard security is accepted alongside TLS and CredSSP: "accepted", not "only".
        #expect(report.finding("x224.rdp-security-accepted")?.level == .warn)
        #expect(!report.has("x224.rdp-security-only"))
    }

    @Test func noNLAWhenCredSSPIsNeverSelected() async {
        let report = await Scenarios.tlsOnlyXrdp.diagnose()
        #expect(report.finding("x224.no-nla")?.level == .warn)
        #expect(!report.has("x224.nla-required") && !report.has("x224.nla-optional"))
        #expect(!report.has("x224.rdp-security-accepted") && !report.has("x224.rdp-security-only"))
    }

    @Test func standardSecurityOnly() async {
        let report = await Scenarios.standardSecurityOnly.diagnose()
        let finding = report.finding("x224.rdp-security-only")
        #expect(finding?.level == .warn)
        #expect(finding?.codes == ["negfailure:2"])
        #expect(!report.has("x224.rdp-security-accepted"))
        #expect(report.has("x224.no-nla"))
    }

    @Test func plaintextAfterConfirm() async {
        let report = await Scenario()
            .defaultClient(.selected(protocol: Proto.ssl, flags: []), end: .timedOut(step: .tls, waitingFor: .tlsHandshake)) {
                $0.plaintextAfterConfirm = 19
            }
            .diagnose()
        let finding = report.finding("x224.plaintext-after-confirm")
        #expect(finding?.level == .warn)
        #expect(finding?.detail.contains("19 bytes") == true)

        let none = await Scenario().defaultClient(.selected(protocol: Proto.ssl, flags: [])) { $0.plaintextAfterConfirm = 0 }.diagnose()
        #expect(!none.has("x224.plaintext-after-confirm"))
    }

    @Test func protocolsMatrixListsEachRequest() async {
        let report = await Scenarios.healthyNLA.diagnose()
        let matrix = try! #require(report.finding("x224.protocols"))
        #expect(matrix.level == .info)
        let lines = matrix.detail.split(separator: "\n").map(String.init)
        #expect(
            lines == [
                "standard RDP security: refused, HYBRID_REQUIRED_BY_SERVER (5)",
                "TLS: refused, HYBRID_REQUIRED_BY_SERVER (5)",
                "CredSSP (NLA): accepted",
                "RDSTLS: refused, HYBRID_REQUIRED_BY_SERVER (5)",
                "CredSSP (NLA) | CredSSP with early user authorization (HYBRID_EX): accepted",
                "RDSAAD (Entra ID authentication): refused, HYBRID_REQUIRED_BY_SERVER (5)",
            ])
        #expect(matrix.codes == ["negfailure:5"])
    }

    @Test func protocolsMatrixNamesOtherAnswers() async {
        let report = await Scenario()
            .negotiation(Proto.rdp, .noNegotiationData)
            .negotiation(Proto.ssl, .disconnected(reason: MCSDisconnectReason(rawValue: 3)))
            .negotiation(Proto.hybrid, .selected(protocol: Proto.ssl, flags: []))
            .negotiation(Proto.rdstls, nil, end: .timedOut(step: .x224, waitingFor: .connectionConfirm))
            .negotiation(Proto.hybridPair, .failure(code: .sslRequiredByServer))
            .negotiation(Proto.rdsaad, .failure(code: .sslNotAllowedByServer))
            .diagnose()
        let matrix = try! #require(report.finding("x224.protocols"))
        let lines = matrix.detail.split(separator: "\n").map(String.init)
        #expect(lines.count == 6)
        #expect(lines[0].hasSuffix("answered without negotiation data (standard RDP security)"))
        #expect(lines[1].hasPrefix("TLS: refused by hanging up"))
        #expect(lines[2] == "CredSSP (NLA): not accepted, selects TLS instead")
        #expect(lines[3].hasPrefix("RDSTLS: not determined: no answer during the X.224 security negotiation within"), "\(lines[3])")
        #expect(lines[4].hasSuffix("refused, SSL_REQUIRED_BY_SERVER (1)"))
        #expect(matrix.codes == ["negfailure:1", "negfailure:2"])
    }

    @Test func noAnswerAtAllMakesNoNegotiationFindings() async {
        let report = await Scenario()
            .negotiation(Proto.ssl, nil, end: .refused)
            .diagnose()
        #expect(!report.findings.contains { $0.section == .negotiation })
    }

    @Test func defaultSelectionNamesTheProtocolAndFlags() async {
        let report = await Scenarios.healthyNLA.diagnose()
        let finding = report.finding("x224.default-selection")
        #expect(finding?.level == .info)
        #expect(finding?.title.hasSuffix("selects CredSSP with early user authorization (HYBRID_EX)") == true)
        #expect(finding?.detail.contains("restricted admin mode supported") == true)
    }

    @Test func noNegotiationDataOnTheDefaultClient() async {
        let report = await Scenario().defaultClient(.noNegotiationData).diagnose()
        #expect(report.finding("x224.no-negotiation-data")?.level == .warn)
    }

    @Test func rdstlsAndRdsaadAreInfo() async {
        let report = await Scenario()
            .negotiation(Proto.rdstls, .selected(protocol: Proto.rdstls, flags: []))
            .negotiation(Proto.rdsaad, .selected(protocol: Proto.rdsaad, flags: []))
            .diagnose()
        #expect(report.finding("x224.rdstls")?.level == .info)
        #expect(report.finding("x224.rdsaad")?.level == .info)
    }

    /// BUG: the default client's own answer is ignored when judging NLA. Here the
    /// server selected CredSSP for the default client, but the per-protocol probes
    /// got no answer (they timed out), and the rule reports "No NLA: the server
    /// never selects CredSSP" — contradicting the observation next to it.
    @Test func defaultClientSelectingCredSSPIsNotReportedAsNoNLA() async {
        let report = await Scenario()
            .defaultClient(.selected(protocol: Proto.hybridEx, flags: []))
            .negotiation(Proto.hybrid, nil, end: .timedOut(step: .x224, waitingFor: .connectionConfirm))
            .negotiation(Proto.hybridPair, nil, end: .timedOut(step: .x224, waitingFor: .connectionConfirm))
            .diagnose()
        #expect(report.verdict.outcome == .reachesCredentials)
        #expect(!report.has("x224.no-nla"), "says the server never selects CredSSP, yet the default client got CredSSP")
    }

    /// BUG (same root cause): a probe that got no answer counts as a refusal.
    /// Here the TLS and standard-security probes timed out, yet the rule says
    /// "NLA is required ... refuses TLS alone and standard RDP security" (good).
    @Test func unansweredProbesAreNotCountedAsRefusals() async {
        let report = await Scenario()
            .negotiation(Proto.rdp, nil, end: .timedOut(step: .x224, waitingFor: .connectionConfirm))
            .negotiation(Proto.ssl, nil, end: .timedOut(step: .x224, waitingFor: .connectionConfirm))
            .negotiation(Proto.hybrid, .selected(protocol: Proto.hybrid, flags: []))
            .diagnose()
        #expect(!report.has("x224.nla-required"), "claims TLS and standard security are refused; they were never answered")
    }
}
