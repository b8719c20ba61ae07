import Foundation
import Testing

/// The testbed's RD Gateway (scripts/testbed/gateway.py) judged by a real client:
/// Debian's xfreerdp 2.11 (`/g: /gu: /gp: /gt:http`) must reach the xrdp behind the
/// healthy variant over both HTTP transports, and must fail against each failing
/// variant with the error a real gateway would give it. A gateway only rdpdoctor
/// could talk to would prove nothing.
@Suite("the testbed's RD Gateway, proven with xfreerdp", .serialized)
struct GatewayRealClientTests {
    static let user = "gwuser"
    static let password = "Gateway-Pass-7"

    /// One xfreerdp run through a gateway port: its whole log, its exit status, and
    /// what the gateway logged meanwhile.
    struct Run {
        let client: String
        let status: Int32
        let gateway: String
        let clientName: String
    }

    static func gatewayLog(_ name: String) -> URL {
        let dir =
            ProcessInfo.processInfo.environment["TESTBED_GATEWAY_LOGS"].map { URL(fileURLWithPath: $0) }
            ?? Testbed.stateDirectory.appendingPathComponent("logs")
        return dir.appendingPathComponent("\(name).out")
    }

    static func size(_ url: URL) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: url.path))?[.size] as? Int) ?? 0
    }

    /// Runs `xfreerdp +auth-only` through gateway NAME to TARGET and waits (20 s at
    /// most) for it to exit and for the gateway to log the end of its tunnel.
    static func run(
        gateway name: String, target: String = "XRDP_NEGOTIATE",
        password: String = password
    ) async throws -> Run {
        let gatewayPort = try Testbed.port(name)
        let targetPort = try Testbed.port(target)
        let log = gatewayLog(name)
        let before = size(log)
        let clientName = "gw" + String(UUID().uuidString.prefix(8)).lowercased()
        let client = try RealClient.start([
            "/v:127.0.0.1:\(targetPort)", "/g:127.0.0.1:\(gatewayPort)", "/gu:\(user)", "/gp:\(password)",
            "/gt:http", "/cert:ignore", "+auth-only", "/u:tester", "/p:Correct-Horse-9",
            "/client-hostname:\(clientName)", "/log-level:INFO",
            "/log-filters:com.freerdp.core.gateway.rdg:DEBUG",
        ])
        defer { client.stop() }
        for _ in 0..<200 where client.isRunning { try await Task.sleep(for: .milliseconds(100)) }
        #expect(!client.isRunning, "xfreerdp did not finish within 20 s: \(client.output)")
        let text = (try? String(contentsOf: client.log, encoding: .utf8)) ?? ""
        let status = client.isRunning ? -1 : client.process.terminationStatus
        // the gateway's last line about this client comes when its connections close
        var gatewayText = ""
        for _ in 0..<50 {
            let data = (try? Data(contentsOf: log)) ?? Data()
            gatewayText = String(decoding: data.dropFirst(before), as: UTF8.self)
            if gatewayText.contains("tunnel closed") || gatewayText.contains("-> 404")
                || gatewayText.contains("authentication failed") || gatewayText.contains("token refused")
            {
                break
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        return Run(client: text, status: status, gateway: gatewayText, clientName: clientName)
    }

    /// "c2s=N s2c=M" of the gateway's summary line for this client's tunnel.
    static func bytes(_ run: Run) -> (c2s: Int, s2c: Int)? {
        guard
            let line = run.gateway.split(separator: "\n").first(where: {
                $0.contains("tunnel closed") && $0.contains("client=\(run.clientName) ")
            })
        else { return nil }
        func value(_ key: String) -> Int? {
            guard let range = line.range(of: key + "=") else { return nil }
            return Int(line[range.upperBound...].prefix { $0.isNumber })
        }
        guard let c2s = value("c2s"), let s2c = value("s2c") else { return nil }
        return (c2s, s2c)
    }

    @Test("healthy gateway: NTLM, the WebSocket upgrade, tunnel and channel up, RDP bytes both ways to xrdp")
    func healthyWebSocket() async throws {
        let run = try await Self.run(gateway: "GW_HEALTHY")
        #expect(run.status == 0, "\(run.client.suffix(2000))")
        #expect(run.client.contains("RDG_OUT_DATA authorization result: 101"))
        #expect(run.client.contains("Upgraded to websocket"))
        #expect(run.client.contains("channel response errorCode=RPC_S_OK"))
        #expect(run.client.contains("Authentication only, exit status 0"))
        #expect(run.gateway.contains("NTLM user 'gwuser' domain '': NTLMv2 response verified"), "\(run.gateway)")
        #expect(run.gateway.contains("-> 101 Switching Protocols"))
        #expect(run.gateway.contains("TUNNEL_AUTH_RESPONSE ok (client \(run.clientName),"))
        #expect(run.gateway.contains("channel open to 127.0.0.1:\(try Testbed.port("XRDP_NEGOTIATE")) (client \(run.clientName))"))
        let bytes = try #require(Self.bytes(run), "\(run.gateway)")
        // X.224 both ways and a TLS handshake with xrdp: a few kilobytes each way
        #expect(bytes.c2s > 500 && bytes.s2c > 1000, "\(bytes)")
        #expect(run.gateway.contains("transport=websocket client=\(run.clientName)"))
        #expect(!run.gateway.contains(Self.password), "the gateway never logs the password")
    }

    @Test("a reverse proxy that strips Upgrade: xfreerdp falls back to RDG_OUT_DATA + RDG_IN_DATA and still reaches xrdp")
    func strippedUpgradeUsesLegacy() async throws {
        let run = try await Self.run(gateway: "GW_NO_UPGRADE")
        #expect(run.status == 0, "\(run.client.suffix(2000))")
        #expect(run.client.contains("RDG_OUT_DATA authorization result: 200"))
        #expect(run.client.contains("RDG_IN_DATA authorization result: 200"))
        #expect(!run.client.contains("Upgraded to websocket"))
        #expect(run.client.contains("channel response errorCode=RPC_S_OK"))
        #expect(run.gateway.contains("-> 200 OK + seed (legacy OUT channel"), "\(run.gateway)")
        #expect(run.gateway.contains("(Transfer-Encoding chunked): the IN channel's body"))
        let bytes = try #require(Self.bytes(run), "\(run.gateway)")
        #expect(bytes.c2s > 500 && bytes.s2c > 1000, "\(bytes)")
        #expect(run.gateway.contains("transport=legacy client=\(run.clientName)"))
    }

    @Test("wrong gateway password: 401 again, xfreerdp says access denied; the password is in no log")
    func wrongPassword() async throws {
        let wrong = "Not-The-Pass-\(Int.random(in: 1000...9999))"
        let run = try await Self.run(gateway: "GW_HEALTHY", password: wrong)
        #expect(run.status != 0)
        #expect(run.client.contains("RDG_OUT_DATA authorization result: 401"), "\(run.client.suffix(2000))")
        #expect(run.client.contains("ERRCONNECT_ACCESS_DENIED"))
        #expect(run.gateway.contains("wrong password"), "\(run.gateway)")
        #expect(run.gateway.contains("-> 401 (authentication failed)"))
        #expect(!run.gateway.contains(wrong))
    }

    @Test(
        "failing gateways: xfreerdp fails with the matching error",
        arguments: [
            (
                "GW_RAP_DENIED", "XRDP_NEGOTIATE", "channel response errorCode=E_PROXY_RAP_ACCESSDENIED",
                "CHANNEL_RESPONSE E_PROXY_RAP_ACCESSDENIED"
            ),
            (
                "GW_NAP_DENIED", "XRDP_NEGOTIATE", "Tunnel authorization error E_PROXY_NAP_ACCESSDENIED",
                "TUNNEL_AUTH_RESPONSE E_PROXY_NAP_ACCESSDENIED"
            ),
            (
                "GW_HEALTHY", "CLOSED_PORT", "channel response errorCode=E_PROXY_TS_CONNECTFAILED",
                "CHANNEL_RESPONSE E_PROXY_TS_CONNECTFAILED"
            ),
            ("GW_NOT_FOUND", "XRDP_NEGOTIATE", "RD Gateway does not support HTTP transport.", "-> 404"),
            // FreeRDP 2 sends NTLM even when only Negotiate is offered, is refused, and gives up on the gateway.
            ("GW_KERBEROS", "XRDP_NEGOTIATE", "Authentication only, exit status 1", "-> 401 (scheme Negotiate only, a NTLM token refused"),
        ])
    func failingVariants(gateway: String, target: String, clientSays: String, gatewaySays: String) async throws {
        let run = try await Self.run(gateway: gateway, target: target)
        #expect(run.status != 0, "\(gateway): \(run.client.suffix(1500))")
        #expect(run.client.contains(clientSays), "\(gateway): \(run.client.suffix(2000))")
        #expect(run.gateway.contains(gatewaySays), "\(gateway): \(run.gateway)")
        #expect(!run.client.contains("Authentication only, exit status 0"))
    }
}
