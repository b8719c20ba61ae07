import CertificateAudit
import Foundation
import Testing

@Suite struct PEMTests {
    static func wrap(_ base64: String) -> String {
        var lines: [String] = []
        var rest = Substring(base64)
        while !rest.isEmpty {
            lines.append(String(rest.prefix(64)))
            rest = rest.dropFirst(64)
        }
        return lines.joined(separator: "\n")
    }

    @Test func readsABundleWithCommentsAndCRLF() {
        let a = OpenSSLFixtures.RSA1024SHA1.base64
        let b = OpenSSLFixtures.RSA2048SHA1.base64
        let text = """
            # Legacy RDP host
            -----BEGIN CERTIFICATE-----
            \(Self.wrap(a))
            -----END CERTIFICATE-----
            -----BEGIN PRIVATE KEY-----
            AAAA
            -----END PRIVATE KEY-----
            Issuer: something
            -----BEGIN CERTIFICATE-----\r
            \(Self.wrap(b).replacingOccurrences(of: "\n", with: "\r\n"))\r
            -----END CERTIFICATE-----\r

            """
        let blocks = PEM.derBlocks(from: text)
        #expect(blocks == [TestPKI.base64(a), TestPKI.base64(b)])
    }

    @Test func skipsBrokenBlocks() {
        let good = OpenSSLFixtures.RSA2048SHA1.base64
        let text = """
            -----BEGIN CERTIFICATE-----
            not*base64!
            -----END CERTIFICATE-----
            -----BEGIN CERTIFICATE-----
            \(Self.wrap(good))
            -----END CERTIFICATE-----
            -----BEGIN CERTIFICATE-----
            \(Self.wrap(good))
            """
        #expect(PEM.derBlocks(from: text) == [TestPKI.base64(good)])
        #expect(PEM.derBlocks(from: "") == [])
        #expect(PEM.derBlocks(from: "garbage\n-----END CERTIFICATE-----") == [])
    }

    @Test func base64PaddingVariants() {
        let text = """
            -----BEGIN CERTIFICATE-----
            TWFu
            TWE=
            -----END CERTIFICATE-----
            -----BEGIN CERTIFICATE-----
            TQ
            -----END CERTIFICATE-----
            -----BEGIN CERTIFICATE-----
            TQ==TQ==
            -----END CERTIFICATE-----
            """
        // Padding is optional at the end and invalid in the middle.
        #expect(PEM.derBlocks(from: text) == [Array("ManMa".utf8), Array("M".utf8)])
    }
}
