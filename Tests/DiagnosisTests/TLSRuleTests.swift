import Diagnosis
import ProbeCore
import Testing

@Suite struct TLSRuleTests {
    @Test func oldVersionsAcceptedAlongsideTLS12() async {
        let report = await Scenario().tlsVersions(accepted: [.tls10, .tls12]).diagnose()
        let finding = report.finding("tls.old-versions")
        #expect(finding?.level == .warn)
        #expect(finding?.title == "TLS 1.0 accepted")
        #expect(finding?.fixes.isEmpty == false)
        #expect(!report.has("tls.no-tls12") && !report.has("tls.only-tls13"))
        #expect(report.finding("tls.versions")?.title == "TLS versions accepted: TLS 1.0, TLS 1.2")
        #expect(report.finding("tls.versions")?.detail.hasPrefix("Refused: TLS 1.1 (") == true)
    }

    @Test func bothOldVersionsAreNamed() async {
        let report = await Scenario().tlsVersions(accepted: [.tls10, .tls11, .tls12, .tls13]).diagnose()
        #expect(report.finding("tls.old-versions")?.title == "TLS 1.0 and TLS 1.1 accepted")
        #expect(report.finding("tls.versions")?.detail == "Every version rdpdoctor offered was accepted.")
    }

    @Test func onlyTLS13() async {
        let report = await Scenarios.tls13Only.diagnose()
        let finding = report.finding("tls.only-tls13")
        #expect(finding?.level == .warn)
        #expect(finding?.codes == ["disconnect:0x904", "extended:0x7"])
        #expect(!report.has("tls.no-tls12"))
        #expect(!report.has("tls.old-versions"))
    }

    @Test func onlyTLS10() async {
        let report = await Scenario().tlsVersions(accepted: [.tls10]).diagnose()
        let finding = report.finding("tls.no-tls12")
        #expect(finding?.level == .warn)
        #expect(finding?.codes == ["disconnect:0x904", "extended:0x7"])
        #expect(!report.has("tls.only-tls13"))
        #expect(report.finding("tls.old-versions")?.title == "TLS 1.0 accepted")
    }

    @Test func modernVersionsOnlyAreQuiet() async {
        let report = await Scenario().tlsVersions(accepted: [.tls12, .tls13]).diagnose()
        #expect(report.findings.filter { $0.section == .tls }.allSatisfy { $0.level == .info })
        #expect(report.has("tls.versions"))
    }

    @Test func noTLSProbesNoVersionFindings() async {
        let report = await Scenario().defaultClient(.selected(protocol: Proto.ssl, flags: [])).diagnose()
        #expect(!report.findings.contains { $0.section == .tls })
    }

    @Test func noneAcceptedIsReportedAsNone() async {
        let report = await Scenario().tlsVersions(accepted: []).diagnose()
        #expect(report.finding("tls.versions")?.title == "TLS versions accepted: none")
        #expect(!report.has("tls.no-tls12") && !report.has("tls.old-versions"))
    }

    @Test func negotiatedVersionOfTheDefaultClient() async {
        let report = await Scenarios.healthyNLA.diagnose()
        let finding = report.finding("tls.negotiated")
        #expect(finding?.level == .info)
        #expect(finding?.title == "A default handshake negotiates TLS 1.3")
        #expect(finding?.detail == "TLS took 15 ms and the server presented 2 certificates.")
    }
}
