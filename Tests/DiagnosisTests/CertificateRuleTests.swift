import Diagnosis
import Foundation
import ProbeCore
import Testing

/// Certificates are the DER fixtures of CertificateFixtures.swift, judged at
/// instants relative to their validity.
@Suite struct CertificateRuleTests {
    typealias F = CertificateFixtures
    fileprivate typealias M = MoreCertificates

    private func withChain(
        _ chain: [[UInt8]], host: String = F.host, anchors: [[UInt8]] = [F.rootCA],
        at now: Int64 = F.validNow
    ) -> Scenario {
        Scenario(host: host, anchors: anchors)
            .judged(at: now)
            .defaultClient(.selected(protocol: Proto.ssl, flags: [])) {
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
        // The root is sent, so nothing is missing: the generic finding.
        let report = await withChain(Scenarios.leafChain, anchors: []).diagnose()
        let finding = report.finding("cert.untrusted")
        #expect(finding?.level == .warn)
        #expect(finding?.codes == ["sspi:0x80090325"])
        #expect(finding?.fixes.contains { $0.contains("--ca FILE") } == true)
        #expect(!report.has("cert.trusted") && !report.has("cert.self-signed") && !report.has("cert.missing-intermediate"))
        #expect(report.certificate?.missingIssuer == nil)
    }

    @Test func missingIntermediateNamesTheCertificateToSend() async {
        let report = await withChain([M.leaf], anchors: [M.root], at: M.validNow).diagnose()
        #expect(report.certificate?.missingIssuer == M.issuingCAName)
        let finding = report.finding("cert.missing-intermediate")
        #expect(finding?.level == .warn)
        #expect(finding?.title == "The server does not send the certificate that issued its own")
        #expect(
            finding?.detail.hasPrefix(
                "The server sends its certificate without the one that issued it (CN=rdpdoctor Issuing CA,O=rdpdoctor tests). Verifier: ") == true)
        #expect(
            finding?.fixes == [
                "If CN=rdpdoctor Issuing CA,O=rdpdoctor tests is an intermediate CA, configure the server to send it (Windows: import it into the computer's Intermediate Certification Authorities store — `Import-Certificate -FilePath issuer.cer -CertStoreLocation Cert:\\LocalMachine\\CA`; xrdp: put the intermediate after the server certificate in the certificate= file); if it is your own root CA, deploy it to clients or pass it with --ca."
            ])
        #expect(finding?.codes == ["sspi:0x80090325"])
        // It replaces the generic finding and its generic fixes.
        #expect(!report.has("cert.untrusted") && !report.has("cert.trusted") && !report.has("cert.self-signed"))
    }

    @Test func sendingTheIntermediateMakesItTrusted() async {
        let report = await withChain([M.leaf, M.issuingCA], anchors: [M.root], at: M.validNow).diagnose()
        #expect(report.has("cert.trusted"))
        #expect(report.certificate?.trust.validatedChain.last == M.rootName)
        #expect(report.certificate?.missingIssuer == nil)
        #expect(!report.has("cert.missing-intermediate"))
    }

    @Test func aPrivateRootNeitherSentNorTrustedIsNamedToo() async {
        let report = await withChain([F.leaf], anchors: []).diagnose()
        let finding = report.finding("cert.missing-intermediate")
        #expect(finding?.detail.contains("(CN=rdpdoctor Test Root CA,O=rdpdoctor tests)") == true)
        #expect(finding?.fixes.first?.hasPrefix("If CN=rdpdoctor Test Root CA,O=rdpdoctor tests is an intermediate CA") == true)
        #expect(!report.has("cert.untrusted"))
    }

    @Test func ekuWithoutServerAuthenticationFails() async {
        // Pinned as its own anchor so that only the EKU is wrong.
        let report = await withChain([M.clientAuthOnly], anchors: [M.clientAuthOnly], at: M.validNow).diagnose()
        let finding = report.finding("cert.eku")
        #expect(finding?.level == .fail)
        #expect(finding?.title == "The certificate is not for server authentication")
        #expect(finding?.detail.contains("(clientAuth)") == true)
        #expect(finding?.codes == ["sspi:0x80090349"])
        #expect(report.has("cert.trusted"))
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
            .defaultClient(.selected(protocol: Proto.hybrid, flags: []))
            .tlsVersion(.tls12, accepted: true, chain: Scenarios.leafChain)
            .diagnose()
        #expect(report.certificate != nil)
        #expect(report.has("cert.trusted"))
    }

    @Test func noChainNoCertificateFindings() async {
        let report = await Scenario()
            .defaultClient(.selected(protocol: Proto.ssl, flags: [])) { $0.tls = TLSSessionInfo(version: .tls12, peerChain: []) }
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

/// More P-256 certificates made once with OpenSSL 3.0.19 (keys thrown away), in
/// the style of CertificateFixtures: a root, an intermediate and a leaf under
/// it, and a certificate whose EKU is client authentication only.
///
///   openssl ecparam -name prime256v1 -genkey -noout -out root.key     (likewise inter.key, leaf.key)
///   openssl req -x509 -new -key root.key -sha256 -subj "/O=rdpdoctor tests/CN=rdpdoctor Test Root CA 2" -days 3650 \
///     -set_serial 0x0F01 -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" -out root.pem
///   openssl req -new -key inter.key -subj "/O=rdpdoctor tests/CN=rdpdoctor Issuing CA" -out inter.csr
///   openssl x509 -req -in inter.csr -CA root.pem -CAkey root.key -set_serial 0x0F02 -days 1825 -sha256 \
///     -extfile inter.ext -out inter.pem        (inter.ext: basicConstraints=critical,CA:TRUE; keyUsage=critical,keyCertSign,cRLSign)
///   openssl req -new -key leaf.key -subj "/O=rdpdoctor tests/CN=rdp.example.test" -out leaf.csr
///   openssl x509 -req -in leaf.csr -CA inter.pem -CAkey inter.key -set_serial 0x0F03 -days 365 -sha256 \
///     -extfile leaf.ext -out leaf.pem          (leaf.ext as in CertificateFixtures)
///   openssl req -x509 -new -key eku.key -sha256 -subj "/CN=rdp.example.test" -days 365 -set_serial 0x0F04 \
///     -addext "basicConstraints=critical,CA:FALSE" -addext "extendedKeyUsage=clientAuth" \
///     -addext "subjectAltName=DNS:rdp.example.test" -out eku.pem
///   openssl verify -CAfile root.pem -untrusted inter.pem leaf.pem   -> leaf.pem: OK
private enum MoreCertificates {
    /// CN=rdpdoctor Test Root CA 2: the anchor. notBefore=Dec  4 14:49:23 2026 GMT, notAfter=Dec  1 14:49:23 2036 GMT
    static let root = der(
        "MIIBzDCCAXOgAwIBAgICDwEwCgYIKoZIzj0EAwIwPTEYMBYGA1UECgwPcmRwZG9jdG9yIHRlc3RzMSEwHwYDVQQDDBhyZHBkb2N0b3IgVGVzdCBSb290IENBIDIwHhcNMjYxMjA0MTQ0OTIzWhcNMzYxMjAxMTQ0OTIzWjA9MRgwFgYDVQQKDA9yZHBkb2N0b3IgdGVzdHMxITAfBgNVBAMMGHJkcGRvY3RvciBUZXN0IFJvb3QgQ0EgMjBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABDz6eZ/mZ8LhO2IFPn97XGQHJ8HtAUX0z+VJtYVqafFgWJhb4Gyjb0V3M7Y4FCsCBlid/dTG9/WDW7xAok/YFiCjYzBhMB0GA1UdDgQWBBSZsz2TN/9wbWfJSZXd02KRAGYbbjAfBgNVHSMEGDAWgBSZsz2TN/9wbWfJSZXd02KRAGYbbjAPBgNVHRMBAf8EBTADAQH/MA4GA1UdDwEB/wQEAwIBBjAKBggqhkjOPQQDAgNHADBEAiAUeBy/oL01VZ5YZaVdMJ2krl3U452bXR3C/HxJhKIkowIgZLvcZHwip81ihQJxkvC8pv4211YRI9zqQiQVBL2xV/s="
    )
    /// CN=rdpdoctor Issuing CA: an intermediate under root. notBefore=Dec  4 14:49:23 2026 GMT, notAfter=Dec  3 14:49:23 2031 GMT
    static let issuingCA = der(
        "MIIByDCCAW+gAwIBAgICDwIwCgYIKoZIzj0EAwIwPTEYMBYGA1UECgwPcmRwZG9jdG9yIHRlc3RzMSEwHwYDVQQDDBhyZHBkb2N0b3IgVGVzdCBSb290IENBIDIwHhcNMjYxMjA0MTQ0OTIzWhcNMzExMjAzMTQ0OTIzWjA5MRgwFgYDVQQKDA9yZHBkb2N0b3IgdGVzdHMxHTAbBgNVBAMMFHJkcGRvY3RvciBJc3N1aW5nIENBMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEy6r7dNgrhqNuY+KfMVYks191G4Qq2Z7qLpmWtR0xPZbKpukGe4lOySYKwWYB0RUyauQQ5B5OV0pUFC2QiyzmAaNjMGEwDwYDVR0TAQH/BAUwAwEB/zAOBgNVHQ8BAf8EBAMCAQYwHQYDVR0OBBYEFLPcfZtIy7fICVIc3m+DDvn9NCjaMB8GA1UdIwQYMBaAFJmzPZM3/3BtZ8lJld3TYpEAZhtuMAoGCCqGSM49BAMCA0cAMEQCIHKOWOciw1OAnkiIlTBWnTj4rSoz1fRKAX4h0TIkWCswAiAdHlZMLROajXQdjwS9O0299e96Vi+O26fGS3jvqClMOA=="
    )
    /// CN=rdp.example.test, SAN DNS:rdp.example.test, EKU serverAuth, issued by issuingCA. notBefore=Dec  4 14:49:23 2026 GMT, notAfter=Dec  4 14:49:23 2027 GMT
    static let leaf = der(
        "MIIB8jCCAZigAwIBAgICDwMwCgYIKoZIzj0EAwIwOTEYMBYGA1UECgwPcmRwZG9jdG9yIHRlc3RzMR0wGwYDVQQDDBRyZHBkb2N0b3IgSXNzdWluZyBDQTAeFw0yNjEyMDQxNDQ5MjNaFw0yNzEyMDQxNDQ5MjNaMDUxGDAWBgNVBAoMD3JkcGRvY3RvciB0ZXN0czEZMBcGA1UEAwwQcmRwLmV4YW1wbGUudGVzdDBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABI5B0+A8m+7D/aYtJF1+HI7XNxccok0JYTurguYlV9UFwOEuylGFgMAKpvk0x2bFQGf3msd/VJ4KGu6M6nd6qCajgZMwgZAwDAYDVR0TAQH/BAIwADAOBgNVHQ8BAf8EBAMCB4AwEwYDVR0lBAwwCgYIKwYBBQUHAwEwGwYDVR0RBBQwEoIQcmRwLmV4YW1wbGUudGVzdDAdBgNVHQ4EFgQUR4J5gIDAib3xjq0psXKFoI0Ycw0wHwYDVR0jBBgwFoAUs9x9m0jLt8gJUhzeb4MO+f00KNowCgYIKoZIzj0EAwIDSAAwRQIgezGPD7S4QmHtFmsQR6O0xFcKl06Ld9YHmDY8aF9q28sCIQCmyGJWlW2NfkXILQqpNsahrJ3zCh4LJK8IIcIWJJUiBA=="
    )
    /// CN=rdp.example.test, self-signed, EKU clientAuth only. notBefore=Dec  4 14:49:23 2026 GMT, notAfter=Dec  4 14:49:23 2027 GMT
    static let clientAuthOnly = der(
        "MIIBqjCCAVCgAwIBAgICDwQwCgYIKoZIzj0EAwIwGzEZMBcGA1UEAwwQcmRwLmV4YW1wbGUudGVzdDAeFw0yNjEyMDQxNDQ5MjNaFw0yNzEyMDQxNDQ5MjNaMBsxGTAXBgNVBAMMEHJkcC5leGFtcGxlLnRlc3QwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAASvt16XseTtoNjA+6pTqAWAoNEkj7AXYT42Tdaf8ZJ7M+pZMjDSJeRa4d4fcWw6GPfgVznwZx7q9I6zuildhqtEo4GDMIGAMB0GA1UdDgQWBBQfpUHfUQiFxm6Qf6ozGbfz1kAgGjAfBgNVHSMEGDAWgBQfpUHfUQiFxm6Qf6ozGbfz1kAgGjAMBgNVHRMBAf8EAjAAMBMGA1UdJQQMMAoGCCsGAQUFBwMCMBsGA1UdEQQUMBKCEHJkcC5leGFtcGxlLnRlc3QwCgYIKoZIzj0EAwIDSAAwRQIgDrKG9ycAQl6Xds5/NVVQpnUfliVKHd8NQ+8lxQwh4kECIQDgn6ItGtL6oXQfLpfw1lKqapfAmL4vfvXvdLvaA+Nurg=="
    )

    static let notBefore: Int64 = 1_796_395_763  // all four
    static let notAfter: Int64 = 1_827_931_763  // leaf and clientAuthOnly
    static let validNow = notBefore + 30 * 86_400

    static let rootName = "CN=rdpdoctor Test Root CA 2,O=rdpdoctor tests"
    static let issuingCAName = "CN=rdpdoctor Issuing CA,O=rdpdoctor tests"

    private static func der(_ base64: String) -> [UInt8] {
        guard let data = Data(base64Encoded: base64) else { fatalError("bad base64 fixture") }
        return Array(data)
    }
}
