import Diagnosis
import ProbeCore
import TSGU
import Testing

/// The gateway rules: which side broke, at which step, the code and the fix.
@Suite("RD Gateway rules")
struct GatewayRuleTests {
    static func scenario(_ edit: (inout GatewayObservation) throws -> Void) rethrows -> Scenario {
        var scenario = Scenario()
        var g = GatewayObservation(gateway: "gw.example.test", target: "rdp.example.test:3389")
        g.stepDeadlineMs = 800
        g.firstAnswer = HTTPAnswer(
            status: 401, reason: "Unauthorized", server: "Microsoft-HTTPAPI/2.0",
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
        #expect(finding?.title == "The gateway refused at TUNNEL_AUTH: E_PROXY_NAP_ACCESSDENIED")
        #expect(finding?.detail.contains("before any target was asked for") == true)
        #expect(finding?.fixes.first?.contains("RD CAP") == true)
    }

    @Test("404: not an RD Gateway there; stripped Upgrade: a warning naming the proxy; 401 again: the gateway account")
    func httpStage() async {
        let notFound = await Self.scenario {
            $0.firstAnswer = HTTPAnswer(status: 404, reason: "Not Found", server: "Microsoft-IIS/10.0", authenticationSchemes: [])
            $0.failure = .init(step: .http, kind: .httpStatus(404))
        }.diagnose()
        #expect(
            notFound.finding("gateway.not-a-gateway")?.title
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

    /// A gateway walk that presented `chain`, the gateway addressed as `name`.
    static func withChain(_ chain: [[UInt8]], name: String, now: Int64 = CertificateFixtures.validNow) -> Scenario {
        var scenario = Self.scenario {
            $0.gateway = name
            $0.tls = TLSSessionInfo(version: .tls13, peerChain: chain)
            $0.authentication = .noCredentials
        }
        scenario.context.nowUnix = now
        return scenario
    }

    @Test("the gateway's certificate audited for its name: a CA-issued leaf for another name is a failure, with the client's code")
    func certificateNameMismatch() async throws {
        var scenario = Self.withChain([CertificateFixtures.leaf], name: "gw.example.test")
        scenario.observations.gateway?.certificate = .init(trusted: true, nameMatches: false)
        let report = await scenario.diagnose()
        let mismatch = try #require(report.finding("gateway.certificate-name-mismatch"))
        #expect(mismatch.level == .fail && mismatch.section == .gateway && mismatch.side == .gateway)
        #expect(mismatch.codes == ["disconnect:0x3000005"])
        #expect(report.finding("gateway.certificate-trusted")?.level == .good)
        #expect(report.gatewayCertificate?.expectedName == "gw.example.test")
        #expect(report.verdict.outcome == .fails)
        #expect(report.verdict.errorCode?.description == "disconnect:0x3000005")
    }

    @Test("a self-signed gateway certificate is a failure; an expired one too; the right one passes")
    func certificateTrustAndExpiry() async {
        let selfSigned = await Self.withChain([CertificateFixtures.selfSigned], name: "rdp.example.test").diagnose()
        #expect(selfSigned.finding("gateway.certificate-untrusted")?.level == .fail)
        #expect(selfSigned.finding("gateway.certificate-untrusted")?.detail.contains("self-signed") == true)
        let expired = await Self.withChain(
            [CertificateFixtures.leaf], name: "rdp.example.test",
            now: CertificateFixtures.Leaf.notAfter + 3 * CertificateFixtures.day
        ).diagnose()
        #expect(expired.finding("gateway.certificate-expired")?.level == .fail)
        let good = await Self.withChain([CertificateFixtures.leaf], name: "rdp.example.test").diagnose()
        #expect(good.finding("gateway.certificate-trusted")?.level == .good)
        #expect(!good.findings.contains { $0.id.rawValue.hasPrefix("gateway.certificate") && $0.level == .fail })
    }

    @Test("each gateway failure names its client codes from clientcodes.json")
    func clientCodes() async {
        let unreachable = await Self.scenario {
            $0.failure = .init(step: .tcp, kind: .connectFailed(.refused))
        }.diagnose()
        #expect(unreachable.finding("gateway.unreachable")?.codes == ["disconnect:0x204"])
        #expect(unreachable.verdict.errorCode?.description == "disconnect:0x204")
        let rejected = await Self.scenario {
            $0.authentication = .rejected
            $0.failure = .init(step: .authentication, kind: .httpStatus(401))
        }.diagnose()
        #expect(rejected.finding("gateway.auth-rejected")?.codes == ["freerdp:0x20016"])
        let connectFailed = await Self.scenario {
            $0.authentication = .accepted
            $0.failure = .init(step: .channelCreate, kind: .refused(GatewayResult(rawValue: 0x8007_59DD)))
        }.diagnose()
        #expect(connectFailed.finding("gateway.refused")?.fixes.first?.contains("could not open TCP") == true)
        #expect(connectFailed.verdict.errorCode?.description == "gateway:0x800759DD")
        let other = await Self.scenario {
            $0.authentication = .accepted
            $0.failure = .init(step: .tunnelCreate, kind: .refused(GatewayResult(rawValue: 0x8007_59E9)))
        }.diagnose()
        #expect(other.finding("gateway.refused")?.codes == ["gateway:0x800759E9"])
    }

    @Test("RPC over HTTP: present beside a failing HTTP transport is a warning; present or absent otherwise, info")
    func rpcProxy() async {
        var present = RPCProxyObservation()
        present.status = 401
        present.authenticationSchemes = ["Negotiate", "NTLM"]
        var absent = RPCProxyObservation()
        absent.status = 404
        let httpFails = await Self.scenario {
            $0.firstAnswer = HTTPAnswer(status: 404, reason: "Not Found", server: "Microsoft-IIS/10.0", authenticationSchemes: [])
            $0.failure = .init(step: .http, kind: .httpStatus(404))
            $0.rpcProxy = present
        }.diagnose()
        let warned = httpFails.finding("gateway.http-fails-rpc-answers")
        #expect(warned?.level == .warn && warned?.detail.contains("answered 401 with Negotiate, NTLM") == true)
        #expect(httpFails.finding("gateway.rpc-proxy") == nil)
        let both = await Self.scenario {
            $0.authentication = .accepted
            $0.rpcProxy = present
        }.diagnose()
        #expect(both.finding("gateway.rpc-proxy")?.title == "RPC over HTTP answers on gw.example.test too")
        #expect(both.finding("gateway.http-fails-rpc-answers") == nil)
        let httpOnly = await Self.scenario {
            $0.authentication = .accepted
            $0.rpcProxy = absent
        }.diagnose()
        #expect(httpOnly.finding("gateway.rpc-proxy")?.title == "RPC over HTTP does not answer on gw.example.test")
        // a 404 to RPC beside a 404 to HTTP: no RPC proxy to fall back to
        let neither = await Self.scenario {
            $0.failure = .init(step: .http, kind: .httpStatus(404))
            $0.rpcProxy = absent
        }.diagnose()
        #expect(neither.finding("gateway.http-fails-rpc-answers") == nil)
    }
}
