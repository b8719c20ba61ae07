import Testing
import X509

@testable import CertificateAudit

@Suite struct NameMatchingTests {
    static let sanLeaf: [UInt8] = {
        let extensions = try! TestPKI.sanExtensions(
            dns: ["rdp.example.test", "*.hosts.example.test"],
            ips: [[192, 0, 2, 10], [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x05]])
        // The CN differs on purpose: with SANs present it must be ignored.
        return try! TestPKI.issue(subject: TestPKI.name("cn-only.example.test"), extensions: extensions).der
    }()

    static func audit(_ der: [UInt8], _ name: String) async -> CertificateReport {
        await CertificateAuditor.audit(chain: [der], expectedName: name, now: TestPKI.now, trustAnchors: [])
    }

    @Test(arguments: [
        ("rdp.example.test", "rdp.example.test"),
        ("RDP.Example.TEST.", "rdp.example.test"),
        ("a.hosts.example.test", "*.hosts.example.test"),
        ("192.0.2.10", "192.0.2.10"),
        ("2001:db8:0:0::5", "2001:db8::5"),
        ("[2001:DB8::5]", "2001:db8::5"),
    ])
    func matches(name: String, matchedBy: String) async {
        let report = await Self.audit(Self.sanLeaf, name)
        #expect(report.nameMatches, "\(name)")
        #expect(report.matchedName == matchedBy)
        #expect(report.nameSource == .subjectAltName)
    }

    @Test(arguments: [
        "other.example.test",  // wrong name
        "a.b.hosts.example.test",  // a wildcard covers one label only
        "hosts.example.test",  // ...and not zero labels
        "192.0.2.11",  // wrong IP
        "cn-only.example.test",  // CN is ignored when SANs exist
        "example.test",
        "",
    ])
    func doesNotMatch(name: String) async {
        let report = await Self.audit(Self.sanLeaf, name)
        #expect(!report.nameMatches, "\(name)")
        #expect(report.matchedName == nil)
    }

    @Test func cnOnlyCertificateMatchesByCommonName() async throws {
        let der = try TestPKI.issue(subject: TestPKI.name("legacy.example.test")).der
        let right = await Self.audit(der, "Legacy.Example.Test")
        #expect(right.nameMatches)
        #expect(right.nameSource == .commonName)
        let wrong = await Self.audit(der, "other.example.test")
        #expect(!wrong.nameMatches)
        #expect(wrong.nameSource == .commonName)
    }

    @Test func ipLiteralIsNotMatchedAgainstDNSNames() async throws {
        let der = try TestPKI.issue(subject: TestPKI.name("x"), extensions: TestPKI.sanExtensions(dns: ["192.0.2.10"])).der
        #expect(!(await Self.audit(der, "192.0.2.10")).nameMatches)
    }

    @Test func wildcardRules() {
        #expect(NameMatching.dnsMatches(pattern: "*.example.com", host: "www.example.com"))
        #expect(NameMatching.dnsMatches(pattern: "*.EXAMPLE.com", host: "WWW.example.COM"))
        #expect(!NameMatching.dnsMatches(pattern: "*.com", host: "example.com"))
        #expect(!NameMatching.dnsMatches(pattern: "f*.example.com", host: "foo.example.com"))
        #expect(!NameMatching.dnsMatches(pattern: "www.*.com", host: "www.example.com"))
        #expect(!NameMatching.dnsMatches(pattern: "*.*.example.com", host: "a.b.example.com"))
        #expect(!NameMatching.dnsMatches(pattern: "*.example.com", host: "*.example.com"))
        #expect(!NameMatching.dnsMatches(pattern: "www..example.com", host: "www..example.com"))
        #expect(NameMatching.dnsMatches(pattern: "host.example.com.", host: "host.example.com"))
    }

    @Test func ipParsingAndPrinting() {
        #expect(IPAddress.parse("10.0.0.1") == [10, 0, 0, 1])
        #expect(IPAddress.parse("10.0.0.256") == nil)
        #expect(IPAddress.parse("10.0.0") == nil)
        #expect(IPAddress.parse("example.com") == nil)
        #expect(IPAddress.parse("::1") == Array(repeating: 0, count: 15) + [1])
        #expect(IPAddress.parse("::ffff:192.0.2.1") == Array(repeating: 0, count: 10) + [0xff, 0xff, 192, 0, 2, 1])
        #expect(IPAddress.parse("fe80::1%eth0") == [0xfe, 0x80] + Array(repeating: 0, count: 13) + [1])
        #expect(IPAddress.parse("1::2::3") == nil)
        #expect(IPAddress.parse("1:2:3:4:5:6:7:8:9") == nil)
        #expect(IPAddress.parse(":::") == nil)
        #expect(IPAddress.text([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1]) == "2001:db8::1:0:0:1")
        #expect(IPAddress.text(Array(repeating: 0, count: 16)) == "::")
        #expect(IPAddress.text([0, 1] + Array(repeating: 0, count: 14)) == "1::")
    }
}
