import ProbeCore
import Testing

@Suite("Target.parse")
struct TargetTests {
    @Test(
        "the forms a user types",
        arguments: [
            ("host", "host", UInt16(3389), "host"),
            ("host:3390", "host", 3390, "host:3390"),
            ("  rdp.example.test:3390 \n", "rdp.example.test", 3390, "rdp.example.test:3390"),
            ("[::1]:3390", "::1", 3390, "[::1]:3390"),
            ("::1", "::1", 3389, "::1"),
            ("[::1]", "::1", 3389, "[::1]"),
            ("192.0.2.7:65535", "192.0.2.7", 65535, "192.0.2.7:65535"),
            ("[fe80::1%eth0]:3389", "fe80::1%eth0", 3389, "[fe80::1%eth0]:3389"),
            ("lab_host-1.example.test.", "lab_host-1.example.test.", 3389, "lab_host-1.example.test."),
        ])
    func parses(text: String, host: String, port: UInt16, written: String) throws {
        let target = try Target.parse(text)
        #expect(target.host == host)
        #expect(target.port == port)
        #expect(target.written == written)
    }

    @Test("IP literals need no DNS and carry no SNI")
    func hostIsAddress() throws {
        #expect(try Target.parse("[::1]:3390").hostIsAddress)
        #expect(try Target.parse("::1").hostIsAddress)
        #expect(try Target.parse("127.0.0.1").hostIsAddress)
        #expect(try !Target.parse("host").hostIsAddress)
        #expect(try !Target.parse("1.2.3").hostIsAddress)
        // The plan's probes send SNI only for a name: look at what their startTLS carries.
        for (text, sni) in [("[::1]:3390", nil), ("127.0.0.1", nil), ("rdp.example.test", "rdp.example.test")] as [(String, String?)] {
            let plan = CheckPlan(target: try Target.parse(text), tlsVersions: [.tls12])
            let purposes: [ProbePurpose] = [.defaultClient, .smallSegments, .mtuTry(1200)] + plan.surveyPurposes
            for var machine in purposes.map({ plan.machine($0, timeouts: StepTimeouts(connectMs: 3000, stepMs: 3000)) }) {
                _ = machine.handle(.connecting, now: 0)
                _ = machine.handle(.connected, now: 0)
                let actions = machine.handle(.received(PDU.confirmTLS), now: 0)
                if actions == [.close] { continue }  // a negotiation-only probe: done at the confirm
                guard case let .startTLS(parameters)? = actions.first else {
                    Issue.record("\(text), \(machine.record.purpose): \(actions)")
                    continue
                }
                #expect(parameters.serverName == sni, "\(text), \(machine.record.purpose)")
            }
        }
    }

    @Test(
        "what is refused, and the message says why",
        arguments: [
            ("host:0", "port"),
            ("host:99999", "port"),
            ("host:", "port"),
            ("host:33a", "port"),
            ("[::1", "missing ]"),
            ("[::1]3390", "expected :PORT"),
            ("[::1]:0", "port"),
            ("[example.test]:3389", "not an IPv6 address"),
            ("", "no host"),
            ("   ", "no host"),
            ("bad host", "not a valid host name"),
            ("a..b", "not a valid host name"),
            ("h\u{00E9}te", "not a valid host name"),
            ("1:2:3", "not a host, HOST:PORT or [IPv6]:PORT"),
            (String(repeating: "a", count: 300), "longer than 255"),
            (String(repeating: "abcdefghi.", count: 26), "longer than 255"),  // 260 characters of labels
            (String(repeating: "a", count: 64) + ".test", "not a valid host name"),  // a 64-character label
        ])
    func refuses(text: String, reason: String) {
        #expect {
            _ = try Target.parse(text)
        } throws: { error in
            guard let error = error as? TargetError else { return false }
            return error.description.contains(reason)
        }
    }

    /// inet_pton (and so the resolver and NIO's SocketAddress) refuses these.
    /// Regression: `IPAddressText.isIPv6` used to accept them, so `Target.parse`
    /// took them as IP literals and the check failed at DNS with a misleading
    /// "does not resolve" instead of a parse error (fixed in 075cfac).
    @Test(
        "malformed IPv6 literals are refused (two '::', ':::', nine groups, a single leading colon)",
        arguments: ["1::2::3", "1:::2", "1::2:3:4:5:6:7:8", ":1::2", "::1:2:3:4:5:6:7:8"])
    func malformedIPv6(text: String) {
        #expect(!IPAddressText.isIPv6(text), "\(text) is not an IPv6 address")
        #expect(throws: TargetError.self, "\(text)") { try Target.parse(text) }
        #expect(throws: TargetError.self, "[\(text)]:3389") { try Target.parse("[\(text)]:3389") }
    }

    @Test(
        "well-formed IPv6 literals are accepted",
        arguments: [
            "::", "::1", "1:2:3:4:5:6:7::", "::1:2:3:4:5:6:7", "::ffff:192.0.2.1",
            "1:2:3:4:5:6:192.0.2.1", "2001:db8::8a2e:370:7334", "fe80::1%eth0",
        ])
    func wellFormedIPv6(text: String) throws {
        #expect(IPAddressText.isIPv6(text))
        #expect(try Target.parse("[\(text)]:3390").host == text)
    }
}
