import Crypto
import Foundation
import SwiftASN1
import Testing
import X509

@testable import CertificateAudit

@Suite struct CertificateFieldsTests {
    @Test func readsTheFieldsOfAGeneratedLeaf() async throws {
        let key = P256.Signing.PrivateKey()
        let subject = try DistinguishedName {
            CountryName("DE")
            OrganizationName("Example, Inc.")
            CommonName("rdp.example.test")
        }
        let ca = try TestPKI.issue(subject: TestPKI.name("Test Root CA"), extensions: TestPKI.caExtensions())
        let extensions = try Certificate.Extensions {
            SubjectAlternativeNames([.dnsName("rdp.example.test"), .ipAddress(ASN1OctetString(contentBytes: [192, 0, 2, 10]))])
            try ExtendedKeyUsage([.serverAuth, .init(oid: [1, 3, 6, 1, 4, 1, 311, 54, 1, 2])])
        }
        let leaf = try TestPKI.issue(subject: subject, issuer: ca, key: key, serial: [0x00, 0xAB, 0xCD], extensions: extensions)

        let report = await CertificateAuditor.audit(
            chain: [leaf.der], expectedName: "rdp.example.test", now: TestPKI.now, trustAnchors: [ca.der])
        let details = try #require(report.leaf?.details)
        #expect(report.problems.isEmpty)
        #expect(details.version == 3)
        #expect(details.subject == "CN=rdp.example.test,O=Example\\, Inc.,C=DE")
        #expect(details.subjectCommonName == "rdp.example.test")
        #expect(details.issuer == "CN=Test Root CA")
        #expect(details.issuerCommonName == "Test Root CA")
        #expect(details.serialNumber == "ABCD")
        #expect(details.notBefore.secondsSinceEpoch == TestPKI.nowSeconds - 30 * 86_400)
        #expect(details.notAfter.iso8601 == "2026-06-01T00:00:00Z")
        #expect(details.validity == ValidityStatus(state: .valid, daysLeft: 365))
        #expect(details.publicKey == PublicKeySummary(algorithm: .ec, algorithmOID: "1.2.840.10045.2.1", bits: 256, curve: "P-256"))
        // The BIT STRING contents of an EC key are the uncompressed point.
        #expect(details.subjectPublicKeyBytes == Array(key.publicKey.x963Representation))
        #expect(details.signatureAlgorithm == SignatureAlgorithmSummary(name: "ecdsa-with-SHA256", oid: "1.2.840.10045.4.3.2", weakSignature: false))
        #expect(details.dnsNames == ["rdp.example.test"])
        #expect(details.ipAddresses == ["192.0.2.10"])
        #expect(details.hasSubjectAltName)
        #expect(details.isCA == nil)
        let eku = try #require(details.extendedKeyUsage)
        #expect(eku.oids == ["1.3.6.1.5.5.7.3.1", "1.3.6.1.4.1.311.54.1.2"])
        #expect(eku.names == ["serverAuth", "Remote Desktop Authentication"])
        #expect(eku.serverAuth && eku.remoteDesktopAuthentication && !eku.anyExtendedKeyUsage)
        #expect(report.leaf?.selfSigned == false)
        #expect(report.leaf?.selfSignature == .notSelfIssued)
    }

    @Test func ekuWithoutServerAuthIsFlagged() async throws {
        let extensions = try Certificate.Extensions { try ExtendedKeyUsage([.clientAuth]) }
        let leaf = try TestPKI.issue(subject: TestPKI.name("client-only"), extensions: extensions)
        let report = await CertificateAuditor.audit(chain: [leaf.der], expectedName: "client-only", now: TestPKI.now, trustAnchors: [])
        let eku = try #require(report.leaf?.details?.extendedKeyUsage)
        #expect(eku.names == ["clientAuth"])
        #expect(!eku.serverAuth && !eku.remoteDesktopAuthentication)
    }

    @Test func absentEKUIsNil() async throws {
        let leaf = try TestPKI.issue(subject: TestPKI.name("plain"))
        let report = await CertificateAuditor.audit(chain: [leaf.der], expectedName: "plain", now: TestPKI.now, trustAnchors: [])
        #expect(report.leaf?.details != nil)
        #expect(report.leaf?.details?.extendedKeyUsage == nil)
        #expect(report.leaf?.details?.hasSubjectAltName == false)
    }

    @Test func fingerprintsAreOverTheDER() async throws {
        let leaf = try TestPKI.issue(subject: TestPKI.name("fp"))
        let report = await CertificateAuditor.audit(chain: [leaf.der], expectedName: "fp", now: TestPKI.now, trustAnchors: [])
        let expected = SHA256.hash(data: leaf.der).map { String(format: "%02X", $0) }.joined(separator: ":")
        #expect(report.leaf?.sha256Fingerprint == expected)
        #expect(report.leaf?.sha1Fingerprint.count == 20 * 3 - 1)
        #expect(report.leaf?.byteCount == leaf.der.count)
    }

    @Test func expiredLeafHasNegativeDaysLeft() async throws {
        let leaf = try TestPKI.issue(
            subject: TestPKI.name("old"), notBefore: TestPKI.now.addingTimeInterval(-400 * TestPKI.day),
            notAfter: TestPKI.now.addingTimeInterval(-10 * TestPKI.day))
        let report = await CertificateAuditor.audit(chain: [leaf.der], expectedName: "old", now: TestPKI.now, trustAnchors: [leaf.der])
        #expect(report.leaf?.details?.validity == ValidityStatus(state: .expired, daysLeft: -10))
        // Expired is untrusted even when pinned.
        #expect(report.trust.status == .untrusted)
    }

