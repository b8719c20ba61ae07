import CertificateAudit
import Crypto
import Foundation
import Testing

/// Certificates made by openssl, checked against what openssl itself printed.
@Suite struct OpenSSLFixtureTests {
    typealias Legacy = OpenSSLFixtures.RSA1024SHA1
    typealias SHA1Cert = OpenSSLFixtures.RSA2048SHA1

    /// A day after the fixtures' notBefore.
    static let during = Legacy.notBefore + 86_400

    @Test func rsa1024KeyIsReportedNotRejected() async throws {
        let der = TestPKI.base64(Legacy.base64)
        let report = await CertificateAuditor.audit(
            chain: [der], expectedName: "legacy-rdp", nowSecondsSinceEpoch: Self.during, trustAnchors: [])
        let leaf = try #require(report.leaf)
        let details = try #require(leaf.details)
        #expect(details.publicKey.algorithm == .rsa)
        #expect(details.publicKey.bits == 1024)
        #expect(details.subject == "CN=LEGACY-RDP")
        #expect(details.serialNumber == "1F2E3D")
        #expect(details.signatureAlgorithm.name == "sha1WithRSAEncryption")
        #expect(details.signatureAlgorithm.weakSignature)
        #expect(details.notBefore.secondsSinceEpoch == Legacy.notBefore)
        #expect(details.notAfter.secondsSinceEpoch == Legacy.notAfter)
        #expect(details.notBefore.iso8601 == "2026-11-21T11:51:46Z")
        #expect(details.isCA == true)
        #expect(details.extendedKeyUsage?.serverAuth == true)
        #expect(details.extendedKeyUsage?.remoteDesktopAuthentication == true)
        #expect(TestPKI.hex(SHA256.hash(data: details.subjectPublicKeyBytes)) == Legacy.rsaPublicKeySHA256)
        #expect(leaf.sha256Fingerprint == Legacy.sha256Fingerprint)
        #expect(leaf.sha1Fingerprint == Legacy.sha1Fingerprint)
        // Self-issued; swift-certificates cannot load its RSA-1024 key, rdpdoctor's own check verifies it.
        #expect(leaf.selfSigned)
        #expect(leaf.selfSignature == .verified)
        #expect(report.problems.map(\.kind) == [.notVerifiable])
        // CN-only certificate: the CN is compared, case-insensitively.
        #expect(report.nameMatches)
        #expect(report.nameSource == .commonName)
        #expect(report.trust.status == .untrusted)
    }

    @Test func rsa1024PinnedAsAnchorIsTrusted() async throws {
        let der = TestPKI.base64(Legacy.base64)
        let report = await CertificateAuditor.audit(
            chain: [der], expectedName: "LEGACY-RDP", nowSecondsSinceEpoch: Self.during, trustAnchors: [der])
        #expect(report.trust.status == .trusted)
        #expect(report.trust.reason?.contains("could not be checked") == true)
        // The same pin after expiry is not trusted.
        let late = await CertificateAuditor.audit(
            chain: [der], expectedName: "LEGACY-RDP", nowSecondsSinceEpoch: Legacy.notAfter + 1, trustAnchors: [der])
        #expect(late.trust.status == .untrusted)
        #expect(late.leaf?.details?.validity.state == .expired)
        #expect(late.leaf?.details?.validity.daysLeft == -1)
    }

    @Test func sha1SignedCertificateIsWeak() async throws {
        let der = TestPKI.base64(SHA1Cert.base64)
        let report = await CertificateAuditor.audit(
            chain: [der], expectedName: "192.0.2.7", nowSecondsSinceEpoch: Self.during, trustAnchors: [der])
        let leaf = try #require(report.leaf)
        let details = try #require(leaf.details)
        #expect(report.problems.isEmpty)
        #expect(
            details.signatureAlgorithm
                == SignatureAlgorithmSummary(
                    name: "sha1WithRSAEncryption", oid: "1.2.840.113549.1.1.5", weakSignature: true))
        #expect(details.publicKey.bits == 2048)
        #expect(details.subject == "CN=sha1.example.test,O=rdpdoctor tests")
        #expect(details.serialNumber == "1234")
        #expect(details.dnsNames == ["sha1.example.test"])
        #expect(details.ipAddresses == ["192.0.2.7"])
        #expect(TestPKI.hex(SHA256.hash(data: details.subjectPublicKeyBytes)) == SHA1Cert.rsaPublicKeySHA256)
        #expect(leaf.sha256Fingerprint == SHA1Cert.sha256Fingerprint)
        #expect(leaf.sha1Fingerprint == SHA1Cert.sha1Fingerprint)
        // swift-certificates loads RSA-2048, so the self-signature is verified.
        #expect(leaf.selfSignature == .verified)
        #expect(leaf.selfSigned)
        #expect(report.nameMatches)
        #expect(report.matchedName == "192.0.2.7")
        #expect(report.trust.status == .trusted)
    }
}
