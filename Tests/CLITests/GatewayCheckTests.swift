import Foundation
import Testing

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

    static func check(
        _ gateway: String, target: String = "XRDP_NEGOTIATE", _ extra: [String] = [],
        password: String = password, stdin: String? = nil,
        targetPassword: String? = nil
    ) throws -> ProgramRun {
        var environment: [String: String] = [:]
        if stdin == nil { environment["RDPDOCTOR_GATEWAY_PASSWORD"] = password }
        if let targetPassword { environment["RDPDOCTOR_PASSWORD"] = targetPassword }
        return try ProgramRun.run(
            [
                "check", "127.0.0.1:" + (try port(target)), "--gateway", "127.0.0.1:" + (try port(gateway)),
                "--gateway-user", "gwuser", "--ca", testbed.appendingPathComponent("ca.pem").path,
            ] + extra,
            stdin: stdin.map { Data($0.utf8) }, environment: environment)
    }

    static func json(_ run: ProgramRun) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
    }

    static func logs() -> URL {
        ProcessInfo.processInfo.environment["TESTBED_GATEWAY_LOGS"].map(URL.init(fileURLWithPath:))
            ?? Self.testbed.appendingPathComponent("logs")
    }

    @Test("healthy to xrdp: the direct walk inside the tunnel reaches the session; the gateway password is in no text, JSON or gateway log")
    func healthy() throws {
        let text = try Self.check("GW_HEALTHY")
        #expect(
            text.stdout.contains(
                "Through the RD Gateway 127.0.0.1 (tunnel and channel open), at the target 127.0.0.1:\(try Self.port("XRDP_NEGOTIATE")): a default Microsoft client would connect and the session would start"
            ),
            "\(text.stdout)")
        #expect(text.status == 1 || text.status == 0, "\(text.stdout)")
        let run = try Self.check("GW_HEALTHY", ["--json"])
        let document = try Self.json(run)
        let gateway = try #require((document["observations"] as? [String: Any])?["gateway"] as? [String: Any])
        #expect(gateway["authentication"] as? String == "accepted")
        #expect(gateway["channelReplyIsTPKT"] as? Bool == true)
        let probes = try #require((document["observations"] as? [String: Any])?["probes"] as? [[String: Any]])
        // The default client's walk, then the survey (6 security protocols, 4 TLS versions), all inside tunnels.
        #expect(probes.count == 11)
        #expect(probes.allSatisfy { $0["throughGateway"] as? String == "127.0.0.1" })
        #expect((probes.first?["purpose"] as? [String: Any])?["defaultClient"] != nil)
        #expect((probes.first?["session"] as? [String: Any])?["demandActive"] as? Bool == true)
        #expect(document["schema"] as? String == "rdpdoctor.check/3")
        #expect((document["gatewayCertificate"] as? [String: Any])?["nameMatches"] as? Bool == true)
        let stdin = try Self.check("GW_HEALTHY", ["--gateway-password-stdin", "--json"], stdin: Self.password + "\n")
        #expect(stdin.stdout.contains("\"authentication\" : \"accepted\"") || stdin.stdout.contains("\"authentication\":\"accepted\""))
        for output in [text.stdout, text.stderr, run.stdout, run.stderr, stdin.stdout, stdin.stderr] {
            #expect(!output.contains(Self.password))
        }
        let log = (try? String(contentsOf: Self.logs().appendingPathComponent("GW_HEALTHY.out"), encoding: .utf8)) ?? ""
        #expect(log.contains("NTLMv2 response verified"))
        #expect(!log.contains(Self.password))
    }

    @Test("healthy to the shadow server with NLA: the report says NLA is required at the target, and which findings are whose")
    func nlaAtTarget() throws {
        let target = "127.0.0.1:" + (try Self.port("SHADOW_NLA"))
        let text = try Self.check("GW_HEALTHY", target: "SHADOW_NLA", ["--details"])
        #expect(
            text.stdout.contains("at the target \(target): a default Microsoft client would reach the NLA credential prompt"),
            "\(text.stdout)")
        #expect(text.stdout.contains("Security negotiation (X.224), the target through the gateway"), "\(text.stdout)")
        let document = try Self.json(try Self.check("GW_HEALTHY", target: "SHADOW_NLA", ["--json"]))
        #expect((document["verdict"] as? [String: Any])?["outcome"] as? String == "reaches-credential-prompt")
        let probe = try #require(((document["observations"] as? [String: Any])?["probes"] as? [[String: Any]])?.first)
        let selected = ((probe["negotiation"] as? [String: Any])?["selected"] as? [String: Any])?["protocol"] as? Int
        #expect(selected == 2, "CredSSP (HYBRID) selected inside the tunnel: \(probe)")
        // The target's certificate was seen inside the tunnel and audited for the target's name.
        #expect((document["certificate"] as? [String: Any])?["expectedName"] as? String == "127.0.0.1")
        let findings = (document["findings"] as? [[String: Any]]) ?? []
        for finding in findings {
            let side = finding["side"] as? String
            #expect(side == ((finding["sectionKey"] as? String) == "gateway" ? "gateway" : "target"), "\(finding)")
        }
        #expect(findings.contains { ($0["sectionKey"] as? String) == "negotiation" })
    }

    @Test("--user through the gateway: the target's account is tried inside the tunnel; neither password appears anywhere")
    func accountInsideTunnel() throws {
        let targetPassword = "Correct-Horse-9"
        let text = try Self.check(
            "GW_HEALTHY", target: "SHADOW_NLA", ["--user", "tester", "--insecure"],
            targetPassword: targetPassword)
        #expect(text.stdout.contains("tester is accepted") || text.stdout.contains("get past NLA as tester"), "\(text.stdout)")
        let run = try Self.check(
            "GW_HEALTHY", target: "SHADOW_NLA", ["--user", "tester", "--insecure", "--json"],
            targetPassword: targetPassword)
        let observations = try #require(try Self.json(run)["observations"] as? [String: Any])
        let check = try #require(observations["credentialCheck"] as? [String: Any])
        #expect(((check["probe"] as? [String: Any])?["credential"] as? [String: Any])?["outcome"] as? String == "accepted")
        #expect((check["probe"] as? [String: Any])?["throughGateway"] as? String == "127.0.0.1")
        let wrong = try Self.check(
            "GW_HEALTHY", target: "SHADOW_NLA", ["--user", "tester", "--insecure"],
            targetPassword: "Wrong-Horse-1")
        #expect(wrong.status == 2, "\(wrong.stdout)")
        let log = (try? String(contentsOf: Self.logs().appendingPathComponent("GW_HEALTHY.out"), encoding: .utf8)) ?? ""
        for output in [text.stdout, text.stderr, run.stdout, run.stderr, wrong.stdout, wrong.stderr, log] {
            #expect(!output.contains(Self.password) && !output.contains(targetPassword) && !output.contains("Wrong-Horse-1"))
        }
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
            let text =
                "full address:s:127.0.0.1:\(try Self.port("XRDP_NEGOTIATE"))\r\n"
                + "gatewayhostname:s:127.0.0.1:\(try Self.port("GW_RAP_DENIED"))\r\ngatewayusagemethod:i:\(usage)\r\n"
            try Data(text.utf8).write(to: url)
            return url.path
        }
        let used = try ProgramRun.run(
            [
                "check", try file(1), "--json", "--gateway-user", "gwuser",
                "--ca", Self.testbed.appendingPathComponent("ca.pem").path,
            ],
            environment: ["RDPDOCTOR_GATEWAY_PASSWORD": Self.password])
        let ids = ((try Self.json(used)["findings"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String }
        #expect(ids.contains("gateway.refused"), "\(ids)")
        let unused = try ProgramRun.run(["check", try file(0), "--json", "--quick", "--timeout", "3"])
        let direct = try Self.json(unused)["observations"] as? [String: Any]
        #expect(direct?["gateway"] == nil)
    }

    @Test("an .rdp file whose gateway takes a cookie or a smart card: no password goes to the gateway, and the report says why", arguments: [5, 1])
    func rdpFileCredentialsSource(source: Int) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rdpdoctor-gw-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        func file(profile: Int) throws -> String {
            let url = directory.appendingPathComponent("gw\(profile).rdp")
            let text =
                "full address:s:127.0.0.1:\(try Self.port("XRDP_NEGOTIATE"))\r\n"
                + "gatewayhostname:s:127.0.0.1:\(try Self.port("GW_HEALTHY"))\r\ngatewayusagemethod:i:1\r\n"
                + "gatewaycredentialssource:i:\(source)\r\ngatewayprofileusagemethod:i:\(profile)\r\n"
            try Data(text.utf8).write(to: url)
            return url.path
        }
        // --user would otherwise be offered to the gateway too (the clients' "same credentials").
        let run = try ProgramRun.run(
            [
                "check", try file(profile: 1), "--json", "--user", "tester", "--insecure",
                "--ca", Self.testbed.appendingPathComponent("ca.pem").path,
            ],
            environment: ["RDPDOCTOR_PASSWORD": "Correct-Horse-9"])
        let document = try Self.json(run)
        let gateway = try #require((document["observations"] as? [String: Any])?["gateway"] as? [String: Any])
        #expect(gateway["authentication"] as? String == "noCredentials", "\(gateway)")
        let ids = ((document["findings"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String }
        #expect(ids.contains("gateway.file-authentication"), "\(ids)")
        #expect(!ids.contains("gateway.file-profile"), "gatewayprofileusagemethod:i:1 uses the file's settings")
        let words = source == 1 ? "a smart card" : "a cookie"
        #expect(run.stdout.contains("signs in to the gateway with \(words): not tried"), "\(run.stdout)")
        #expect(!run.stdout.contains("Correct-Horse-9"))
        let profileDefault = try ProgramRun.run([
            "check", try file(profile: 0), "--json",
            "--ca", Self.testbed.appendingPathComponent("ca.pem").path,
        ])
        let defaultIDs = ((try Self.json(profileDefault)["findings"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String }
        #expect(defaultIDs.contains("gateway.file-profile"), "\(defaultIDs)")
    }

    @Test(
        "RAP denied, stripped Upgrade, wrong password: the step and code",
        arguments: [
            ("GW_RAP_DENIED", Self.password, "gateway.refused", "E_PROXY_RAP_ACCESSDENIED"),
            ("GW_NO_UPGRADE", Self.password, "gateway.websocket-refused", "walked the tunnel over that legacy transport"),
            ("GW_HEALTHY", "Wrong-Pass-1", "gateway.auth-rejected", "refused the gateway account"),
        ])
    func failing(gateway: String, password: String, id: String, words: String) throws {
        let run = try Self.check(gateway, ["--details"], password: password)
        // the report wraps its lines: compare with the whitespace collapsed
        #expect(run.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ").contains(words), "\(run.stdout)")
        let json = try Self.check(gateway, ["--json"], password: password)
        let ids = ((try Self.json(json)["findings"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String }
        #expect(ids.contains(id), "\(ids)")
        #expect(!run.stdout.contains(password) && !json.stdout.contains(password))
    }

    /// Whether something accepts TCP on 127.0.0.1:PORT.
    static func answers(_ port: String) -> Bool {
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/bin/bash")
        probe.arguments = ["-c", "exec 3<>/dev/tcp/127.0.0.1/\(port)"]
        probe.standardError = FileHandle.nullDevice
        guard (try? probe.run()) != nil else { return false }
        probe.waitUntilExit()
        return probe.terminationStatus == 0
    }

    @Test("Basic authentication: a gateway that offers only Basic gets the account (to a trusted certificate), and the walk goes on inside")
    func basicAuthentication() async throws {
        let port = try Self.port("GW_BASIC")
        var own: Process?
        if !Self.answers(port) {
            // The running testbed predates GW_BASIC: this test runs that variant itself, on loopback.
            let gateway = Process()
            gateway.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
            let certs = Self.testbed.appendingPathComponent("certs")
            gateway.arguments = [
                Self.root.appendingPathComponent("scripts/testbed/gateway.py").path, "basic", port,
                "--cert", certs.appendingPathComponent("testca-localhost.pem").path,
                "--key", certs.appendingPathComponent("testca-localhost.key").path,
            ]
            gateway.standardOutput = FileHandle.nullDevice
            try gateway.run()
            own = gateway
            for _ in 0..<50 where !Self.answers(port) { try await Task.sleep(for: .milliseconds(100)) }
        }
        defer { own?.terminate() }
        let text = try Self.check("GW_BASIC", ["--details"])
        #expect(text.stdout.contains("asks for Basic authentication"), "\(text.stdout)")
        #expect(text.stdout.contains("a default Microsoft client would connect and the session would start"), "\(text.stdout)")
        let document = try Self.json(try Self.check("GW_BASIC", ["--json"]))
        let gateway = try #require((document["observations"] as? [String: Any])?["gateway"] as? [String: Any])
        #expect(gateway["authenticationScheme"] as? String == "Basic")
        #expect(gateway["authentication"] as? String == "accepted")
        let wrong = try Self.check("GW_BASIC", ["--json"], password: "Wrong-Pass-1")
        let ids = ((try Self.json(wrong)["findings"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String }
        #expect(ids.contains("gateway.auth-rejected"), "\(ids)")
        for output in [text.stdout, text.stderr, wrong.stdout, wrong.stderr] {
            #expect(!output.contains(Self.password) && !output.contains("Wrong-Pass-1"))
        }
    }

    @Test("Kerberos only (Negotiate without NTLM): not tried, said as such, with who would stop there; nothing derived from the password sent")
    func kerberosOnly() throws {
        let text = try Self.check("GW_KERBEROS")
        #expect(text.status == 4, "undetermined: a client with a Kerberos ticket may get in")
        let verdict = text.stdout.split(separator: "\n").dropFirst().first.map(String.init) ?? ""
        #expect(verdict.contains("asks for Negotiate only, which rdpdoctor cannot try"), "\(verdict)")
        #expect(verdict.contains("stops at gateway authentication"), "\(verdict)")
        let document = try Self.json(try Self.check("GW_KERBEROS", ["--json"]))
        let gateway = try #require((document["observations"] as? [String: Any])?["gateway"] as? [String: Any])
        #expect(gateway["authentication"] as? String == "noUsableScheme", "\(gateway)")
        let ids = ((document["findings"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String }
        #expect(ids.contains("gateway.auth-not-tried"), "\(ids)")
        // At most an NTLM NEGOTIATE went (it holds no secret); never an AUTHENTICATE.
        let log = (try? String(contentsOf: Self.logs().appendingPathComponent("GW_KERBEROS.out"), encoding: .utf8)) ?? ""
        #expect(log.contains("-> 401 (scheme Negotiate only"), "\(log.suffix(1500))")
        #expect(!log.contains("NTLM user"))
        #expect(!text.stdout.contains(Self.password) && !text.stderr.contains(Self.password) && !log.contains(Self.password))
    }
}
