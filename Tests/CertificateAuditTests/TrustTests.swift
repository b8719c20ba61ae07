import CertificateAudit
import Crypto
import Testing
import X509

@Suite struct TrustTests {
    static func audit(_ chain: [[UInt8]], anchors: [[UInt8]]) async -> CertificateReport {
        await CertificateAuditor.audit(chain: chain, expectedName: "rdp.example.test", now: TestPKI.now, trustAnchors: anchors)
    }

    @Test func selfSignedLeafIsUntrustedWithoutAnchor() async throws {
        let leaf = try TestPKI.issue(subject: TestPKI.name("rdp.example.test"))
        let report = await Self.audit([leaf.der], anchors: [])
        #expect(report.leaf?.selfSigned == true)
        #expect(report.leaf?.selfSignature == .verified)
        #expect(report.trust.status == .untrusted)
        #expect(report.trust.reason == "self-signed certificate is not among the trust anchors")
        #expect(report.trust.validatedChain.isEmpty)
    }

    @Test func selfSignedLeafIsTrustedWithItselfAsAnchor() async throws {
        // No basicConstraints, like the certificate Windows makes for RDP:
        // RFC 5280 path validation alone refuses it, the exact-match pin does not.
        let leaf = try TestPKI.issue(subject: TestPKI.name("rdp.example.test"))
        let other = try TestPKI.issue(subject: TestPKI.name("unrelated"), extensions: TestPKI.caExtensions())
        let report = await Self.audit([leaf.der], anchors: [other.der, leaf.der])
        #expect(report.trust.status == .trusted)
        #expect(report.trust.reason?.contains("not marked as a CA") == true)
        #expect(report.trust.validatedChain == ["CN=rdp.example.test"])
        #expect(report.trust.anchorCount == 2)
    }

    @Test func selfSignedCAIsTrustedByTheVerifier() async throws {
        let leaf = try TestPKI.issue(subject: TestPKI.name("rdp.example.test"), extensions: TestPKI.caExtensions())
        let report = await Self.audit([leaf.der], anchors: [leaf.der])
        #expect(report.trust.status == .trusted)
        #expect(report.trust.reason == nil)
    }

    @Test func caSignedLeafIsTrustedWithTheCA() async throws {
        let ca = try TestPKI.issue(subject: TestPKI.name("Test Root CA"), extensions: TestPKI.caExtensions())
        let leaf = try TestPKI.issue(subject: TestPKI.name("rdp.example.test"), issuer: ca)
        let report = await Self.audit([leaf.der], anchors: [ca.der])
        #expect(report.leaf?.selfSigned == false)
        #expect(report.trust.status == .trusted)
        #expect(report.trust.validatedChain == ["CN=rdp.example.test", "CN=Test Root CA"])

        let without = await Self.audit([leaf.der], anchors: [])
        #expect(without.trust.status == .untrusted)
        #expect(without.trust.reason == "issuer \"CN=Test Root CA\" of \"CN=rdp.example.test\" is neither presented nor among the trust anchors")
    }

    @Test func intermediateFromTheChainIsUsed() async throws {
        let root = try TestPKI.issue(subject: TestPKI.name("Root"), extensions: TestPKI.caExtensions())
        let intermediate = try TestPKI.issue(subject: TestPKI.name("Intermediate"), issuer: root, extensions: TestPKI.caExtensions())
        let leaf = try TestPKI.issue(subject: TestPKI.name("rdp.example.test"), issuer: intermediate)
        let report = await Self.audit([leaf.der, intermediate.der], anchors: [root.der])
        #expect(report.trust.status == .trusted)
        #expect(report.trust.validatedChain == ["CN=rdp.example.test", "CN=Intermediate", "CN=Root"])
        #expect(report.certificates.count == 2)

        let missing = await Self.audit([leaf.der], anchors: [root.der])
        #expect(missing.trust.status == .untrusted)
        #expect(missing.trust.reason?.contains("CN=Intermediate") == true)
    }

    @Test func issuerThatIsNotACAIsRejectedWithTheVerifierReason() async throws {
        let notCA = try TestPKI.issue(subject: TestPKI.name("Not A CA"))
        let leaf = try TestPKI.issue(subject: TestPKI.name("rdp.example.test"), issuer: notCA)
        let report = await Self.audit([leaf.der], anchors: [notCA.der])
        #expect(report.trust.status == .untrusted)
        let reason = try #require(report.trust.reason)
        #expect(reason.contains("is not marked as a CA"))
        #expect(reason.contains("\"CN=Not A CA\""))
        #expect(!reason.contains("Certificate(version"))  // dumps replaced by subjects
    }

    @Test func expiredLeafIsRejectedByPolicy() async throws {
        let ca = try TestPKI.issue(subject: TestPKI.name("Test Root CA"), extensions: TestPKI.caExtensions())
        let leaf = try TestPKI.issue(
            subject: TestPKI.name("rdp.example.test"), issuer: ca,
            notBefore: TestPKI.now.addingTimeInterval(-100 * TestPKI.day), notAfter: TestPKI.now.addingTimeInterval(-TestPKI.day))
        let report = await Self.audit([leaf.der], anchors: [ca.der])
        #expect(report.trust.status == .untrusted)
        #expect(report.trust.reason?.contains("has expired") == true)
    }

    @Test func wrongSignerIsNotSelfSigned() async throws {
        // Subject equals issuer, but another key signed it.
        let leaf = try TestPKI.issue(subject: TestPKI.name("rdp.example.test"), signingKey: P256.Signing.PrivateKey())
        let report = await Self.audit([leaf.der], anchors: [])
        #expect(report.leaf?.selfSignature == .invalid)
        #expect(report.leaf?.selfSigned == false)
        #expect(report.trust.status == .untrusted)
    }

    @Test func unusableAnchorsAreCounted() async throws {
        let ca = try TestPKI.issue(subject: TestPKI.name("Test Root CA"), extensions: TestPKI.caExtensions())
        let leaf = try TestPKI.issue(subject: TestPKI.name("rdp.example.test"), issuer: ca)
        // An anchor that carries the issuer's name but cannot be loaded is counted;
        // anchors that cannot have issued the chain are not read at all.
        var broken = ca.der
        broken.removeLast(8)
        let report = await Self.audit([leaf.der], anchors: [[0x30, 0x00], ca.der, broken, TestPKI.base64(OpenSSLFixtures.RSA1024SHA1.base64)])
        #expect(report.trust.status == .trusted)
        #expect(report.trust.anchorCount == 4)
        #expect(report.trust.unusableAnchorCount == 1)
    }
}
