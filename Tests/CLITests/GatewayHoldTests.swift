import Foundation
import Testing

/// `--hold SECONDS`: the channel kept open after the walk, against this
/// checkout's gateway.py (idle-close closes a tunnel idle for 2 s with
/// CLOSE_CHANNEL; healthy keeps it for 120 s).
@Suite("rdpdoctor check --gateway --hold", .serialized)
struct GatewayHoldTests {
    static func hold(_ gateway: OwnGateway, seconds: String) throws -> (text: String, hold: [String: Any]?, took: Double) {
        let started = Date()
        let run = try ProgramRun.run(
            [
                "check", "127.0.0.1:" + (try GatewayCheckTests.port("XRDP_NEGOTIATE")),
                "--gateway", "127.0.0.1:\(gateway.port)", "--gateway-user", "gwuser",
                "--ca", GatewayCheckTests.testbed.appendingPathComponent("ca.pem").path,
                "--hold", seconds, "--json",
            ],
            environment: ["RDPDOCTOR_GATEWAY_PASSWORD": GatewayCheckTests.password])
        let took = Date().timeIntervalSince(started)
        let json = try GatewayCheckTests.json(run)
        let hold = ((json["observations"] as? [String: Any])?["gateway"] as? [String: Any])?["hold"] as? [String: Any]
        let findings = ((json["findings"] as? [[String: Any]]) ?? []).filter { $0["id"] as? String == "gateway.hold" }
        #expect(!run.stdout.contains(GatewayCheckTests.password))
        return (findings.compactMap { $0["title"] as? String }.joined(separator: "\n"), hold, took)
    }

    @Test("idle-close: the gateway ends the held channel with CLOSE_CHANNEL after about 2 s of silence")
    func idleClose() async throws {
        let gateway = try await OwnGateway.start("idle-close")
        defer { gateway.stop() }
        let (title, hold, took) = try Self.hold(gateway, seconds: "8")
        #expect(hold?["end"] as? String == "closeChannel", "\(String(describing: hold))")
        let held = (hold?["heldMs"] as? Double) ?? 0
        #expect(held > 1_500 && held < 5_000, "\(held)")
        #expect(title.contains("The gateway closed the held channel with CLOSE_CHANNEL"), "\(title)")
        #expect(gateway.output.contains("-> CLOSE_CHANNEL"))
        #expect(took < 8, "the check ends when the gateway closes, not at the end of the hold: \(took) s")
    }

    @Test("healthy: still open at the end of a 2 s hold; the check's deadline grew by the hold")
    func stillOpen() async throws {
        let gateway = try await OwnGateway.start("healthy")
        defer { gateway.stop() }
        let (title, hold, took) = try Self.hold(gateway, seconds: "2")
        #expect(hold?["end"] as? String == "stillOpen", "\(String(describing: hold))")
        #expect(((hold?["heldMs"] as? Double) ?? 0) >= 2_000)
        #expect(hold?["keepaliveIntervalMs"] as? Double == 30_000)
        #expect(title.contains("still open after the 2"), "\(title)")
        #expect(took >= 2)
    }
}
