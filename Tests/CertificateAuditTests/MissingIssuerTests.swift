import CertificateAudit
import Foundation
import Testing

/// `CertificateReport.missingIssuer`: the server stops short of the
/// certificate that issued the last one it sent.
@Suite struct MissingIssuerTests {
    static func audit(_ chain: [[UInt8]], anchors: [[UInt8]]) async -> CertificateReport {
        await CertificateAuditor.audit(chain: chain, expectedName: "rdp.example.test", now: TestPKI.now, trustAnchors: anchors)
    }

    struct PKI {
        var root: TestPKI.Issued
        var intermediate: TestPKI.Issued
        var leaf: TestPKI.Issued

        init() throws {
            root = try TestPKI.issue(subject: TestPKI.name("Root"), extensions: TestPKI.caExtensions())
            intermediate = try TestPKI.issue(subject: TestPKI.name("Intermediate"), issuer: root, extensions: TestPKI.caExtensions())
            leaf = try TestPKI.issue(subject: TestPKI.name("rdp.example.test"), issuer: intermediate)
        }
    }

    @Test func intermediateNotSent() async throws {
        let pki = try PKI()
        let report = await Self.audit([pki.leaf.der], anchors: [pki.root.der])
        #expect(report.trust.status == .untrusted)
        #expect(report.missingIssuer == "CN=Intermediate")
    }

    @Test func rootNotSentAndNotAnAnchor() async throws {
        let pki = try PKI()
        let report = await Self.audit([pki.leaf.der, pki.intermediate.der], anchors: [])
        #expect(report.missingIssuer == "CN=Root")
        // The walk follows names, not positions.
        let shuffled = await Self.audit([pki.leaf.der, pki.root.der, pki.intermediate.der], anchors: [])
        #expect(shuffled.missingIssuer == nil)
        let leafOnly = await Self.audit([pki.leaf.der], anchors: [])
        #expect(leafOnly.missingIssuer == "CN=Intermediate")
    }

    @Test func nothingMissingWhenTrusted() async throws {
        let pki = try PKI()
        let report = await Self.audit([pki.leaf.der, pki.intermediate.der], anchors: [pki.root.der])
        #expect(report.trust.status == .trusted)
        #expect(report.missingIssuer == nil)
    }

    @Test func nothingMissingWhenTheTopIsSelfSigned() async throws {
        let pki = try PKI()
        let full = await Self.audit([pki.leaf.der, pki.intermediate.der, pki.root.der], anchors: [])
        #expect(full.trust.status == .untrusted)
        #expect(full.missingIssuer == nil)
        let selfSigned = try TestPKI.issue(subject: TestPKI.name("rdp.example.test"))
        let alone = await Self.audit([selfSigned.der], anchors: [])
        #expect(alone.trust.status == .untrusted)
        #expect(alone.missingIssuer == nil)
    }

    @Test func nothingMissingWhenAnAnchorHasTheNameButDoesNotValidate() async throws {
        // Same name, another key: the chain fails on the signature, not on a missing certificate.
        let pki = try PKI()
        let impostorRoot = try TestPKI.issue(subject: TestPKI.name("Root"), extensions: TestPKI.caExtensions())
        let report = await Self.audit([pki.leaf.der, pki.intermediate.der], anchors: [impostorRoot.der])
        #expect(report.trust.status == .untrusted)
        #expect(report.missingIssuer == nil)
    }

    @Test func jsonCarriesTheFieldAndOldDocumentsStillDecode() async throws {
        let pki = try PKI()
        let report = await Self.audit([pki.leaf.der], anchors: [pki.root.der])
        let data = try JSONEncoder().encode(report)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object["missingIssuer"] as? String == "CN=Intermediate")
        var old = object
        old.removeValue(forKey: "missingIssuer")
        let decoded = try JSONDecoder().decode(CertificateReport.self, from: JSONSerialization.data(withJSONObject: old))
        #expect(decoded.missingIssuer == nil)
        #expect(decoded.trust == report.trust)
    }
}
