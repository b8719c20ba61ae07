import Crypto
import Testing

@testable import CertificateAudit

/// The key CredSSP's pubKeyAuth covers, read without a full inspection.
@Suite struct CertificateKeyTests {
    @Test("the SubjectPublicKey bits of a generated leaf, trailing bytes or not; nothing from bytes that are no certificate")
    func generatedLeaf() throws {
        let leaf = try TestPKI.issue(subject: TestPKI.name("rdp.example.test"))
        let point = Array(leaf.key.publicKey.x963Representation)
        #expect(CertificateKey.subjectPublicKey(ofDER: leaf.der) == point)
        #expect(CertificateKey.subjectPublicKey(ofDER: leaf.der + [0x00, 0x01]) == point)
        #expect(CertificateKey.subjectPublicKey(ofDER: Array(leaf.der.dropLast(5))) == nil)
        #expect(CertificateKey.subjectPublicKey(ofDER: []) == nil)
        #expect(CertificateKey.subjectPublicKey(ofDER: [0x30, 0x03, 0x02, 0x01, 0x00]) == nil)
    }

    @Test("the same bytes the audit reports for the OpenSSL RSA certificates (openssl's key digests)")
    func openSSLCertificates() throws {
        for (base64, digest) in [
            (OpenSSLFixtures.RSA1024SHA1.base64, OpenSSLFixtures.RSA1024SHA1.rsaPublicKeySHA256),
            (OpenSSLFixtures.RSA2048SHA1.base64, OpenSSLFixtures.RSA2048SHA1.rsaPublicKeySHA256),
        ] {
            let key = try #require(CertificateKey.subjectPublicKey(ofDER: TestPKI.base64(base64)))
            #expect(TestPKI.hex(SHA256.hash(data: key)) == digest)
        }
    }
}