    @Test func anHourAfterExpiryIsMinusOneDay() async throws {
        let leaf = try TestPKI.issue(subject: TestPKI.name("just-expired"), notAfter: TestPKI.now.addingTimeInterval(-3600))
        let report = await CertificateAuditor.audit(chain: [leaf.der], expectedName: "x", now: TestPKI.now, trustAnchors: [])
        #expect(report.leaf?.details?.validity == ValidityStatus(state: .expired, daysLeft: -1))
    }

    @Test func notYetValidLeaf() async throws {
        let leaf = try TestPKI.issue(
            subject: TestPKI.name("future"), notBefore: TestPKI.now.addingTimeInterval(2 * TestPKI.day),
            notAfter: TestPKI.now.addingTimeInterval(100 * TestPKI.day))
        let report = await CertificateAuditor.audit(chain: [leaf.der], expectedName: "future", now: TestPKI.now, trustAnchors: [])
        #expect(report.leaf?.details?.validity == ValidityStatus(state: .notYetValid, daysLeft: 100))
    }

    @Test func epochSecondsAndDateGiveTheSameReport() async throws {
        let leaf = try TestPKI.issue(subject: TestPKI.name("same"))
        let a = await CertificateAuditor.audit(chain: [leaf.der], expectedName: "same", now: TestPKI.now, trustAnchors: [])
        let b = await CertificateAuditor.audit(
            chain: [leaf.der], expectedName: "same", nowSecondsSinceEpoch: TestPKI.nowSeconds, trustAnchors: [])
        #expect(a == b)
        #expect(a.evaluatedAt.iso8601 == "2025-06-01T00:00:00Z")
    }

    @Test func reportRoundTripsThroughJSON() async throws {
        let leaf = try TestPKI.issue(subject: TestPKI.name("json"), extensions: TestPKI.sanExtensions(dns: ["json"]))
        let report = await CertificateAuditor.audit(chain: [leaf.der, [1, 2, 3]], expectedName: "json", now: TestPKI.now, trustAnchors: [])
        let data = try JSONEncoder().encode(report)
        #expect(try JSONDecoder().decode(CertificateReport.self, from: data) == report)
    }

    /// Windows writes names as BMPString; old tools use TeletexString. Types
    /// that are no string at all are shown as RFC 4514 "#hex".
    @Test func nonUTF8NameStringsAreDecoded() async throws {
        func attribute(_ type: ASN1ObjectIdentifier, _ der: [UInt8]) throws -> RelativeDistinguishedName {
            RelativeDistinguishedName(.init(type: type, value: try ASN1Any(derEncoded: der)))
        }
        let bmp: [UInt8] = [0x1E, 0x0C] + Array("Grüße".utf16.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }) + [0x00, 0x21]
        let teletex: [UInt8] = [0x14, 0x04, 0x4D, 0xFC, 0x6E, 0x63]  // "Münc" in Latin-1
        let octets: [UInt8] = [0x04, 0x02, 0xCA, 0xFE]
        let subject = DistinguishedName([
            try attribute(.RDNAttributeType.organizationName, teletex),
            try attribute([2, 5, 4, 5], octets),
            try attribute(.RDNAttributeType.commonName, bmp),
        ])
        let leaf = try TestPKI.issue(subject: subject)
        let report = await CertificateAuditor.audit(chain: [leaf.der], expectedName: "grüße!", now: TestPKI.now, trustAnchors: [])
        let details = try #require(report.leaf?.details)
        #expect(details.subject == "CN=Grüße!,2.5.4.5=#0402CAFE,O=Münc")
        #expect(details.subjectCommonName == "Grüße!")
        #expect(report.leaf?.selfSigned == true)
        #expect(report.nameMatches)
    }

    @Test func distinguishedNameEscaping() {
        #expect(DistinguishedNames.escape("a,b+c") == "a\\,b\\+c")
        #expect(DistinguishedNames.escape("#lead") == "\\#lead")
        #expect(DistinguishedNames.escape(" pad ") == "\\ pad\\ ")
        #expect(DistinguishedNames.escape("bell\u{07}") == "bell\\07")
        #expect(DistinguishedNames.escape("Grüße") == "Grüße")
    }

    @Test func civilTime() {
        #expect(CivilTime.iso8601(secondsSinceEpoch: 0) == "1970-01-01T00:00:00Z")
        #expect(CivilTime.iso8601(secondsSinceEpoch: 951_782_400) == "2000-02-29T00:00:00Z")
        #expect(CivilTime.iso8601(secondsSinceEpoch: -1) == "1969-12-31T23:59:59Z")
        #expect(CivilTime.seconds(year: 2049, month: 12, day: 31, hours: 23, minutes: 59, seconds: 59) == 2_524_607_999)
        #expect(CivilTime.floorDiv(-1, 86_400) == -1)
        #expect(CivilTime.floorDiv(86_399, 86_400) == 0)
        for days: Int64 in [-800_000, -1, 0, 59, 60, 10_957, 2_932_896] {
            let (y, m, d) = CivilTime.date(days: days)
            #expect(CivilTime.days(year: y, month: m, day: d) == days)
        }
    }
}
