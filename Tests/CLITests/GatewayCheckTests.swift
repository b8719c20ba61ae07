import Testing
import Foundation

/// `rdpdoctor check HOST --gateway GW` against the testbed's RD Gateway
/// (gateway.py; account gwuser / Gateway-Pass-7).
@Suite("rdpdoctor check --gateway (binary, the testbed's gateway)", .serialized)
struct GatewayCheckTests {
    static let password = "Gateway-Pass-7"
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func port(_ name: String) throws -> String {
        let text = try String(contentsOf: root.appendingPathComponent("scripts/testbed/ports.env"), encoding: .utf8)
        let line = try #require(text.split(separator: "\n").first { $0.hasPrefix(name + "=") })
        return String(line.dropFirst(name.count + 1))
    }

    static var testbed: URL {
        ProcessInfo.processInfo.environment["TESTBED_DIR"].map(URL.init(fileURLWithPath:))
            ?? root.appendingPathComponent(".testbed")
    }

    static func check(_ gateway: String, target: String = "XRDP_NEGOTIATE", _ extra: [String] = [],
                      password: String = password, stdin: String? = nil) throws -> ProgramRun {
        var environment: [String: String] = [:]
        if stdin == nil { environment["RDPDOCTOR_GATEWAY_PASSWORD"] = password }
        return try ProgramRun.run(["check", "127.0.0.1:" + (try port(target)), "--gateway", "127.0.0.1:" + (try port(gateway)),
                                   "--gateway-user", "gwuser", "--ca", testbed.appendingPathComponent("ca.pem").path] + extra,
                                  stdin: stdin.map { Data($0.utf8) }, environment: environment)
    }

    static func json(_ run: ProgramRun) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
    }

    @Test("healthy: the channel opens; the gateway password is in no text, JSON or gateway log")
    func healthy() throws {
        let text = try Self.check("GW_HEALTHY")
        #expect(text.stdout.contains("the channel to 127.0.0.1:\(try Self.port("XRDP_NEGOTIATE")) opens and the target answers like RDP"),
                "\(text.stdout)")
        let run = try Self.check("GW_HEALTHY", ["--json"])
        let gateway = try #require((try Self.json(run)["observations"] as? [String: Any])?["gateway"] as? [String: Any])
        #expect(gateway["authentication"] as? String == "accepted")
        #expect(gateway["channelReplyIsTPKT"] as? Bool == true)
        let stdin = try Self.check("GW_HEALTHY", ["--gateway-password-stdin", "--json"], stdin: Self.password + "\n")
        #expect(stdin.stdout.contains("\"authentication\" : \"accepted\"") || stdin.stdout.contains("\"authentication\":\"accepted\""))
        for output in [text.stdout, text.stderr, run.stdout, run.stderr, stdin.stdout, stdin.stderr] {
            #expect(!output.contains(Self.password))
        }
        let logs = ProcessInfo.processInfo.environment["TESTBED_GATEWAY_LOGS"].map(URL.init(fileURLWithPath:))
            ?? Self.testbed.appendingPathComponent("logs")
        let log = (try? String(contentsOf: logs.appendingPathComponent("GW_HEALTHY.out"), encoding: .utf8)) ?? ""
        #expect(log.contains("NTLMv2 response verified"))
        #expect(!log.contains(Self.password))
    }

    @Test("an untrusted gateway certificate is a failure, with or without an account; no AUTHENTICATE goes to it")
    func untrustedCertificate() throws {
        let gateway = "127.0.0.1:" + (try Self.port("GW_SELFSIGNED"))
        let target = "127.0.0.1:" + (try Self.port("XRDP_NEGOTIATE"))
        let bare = try ProgramRun.run(["check", target, "--gateway", gateway, "--json"])
        let ids = ((try Self.json(bare)["findings"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String }
        #expect(ids.contains("gateway.certificate-untrusted"), "\(ids)")
        #expect(bare.status == 2)
        let withAccount = try Self.check("GW_SELFSIGNED", ["--json"])
        let gatewayObservation = (try Self.json(withAccount)["observations"] as? [String: Any])?["gateway"] as? [String: Any]
        #expect(gatewayObservation?["authentication"] as? String == "withheldUntrustedCertificate")
        #expect(withAccount.status == 2)
    }

    @Test("an .rdp file's gatewayhostname with gatewayusagemethod:i:1 is walked; with 0 it is not")
    func rdpFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rdpdoctor-gw-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        func file(_ usage: Int) throws -> String {
            let url = directory.appendingPathComponent("gw\(usage).rdp")
            let text = "full address:s:127.0.0.1:\(try Self.port("XRDP_NEGOTIATE"))\r\n"
                + "gatewayhostname:s:127.0.0.1:\(try Self.port("GW_RAP_DENIED"))\r\ngatewayusagemethod:i:\(usage)\r\n"
            try Data(text.utf8).write(to: url)
            return url.path
        }
        let used = try ProgramRun.run(["check", try file(1), "--json", "--gateway-user", "gwuser",
                                       "--ca", Self.testbed.appendingPathComponent("ca.pem").path],
                                      environment: ["RDPDOCTOR_GATEWAY_PASSWORD": Self.password])
        let ids = ((try Self.json(used)["findings"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String }
        #expect(ids.contains("gateway.refused"), "\(ids)")
        let unused = try ProgramRun.run(["check", try file(0), "--json", "--quick", "--timeout", "3"])
        let direct = try Self.json(unused)["observations"] as? [String: Any]
        #expect(direct?["gateway"] == nil)
    }

    @Test("RAP denied, stripped Upgrade, wrong password: the step and code", arguments: [
        ("GW_RAP_DENIED", Self.password, "gateway.refused", "E_PROXY_RAP_ACCESSDENIED"),
        ("GW_NO_UPGRADE", Self.password, "gateway.websocket-refused", "only the legacy HTTP transport"),
        ("GW_HEALTHY", "Wrong-Pass-1", "gateway.auth-rejected", "refused the gateway account"),
    ])
    func failing(gateway: String, password: String, id: String, words: String) throws {
        let run = try Self.check(gateway, ["--details"], password: password)
        #expect(run.stdout.contains(words), "\(run.stdout)")
        let json = try Self.check(gateway, ["--json"], password: password)
        let ids = ((try Self.json(json)["findings"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String }
        #expect(ids.contains(id), "\(ids)")
        #expect(!run.stdout.contains(password) && !json.stdout.contains(password))
    }
}
