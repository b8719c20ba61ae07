import Diagnosis
import ProbeCore
import RDPProtocol
import Testing

/// `check` against FreeRDP's shadow server variants of the testbed.
@Suite("check against the FreeRDP shadow server", .serialized)
struct CheckShadowTests {
    @Test("NLA required: CredSSP selected, the rest refused with HYBRID_REQUIRED_BY_SERVER")
    func nlaRequired() async throws {
        let report = try await Testbed.check("SHADOW_NLA")
        let o = report.observations
        #expect(o.negotiation(requested: .ssl)?.negotiation == .failure(code: .hybridRequiredByServer))
        #expect(o.negotiation(requested: .rdp)?.negotiation == .failure(code: .hybridRequiredByServer))
        #expect(o.negotiation(requested: .hybrid)?.negotiation?.selectedProtocol == .hybrid)
        #expect(report.has("x224.nla-required"))
        #expect(report.verdict.outcome == .reachesCredentials)
        let credssp = try #require(o.defaultClient?.credssp)
        #expect(credssp.serverVersion != nil)
        #expect(credssp.netbiosComputer != nil || credssp.dnsComputer != nil)
    }

    @Test("TLS without NLA")
    func tlsWithoutNLA() async throws {
        let report = try await Testbed.check("SHADOW_TLS")
        #expect(report.observations.negotiation(requested: .ssl)?.negotiation?.selectedProtocol == .ssl)
        #expect(report.observations.negotiation(requested: .hybrid)?.negotiation == .failure(code: .sslNotAllowedByServer))
        #expect(report.has("x224.no-nla"))
        #expect(report.verdict.outcome == .reachesLogon)
        #expect(report.observations.defaultClient?.session?.licensing == .validClient)
        #expect(report.has("session.started"))
    }

    @Test("standard RDP security only: TLS refused with SSL_NOT_ALLOWED_BY_SERVER")
    func rdpOnly() async throws {
        let report = try await Testbed.check("SHADOW_RDP")
        #expect(report.observations.negotiation(requested: .ssl)?.negotiation == .failure(code: .sslNotAllowedByServer))
        #expect(report.has("x224.rdp-security-only"))
        #expect(report.verdict.outcome == .reachesLogon)
        // mstsc's retry with standard RDP security, replayed by the standard-security probe.
        let retry = try #require(report.observations.standardSecurityRetry)
        #expect(retry.session?.demandActive == true)
        #expect(report.verdict.step == .capabilities, "\(report.verdict.summary)")
        #expect(report.has("session.started"))
    }

    @Test("weston offers standard RDP security only without encryption: nothing to exchange, TLS for the default client")
    func westonStandardSecurity() async throws {
        let report = try await Testbed.check("WESTON")
        let standard = try #require(report.observations.negotiation(requested: .rdp))
        #expect(standard.negotiation?.selectedProtocol == .rdp)
        #expect(standard.serverData?.encryptionMethod == EncryptionMethods.none && standard.serverData?.encryptionLevel == EncryptionLevel.none)
        #expect(standard.session == nil, "the survey probe stops at the server data")
        #expect(report.observations.defaultClient?.tls != nil)
        #expect(report.observations.defaultClient?.session?.standardSecurity == nil)
        #expect(!report.has("rdpsec.exchange") && !report.has("rdpsec.fips-not-walked"))
    }
}
