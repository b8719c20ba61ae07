import Foundation
import Testing

/// RPC over HTTP beside the HTTP transport: the gateway.py variants of this
/// checkout on their own loopback ports (healthy answers rpcproxy.dll with
/// 401 like IIS, http-only with 404, rpc-only serves RPC but not the HTTP transport).
@Suite("rdpdoctor check --gateway: does RPC over HTTP answer?", .serialized)
struct GatewayRPCTests {
    static func check(_ gateway: OwnGateway) throws -> (text: String, json: [String: Any]) {
        func run(_ extra: [String]) throws -> ProgramRun {
            try ProgramRun.run(
                [
                    "check", "127.0.0.1:" + (try GatewayCheckTests.port("XRDP_NEGOTIATE")),
                    "--gateway", "127.0.0.1:\(gateway.port)", "--gateway-user", "gwuser",
                    "--ca", GatewayCheckTests.testbed.appendingPathComponent("ca.pem").path,
                ] + extra,
                environment: ["RDPDOCTOR_GATEWAY_PASSWORD": GatewayCheckTests.password])
        }
        let text = try run(["--details"]).stdout
        let json = try GatewayCheckTests.json(try run(["--json"]))
        #expect(!text.contains(GatewayCheckTests.password) && !gateway.output.contains(GatewayCheckTests.password))
        return (text.split(whereSeparator: \.isWhitespace).joined(separator: " "), json)
    }

    static func rpc(_ json: [String: Any]) -> [String: Any]? {
        ((json["observations"] as? [String: Any])?["gateway"] as? [String: Any])?["rpcProxy"] as? [String: Any]
    }

    static func ids(_ json: [String: Any]) -> [String] {
        ((json["findings"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String }
    }

    @Test("healthy: the HTTP transport works and rpcproxy.dll answers 401 with Negotiate, NTLM (an RPC proxy there)")
    func healthy() async throws {
        let gateway = try await OwnGateway.start("healthy")
        defer { gateway.stop() }
        let (text, json) = try Self.check(gateway)
        #expect(Self.rpc(json)?["status"] as? Int == 401, "\(String(describing: Self.rpc(json)))")
        #expect(Self.rpc(json)?["authenticationSchemes"] as? [String] == ["Negotiate", "NTLM"])
        #expect(text.contains("RPC over HTTP answers on 127.0.0.1 too"), "\(text)")
        #expect(gateway.output.contains("RPC_IN_DATA /rpc/rpcproxy.dll?localhost:3388"))
        #expect(!Self.ids(json).contains("gateway.http-fails-rpc-answers"))
    }

    @Test("http-only: 404 to rpcproxy.dll, the HTTP transport works: RPC over HTTP absent")
    func httpOnly() async throws {
        let gateway = try await OwnGateway.start("http-only")
        defer { gateway.stop() }
        let (text, json) = try Self.check(gateway)
        #expect(Self.rpc(json)?["status"] as? Int == 404)
        #expect(text.contains("RPC over HTTP does not answer on 127.0.0.1"), "\(text)")
        #expect(text.contains("The HTTP transport works"), "\(text)")
    }

    @Test("rpc-only: 404 to /remoteDesktopGateway/, 401 from rpcproxy.dll: HTTP fails, RPC answers")
    func rpcOnly() async throws {
        let gateway = try await OwnGateway.start("rpc-only")
        defer { gateway.stop() }
        let (text, json) = try Self.check(gateway)
        #expect(Self.ids(json).contains("gateway.http-fails-rpc-answers"), "\(Self.ids(json))")
        #expect(Self.ids(json).contains("gateway.not-a-gateway"), "\(Self.ids(json))")
        #expect(text.contains("The HTTP transport fails, but RPC over HTTP answers"), "\(text)")
    }
}
