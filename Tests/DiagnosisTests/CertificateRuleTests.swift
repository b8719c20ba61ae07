import Diagnosis
import ProbeCore
import Testing

/// Certificates are the DER fixtures of CertificateFixtures.swift, judged at
/// instants relative to their validity.
@Suite struct CertificateRuleTests {
    typealias F = CertificateFixtures

    private func withChain(_ chain: [[UInt8]], host: String = F.host, anchors: [[UInt8]] = [F.rootCA],
                           at now: Int64 = F.validNow) -> Scenario {
        Scenario(host: host, anchors: anchors)
            .judged(at: now)
            .defaultClient(.selected(protocol: Proto.ssl, flags: 0)) {
                $0.tls = TLSSessionInfo(version: .tls12, peerChain: chain)
            }
    }

    @Test func trustedViaAnchorInTheContext() async {
        let report = await withChain(Scenarios.leafChain).diagnose()
        let finding = report.finding("cert.trusted")
        #expect(finding?.level == .good)
        #expect(finding?.detail.contains("rdpdoctor Test Root CA") == true)
        #expect(!report.has("cert.untrusted") && !report.has("cert.self-signed"))
        #expect(!report.has("cert.name-mismatch"))
        #expect(report.finding("cert.valid")?.level == .good)
        #expect(report.certificate?.trust.isTrusted == true)
        #expect(report.findings.filter { $0.section == .certificate }.allSatisfy { $0.level <= .info })
    }

    @Test func leafAloneChainsToTheAnchorToo() async {
        let report = await withChain([F.leaf]).diagnose()
        #expect(report.has("cert.trusted"))
    }

    @Test func untrustedWithoutTheAnchor() async {
        let report = await withChain(Scenarios.leafChain, anchors: []).diagnose()
        let finding = report.finding("cert.untrusted")
        #expect(finding?.level == .warn)
        #expect(finding?.codes == ["sspi:0x80090325"])
        #expect(!report.has("cert.trusted") && !report.has("cert.self-signed"))
    }

    @Test func selfSigned() async {
        let report = await withChain([F.selfSigned], anchors: [F.rootCA]).diagnose()
        let finding = report.finding("cert.self-signed")
        #expect(finding?.level == .warn)
        #expect(finding?.codes == ["sspi:0x80090325"])
        #expect(!report.has("cert.trusted") && !report.has("cert.untrusted"))
        #expect(!report.has("cert.name-mismatch"))
    }

    @Test func selfSignedPinnedAsAnAnchorIsTrusted() async {
        let report = await withChain([F.selfSigned], anchors: [F.selfSigned]).diagnose()
        #expect(report.has("cert.trusted"))
        #expect(!report.has("cert.self-signed"))
    }

    @Test func expired() async {
        let report = await withChain(Scenarios.leafChain, at: F.Leaf.notAfter + 5 * F.day).diagnose()
        let finding = report.finding("cert.expired")
        #expect(finding?.level == .warn)
        #expect(finding?.title == "The certificate expired 5 days ago")
        #expect(finding?.codes == ["sspi:0x80090328", "disconnect:0x1B07"])
        #expect(!report.has("cert.valid") && !report.has("cert.expires-soon"))
        // An expired leaf does not validate, even to a trusted root.
        #expect(!report.has("cert.trusted"))
    }

    @Test func expiredSelfSigned() async {
        let report = await Scenarios.expiredSelfSigned.diagnose()
        #expect(report.has("cert.expired"))
        #expect(report.has("cert.self-signed"))
    }

    @Test func expiringInTenDays() async {
        let report = await withChain(Scenarios.leafChain, at: F.Leaf.notAfter - 10 * F.day).diagnose()
        let finding = report.finding("cert.expires-soon")
        #expect(finding?.level == .warn)
        #expect(finding?.title == "The certificate expires in 10 days")
        #expect(!report.has("cert.valid") && !report.has("cert.expired"))
        #expect(report.has("cert.trusted"))
    }

    @Test func thirtyOneDaysLeftIsNotSoon() async {
        let report = await withChain(Scenarios.leafChain, at: F.Leaf.notAfter - 31 * F.day).diagnose()
        #expect(!report.has("cert.expires-soon"))
        #expect(report.finding("cert.valid")?.title == "The certificate is within its validity period (31 days left)")
    }

    @Test func notYetValid() async {
        let report = await withChain(Scenarios.leafChain, at: F.Leaf.notBefore - F.day).diagnose()
        #expect(report.finding("cert.not-yet-valid")?.level == .warn)
    }

    @Test func nameMismatchAgainstTheTargetHost() async {
        let report = await Scenarios.nameMismatch.diagnose()
        let finding = report.finding("cert.name-mismatch")
        #expect(finding?.level == .warn)
        #expect(finding?.title == "The certificate is not for other.example.test")
        #expect(finding?.detail.hasPrefix("It names rdp.example.test;") == true)
        #expect(finding?.codes == ["sspi:0x80090322"])
        // Trust does not depend on the name.
        #expect(report.has("cert.trusted"))
    }

    @Test func ipTargetDoesNotMatchADNSOnlyCertificate() async {
        let report = await withChain(Scenarios.leafChain, host: "192.0.2.10").diagnose()
        #expect(report.has("cert.name-mismatch"))
    }

    @Test func summaryDescribesTheLeaf() async {
        let report = await withChain(Scenarios.leafChain).diagnose()
        let summary = try! #require(report.finding("cert.summary"))
        #expect(summary.level == .info)
        #expect(summary.title == "Certificate rdp.example.test")
        #expect(summary.detail.contains("SANs rdp.example.test"))
        #expect(summary.detail.contains("EC"))
        #expect(!report.has("cert.weak-key") && !report.has("cert.weak-signature") && !report.has("cert.eku"))
    }

    @Test func theChainMayComeFromAnyProbe() async {
        let report = await Scenario()
            .defaultClient(.selected(protocol: Proto.hybrid, flags: 0))
            .tlsVersion(.tls12, accepted: true, chain: Scenarios.leafChain)
            .diagnose()
        #expect(report.certificate != nil)
        #expect(report.has("cert.trusted"))
    }

    @Test func noChainNoCertificateFindings() async {
        let report = await Scenario()
            .defaultClient(.selected(protocol: Proto.ssl, flags: 0)) { $0.tls = TLSSessionInfo(version: .tls12, peerChain: []) }
            .diagnose()
        #expect(report.certificate == nil)
        #expect(!report.findings.contains { $0.section == .certificate })
    }

    @Test func unreadableCertificateIsAWarningNotACrash() async {
        let report = await withChain([[0x30, 0x03, 0x02, 0x01, 0x00]]).diagnose()
        #expect(report.certificate != nil)
        #expect(report.findings.contains { $0.section == .certificate && $0.level == .warn })
        #expect(!report.has("cert.trusted"))
    }
}
