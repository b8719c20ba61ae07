import Diagnosis
import ProbeCore
import Testing
import TSGU

/// The gateway rules: which side broke, at which step, the code and the fix.
@Suite("RD Gateway rules")
struct GatewayRuleTests {
    static func scenario(_ edit: (inout GatewayObservation) throws -> Void) rethrows -> Scenario {
        var scenario = Scenario()
        var g = GatewayObservation(gateway: "gw.example.test", target: "rdp.example.test:3389")
        g.stepDeadlineMs = 800
        g.firstAnswer = HTTPAnswer(status: 401, reason: "Unauthorized", server: "Microsoft-HTTPAPI/2.0",
                                   authenticationSchemes: ["NTLM", "Negotiate"])
        try edit(&g)
        scenario.observations.gateway = g
        return scenario
    }

    @Test("RAP denied: the channel to the target is refused, E_PROXY_RAP_ACCESSDENIED from the catalogue, the RAP fix")
    func rapDenied() async {
        let report = await Self.scenario {
            $0.authentication = .accepted
            $0.transport = .webSocket
            $0.failure = .init(step: .channelCreate, kind: .refused(GatewayResult(rawValue: 0x8007_59DA)))
        }.diagnose()
        let finding = report.finding("gateway.refused")
        #expect(finding?.level == .fail && finding?.section == .gateway)
        #expect(finding?.title == "The gateway refused the channel to rdp.example.test:3389: E_PROXY_RAP_ACCESSDENIED")
        #expect(finding?.codes == ["gateway:0x800759DA"])
        #expect(finding?.fixes.first?.contains("RD RAP") == true)
        #expect(report.finding("gateway.auth-schemes")?.title == "The gateway gw.example.test asks for NTLM, Negotiate authentication")
    }

    @Test("NAP/CAP denied at TUNNEL_AUTH: the gateway itself refused, the CAP fix")
    func capDenied() async {
        let report = await Self.scenario {
            $0.authentication = .accepted
            $0.failure = .init(step: .tunnelAuth, kind: .refused(GatewayResult(rawValue: 0x8007_59DB)))
        }.diagnose()
        let finding = report.finding("gateway.refused")
        #expect(finding?.title == "The gateway refused at tunnelAuth: E_PROXY_NAP_ACCESSDENIED")
        #expect(finding?.detail.contains("before any target was asked for") == true)
        #expect(finding?.fixes.first?.contains("RD CAP") == true)
    }

    @Test("404: not an RD Gateway there; stripped Upgrade: a warning naming the proxy; 401 again: the gateway account")
    func httpStage() async {
        let notFound = await Self.scenario {
            $0.firstAnswer = HTTPAnswer(status: 404, reason: "Not Found", server: "Microsoft-IIS/10.0", authenticationSchemes: [])
            $0.failure = .init(step: .http, kind: .httpStatus(404))
        }.diagnose()
        #expect(notFound.finding("gateway.not-a-gateway")?.title
                == "gw.example.test answers RDG_OUT_DATA with HTTP 404: not an RD Gateway there")
        let legacy = await Self.scenario {
            $0.authentication = .accepted
            $0.transport = .legacyOnly
        }.diagnose()
        #expect(legacy.finding("gateway.websocket-refused")?.level == .warn)
        let rejected = await Self.scenario {
            $0.authentication = .rejected
            $0.failure = .init(step: .authentication, kind: .httpStatus(401))
        }.diagnose()
        #expect(rejected.finding("gateway.auth-rejected")?.level == .fail)
        let untrusted = await Self.scenario { $0.authentication = .withheldUntrustedCertificate }.diagnose()
        #expect(untrusted.finding("gateway.certificate-untrusted")?.level == .fail)
        // judged untrusted without any account: still a failure, and the verdict says the client refuses
        let judged = await Self.scenario {
            $0.authentication = .noCredentials
            $0.certificate = .init(trusted: false, nameMatches: true)
        }.diagnose()
        #expect(judged.findings.filter { $0.id.rawValue == "gateway.certificate-untrusted" }.count == 1)
        #expect(judged.verdict.outcome == .fails)
        #expect(judged.verdict.summary.contains("certificate is not trusted"))
    }

    @Test("a healthy walk: tunnel and channel open, the idle timeout said")
    func healthy() async throws {
        let report = try await Self.scenario {
            $0.authentication = .accepted
            $0.transport = .webSocket
            $0.tunnelAuth = try TunnelAuthResponse([0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 30, 0, 0, 0])
            $0.channel = try ChannelResponse([0, 0, 0, 0, 1, 0, 0, 0, 9, 0, 0, 0])
            $0.channelReplyIsTPKT = true
            $0.steps = [.init(step: .tcp, ms: 1), .init(step: .channel, ms: 2)]
        }.diagnose()
        let finding = try #require(report.finding("gateway.tunnel"))
        #expect(finding.level == .good)
        #expect(finding.detail.contains("Idle timeout 30 min.") && finding.detail.contains("answered like RDP"))
        #expect(!report.findings.contains { $0.section == .gateway && $0.level == .fail })
    }
}
