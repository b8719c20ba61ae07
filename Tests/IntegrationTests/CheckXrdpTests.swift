import Diagnosis
import ProbeCore
import RDPProtocol
import Testing

/// `check` against the real xrdp variants of the testbed.
@Suite("check against xrdp", .serialized)
struct CheckXrdpTests {
    @Test("negotiate: TLS or standard security, no NLA, self-signed certificate, logon screen")
    func negotiate() async throws {
        let report = try await Testbed.check("XRDP_NEGOTIATE")
        let o = report.observations
        #expect(o.negotiation(requested: .rdp)?.negotiation == .selected(protocol: .rdp, flags: NegotiationResponseFlags(rawValue: 1)))
        #expect(o.negotiation(requested: .ssl)?.negotiation?.selectedProtocol == .ssl)
        #expect(o.negotiation(requested: .hybrid)?.negotiation?.selectedProtocol == .rdp, "xrdp has no NLA")
        #expect(o.defaultClient?.negotiation?.selectedProtocol == .ssl)
        #expect(report.has("x224.no-nla"))
        #expect(!report.has("x224.nla-required") && !report.has("x224.nla-optional"))
        #expect(report.has("x224.rdp-security-accepted"))
        #expect(report.has("cert.self-signed"))
        #expect(report.verdict.outcome == .reachesLogon, "\(report.verdict.summary)")
        #expect(o.defaultClient?.session?.demandActive == true)
        #expect(o.defaultClient?.session?.licensing == .licenseRequest, "xrdp runs the license exchange")
        #expect(report.exitStatus == 1, "warnings, connectable")
    }

    @Test("TLS required: standard security refused with SSL_REQUIRED_BY_SERVER")
    func tlsRequired() async throws {
        let report = try await Testbed.check("XRDP_TLS")
        #expect(report.observations.negotiation(requested: .rdp)?.negotiation == .failure(code: .sslRequiredByServer))
        #expect(report.observations.negotiation(requested: .ssl)?.negotiation?.selectedProtocol == .ssl)
        #expect(!report.has("x224.rdp-security-accepted"))
        #expect(report.verdict.outcome == .reachesLogon)
    }

    @Test("expired certificate")
    func expired() async throws {
        let report = try await Testbed.check("XRDP_EXPIRED", anchors: try Testbed.testCA())
        #expect(report.has("cert.expired"))
        #expect(report.certificate?.leaf?.details?.validity.state == .expired)
    }

    @Test("certificate for another name")
    func wrongName() async throws {
        let report = try await Testbed.check("XRDP_WRONGNAME", host: "localhost", anchors: try Testbed.testCA())
        #expect(report.has("cert.name-mismatch"))
        #expect(!report.has("cert.expired"))
    }

    @Test("certificate from a test CA: trusted only with --ca")
    func testCA() async throws {
        let trusted = try await Testbed.check("XRDP_TESTCA", host: "localhost", anchors: try Testbed.testCA())
        #expect(trusted.has("cert.trusted"), "\(trusted.ids)")
        #expect(!trusted.has("cert.name-mismatch"))
        let untrusted = try await Testbed.check("XRDP_TESTCA", host: "localhost")
        // Its issuer is neither sent nor trusted: the fix names the certificate to send or deploy.
        let missing = untrusted.finding("cert.missing-intermediate")
        #expect(missing?.fixes.first?.contains("CN=rdpdoctor Test CA") == true, "\(untrusted.ids)")
        #expect(!untrusted.has("cert.self-signed"), "CA-signed, not self-signed")
    }

    @Test("TLS 1.0 only")
    func tls10Only() async throws {
        let report = try await Testbed.check("XRDP_TLS10")
        #expect(report.observations.tlsProbe(.tls10)?.tls != nil)
        #expect(report.observations.tlsProbe(.tls12)?.tls == nil)
        #expect(report.observations.tlsProbe(.tls13)?.tls == nil)
        #expect(report.has("tls.old-versions"))
        #expect(report.has("tls.no-tls12"))
    }

    @Test("TLS 1.3 only")
    func tls13Only() async throws {
        let report = try await Testbed.check("XRDP_TLS13")
        #expect(report.observations.tlsProbe(.tls13)?.tls != nil)
        #expect(report.observations.tlsProbe(.tls12)?.tls == nil)
        #expect(report.has("tls.only-tls13"))
        #expect(!report.has("tls.old-versions"))
    }

    @Test(
        "standard RDP security only, by encryption level",
        arguments: [
            ("XRDP_RDP_LOW", UInt32(0x1), "rdpsec.weak-encryption"),
            ("XRDP_RDP_HIGH", UInt32(0x2), "rdpsec.encryption"),
            ("XRDP_RDP_FIPS", UInt32(0x10), "rdpsec.encryption"),
            ("XRDP_RDP_NONE", UInt32(0x0), "rdpsec.no-encryption"),
        ])
    func standardSecurity(variant: String, method: UInt32, finding: String) async throws {
        let report = try await Testbed.check(variant)
        #expect(report.has("x224.rdp-security-only"))
        let data = report.observations.probes.compactMap(\.serverData).first
        #expect(data?.encryptionMethod?.rawValue == method)
        #expect(report.has(finding), "\(report.ids)")
        #expect(data?.rdpVersion != nil)
    }

    @Test(
        "standard RDP security with RC4 is walked to the logon screen like TLS",
        arguments: [
            ("XRDP_RDP_LOW", 40, false),  // level low: only client-to-server traffic is encrypted
            ("XRDP_RDP_HIGH", 128, true),  // level high: the Demand Active arrives encrypted, its MAC checked
        ])
    func standardSecurityReachesLogon(variant: String, keyBits: Int, serverEncrypts: Bool) async throws {
        let report = try await Testbed.check(variant)
        let session = try #require(report.observations.defaultClient?.session)
        #expect(session.demandActive, "\(String(describing: report.observations.defaultClient?.end))")
        #expect(session.licensing == .licenseRequest, "xrdp runs the license exchange")
        let exchange = try #require(session.standardSecurity)
        #expect(exchange.exchangeSent)
        #expect(exchange.keyBits == keyBits)
        #expect(exchange.serverKeyBits == 2048, "xrdp's proprietary certificate")
        #expect((exchange.decryptedPDUs > 0) == serverEncrypts)
        #expect(report.has("session.started") && report.has("rdpsec.exchange"), "\(report.ids)")
        #expect(report.verdict.outcome == .reachesLogon)
        #expect(report.verdict.step == .capabilities, "as far as the TLS servers: \(report.verdict.summary)")
        #expect(report.observations.defaultClient?.end == .completed)
    }

    @Test("FIPS: the walk stops at the Security Exchange, honestly")
    func fipsStopsAtSecurityExchange() async throws {
        let report = try await Testbed.check("XRDP_RDP_FIPS")
        let session = try #require(report.observations.defaultClient?.session)
        #expect(session.standardSecurity?.notAttempted == .fipsNotImplemented)
        #expect(session.standardSecurity?.exchangeSent == false)
        #expect(!session.joinedChannels.isEmpty, "the channels are joined first")
        #expect(
            report.finding("rdpsec.fips-not-walked")?.title
                == "The walk stopped at the Security Exchange: FIPS encryption (3DES) is not implemented by rdpdoctor")
        #expect(report.verdict.outcome == .reachesLogon, "rdpdoctor's limit is not the server's failure")
        #expect(report.verdict.step == .security)
        #expect(!report.findings.contains { $0.level == .fail })
    }
}
