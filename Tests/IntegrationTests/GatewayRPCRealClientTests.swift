import Foundation
import Testing

/// The RPC proxy answers of gateway.py (healthy: 401 and NTLM like IIS;
/// http-only: 404) as Debian's xfreerdp `/gt:rpc` sees them: it must
/// authenticate against the first (then fail, as this double serves no RPC
/// beyond authentication) and stop at the 404 of the second. rdpdoctor's
/// rpcProxy reading rests on the same answers (CLITests' GatewayRPCTests).
@Suite("gateway.py's RPC proxy answers, seen by xfreerdp /gt:rpc", .serialized)
struct GatewayRPCRealClientTests {
    /// Runs gateway.py VARIANT on a free loopback port, xfreerdp /gt:rpc through it;
    /// the client's and the gateway's logs.
    static func run(_ variant: String) async throws -> (client: String, gateway: String) {
        let finder = Process()
        let pipe = Pipe()
        finder.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        finder.arguments = ["-c", "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])"]
        finder.standardOutput = pipe
        try finder.run()
        finder.waitUntilExit()
        let port = try #require(
            Int(
                String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                    .trimmingCharacters(in: .whitespacesAndNewlines)))
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("gw-rpc-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: log) }
        let gateway = Process()
        gateway.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        let certs = Testbed.stateDirectory.appendingPathComponent("certs")
        gateway.arguments = [
            Testbed.root.appendingPathComponent("scripts/testbed/gateway.py").path, variant, String(port),
            "--cert", certs.appendingPathComponent("testca-localhost.pem").path,
            "--key", certs.appendingPathComponent("testca-localhost.key").path,
        ]
        gateway.standardOutput = try FileHandle(forWritingTo: log)
        gateway.standardError = FileHandle.nullDevice
        try gateway.run()
        defer {
            // SIGKILL: a child of the test process may inherit SIGTERM blocked.
            kill(gateway.processIdentifier, SIGKILL)
            gateway.waitUntilExit()
        }
        func gatewayText() -> String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }
        for _ in 0..<50 where !gatewayText().contains("listening") { try await Task.sleep(for: .milliseconds(100)) }
        let client = try RealClient.start([
            "/v:127.0.0.1:\(try Testbed.port("XRDP_NEGOTIATE"))", "/g:127.0.0.1:\(port)", "/gu:gwuser",
            "/gp:Gateway-Pass-7", "/gt:rpc", "/cert:ignore", "+auth-only", "/u:tester", "/p:Correct-Horse-9",
            "/log-level:INFO",
        ])
        defer { client.stop() }
        for _ in 0..<200 where client.isRunning { try await Task.sleep(for: .milliseconds(100)) }
        #expect(!client.isRunning, "xfreerdp did not finish within 20 s")
        return ((try? String(contentsOf: client.log, encoding: .utf8)) ?? "", gatewayText())
    }

    @Test("healthy: xfreerdp's NTLM over RPC_IN_DATA and RPC_OUT_DATA is accepted (an RPC proxy there), then it fails beyond")
    func healthy() async throws {
        let (client, gateway) = try await Self.run("healthy")
        #expect(gateway.contains("RPC_IN_DATA /rpc/rpcproxy.dll?localhost:3388"), "\(gateway)")
        #expect(gateway.contains("-> 401 (RPC proxy, NTLM challenge)"), "\(gateway)")
        #expect(gateway.contains("RPC proxy NTLM user 'gwuser' domain '': NTLMv2 response verified"), "\(gateway)")
        #expect(client.contains("tsg_check failure"), "\(client.suffix(1500))")
        #expect(!gateway.contains("Gateway-Pass-7"))
    }

    @Test("http-only: RPC_IN_DATA answered 404; xfreerdp stops before any RPC PDU")
    func httpOnly() async throws {
        let (client, gateway) = try await Self.run("http-only")
        #expect(gateway.contains("RPC_IN_DATA /rpc/rpcproxy.dll") && gateway.contains("-> 404"), "\(gateway)")
        #expect(!gateway.contains("NTLMv2 response verified"), "\(gateway)")
        #expect(client.contains("rpc_send_CONN_B1_pdu error!"), "\(client.suffix(1500))")
    }
}
