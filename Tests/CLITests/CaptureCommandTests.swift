import Foundation
import Testing

/// `rdpdoctor check --capture FILE` against the testbed's real servers, with
/// Debian's tshark as the independent reader: it decrypts the file from the
/// Decryption Secrets Block alone (no key log option), and the same file with
/// the secrets taken out (editcap) does not decrypt. `rdpdoctor analyze` reads
/// it back and finds every RDP connection the check made.
@Suite("rdpdoctor check --capture (binary, testbed, tshark)", .serialized)
struct CaptureCommandTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let password = "Correct-Horse-9"

    static func port(_ name: String) throws -> String {
        let text = try String(contentsOf: root.appendingPathComponent("scripts/testbed/ports.env"), encoding: .utf8)
        let line = try #require(text.split(separator: "\n").first { $0.hasPrefix(name + "=") })
        return String(line.dropFirst(name.count + 1))
    }

    static func temporaryFile(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("rdpdoctor-\(name)-\(UUID().uuidString).pcapng")
    }

    /// tshark -T fields over the file, with RDP decoded inside TLS on `port`: one line per matching packet.
    static func tshark(_ file: URL, port: String, filter: String, fields: [String] = ["frame.number"]) throws -> [String] {
        let run = try ProgramRun.run(
            ["-r", file.path, "-d", "tls.port==\(port),tpkt", "-Y", filter, "-T", "fields"]
                + fields.flatMap { ["-e", $0] }, timeout: 60, executable: "/usr/bin/tshark")
        try #require(run.status == 0, "tshark: \(run.stderr.prefix(400))")
        return run.stdout.split(separator: "\n").map(String.init)
    }

    /// The same capture without its Decryption Secrets Block (Wireshark's editcap).
    static func withoutSecrets(_ file: URL) throws -> URL {
        let stripped = temporaryFile("nokeys")
        let run = try ProgramRun.run(["--discard-all-secrets", file.path, stripped.path], executable: "/usr/bin/editcap")
        try #require(run.status == 0, "editcap: \(run.stderr)")
        return stripped
    }

    static func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "no JSON: \(text.prefix(300))")
    }

    /// Runs `check --json --capture` and returns the RDP connections the check made and the file.
    func checkWithCapture(_ portName: String, extra: [String] = [], environment: [String: String] = [:]) throws
        -> (probes: Int, file: URL, run: ProgramRun)
    {
        let file = Self.temporaryFile("check")
        let run = try ProgramRun.run(
            ["check", "127.0.0.1:" + (try Self.port(portName)), "--json", "--capture", file.path]
                + extra, environment: environment, timeout: 30)
        let document = try Self.json(run.stdout)
        let observations = try #require(document["observations"] as? [String: Any])
        let probes = try #require(observations["probes"] as? [[String: Any]])
        #expect(run.stderr.contains("Capture: wrote \(file.path)"), "\(run.stderr)")
        // The RDP connections: probes that got as far as sending their X.224 request.
        let rdp = probes.filter { (($0["timings"] as? [[String: Any]]) ?? []).contains { $0["step"] as? String == "x224" } }
        #expect(!rdp.isEmpty)
        return (rdp.count, file, run)
    }

    @Test("xrdp with TLS: tshark decrypts TLS 1.3 and TLS 1.2 from the file alone and dissects MCS inside; analyze finds every connection")
    func xrdpDecrypted() throws {
        let port = try Self.port("XRDP_TLS")
        let (probes, file, _) = try checkWithCapture("XRDP_TLS")
        defer { try? FileManager.default.removeItem(at: file) }
        let attributes = try FileManager.default.attributesOfItem(atPath: file.path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600, "the file holds TLS keys")

        // Each TLS handshake: its stream, message type, and the version the server chose.
        let handshakes = try Self.tshark(
            file, port: port, filter: "tls.handshake.type",
            fields: ["tcp.stream", "tls.handshake.type", "tls.handshake.extensions.supported_version"])
        var types: [String: Set<String>] = [:]
        var tls13: Set<String> = []
        for line in handshakes {
            let parts = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 3 else { continue }
            types[parts[0], default: []].formUnion(parts[1].split(separator: ",").map(String.init))
            if parts[1].split(separator: ",").contains("2"), parts[2].contains("0x0304") { tls13.insert(parts[0]) }
        }
        let answered = types.filter { $0.value.contains("2") }.map(\.key)
        #expect(answered.count >= 2, "server hellos in \(types)")
        for stream in answered {
            // Encrypted Extensions (8) in TLS 1.3, the Finished (20) in TLS 1.2: visible only decrypted.
            let decrypted = tls13.contains(stream) ? "8" : "20"
            #expect(types[stream]?.contains(decrypted) == true, "stream \(stream) (TLS 1.\(tls13.contains(stream) ? 3 : 2)): \(types[stream] ?? [])")
        }
        #expect(answered.contains { !tls13.contains($0) }, "a TLS 1.2 connection (the survey's)")
        // The MCS exchange that runs inside TLS, dissected by tshark from the decrypted records.
        let mcs = try Self.tshark(file, port: port, filter: "tls && t125", fields: ["_ws.col.Info"])
        #expect(mcs.contains { $0.hasPrefix("ClientData") } && mcs.contains { $0.hasPrefix("ServerData") }, "\(mcs)")
        #expect(mcs.contains { $0.hasPrefix("attachUserConfirm") }, "\(mcs)")

        // Without the secrets block nothing inside TLS is readable.
        let stripped = try Self.withoutSecrets(file)
        defer { try? FileManager.default.removeItem(at: stripped) }
        #expect(try Self.tshark(stripped, port: port, filter: "tls && t125").isEmpty)
        #expect(try Self.tshark(stripped, port: port, filter: "tls.handshake.type == 8").isEmpty)

        // The UDP probe is in the file too.
        #expect(try !Self.tshark(file, port: port, filter: "udp").isEmpty)

        // rdpdoctor analyze reads the file and finds each RDP connection of the check.
        let analyze = try ProgramRun.run(["analyze", "--json", file.path], timeout: 30)
        #expect(analyze.status != 3, "\(analyze.stderr)")
        let analysis = try Self.json(analyze.stdout)
        #expect((analysis["connections"] as? [Any])?.count == probes, "check made \(probes) RDP connections")
        #expect(analysis["hasKeyLog"] as? Bool == true)
    }

    @Test("the shadow server with NLA: tshark reads the NTLM NEGOTIATE and CHALLENGE inside CredSSP, decrypted")
    func shadowCredSSPDecrypted() throws {
        let port = try Self.port("SHADOW_NLA")
        let (probes, file, _) = try checkWithCapture("SHADOW_NLA")
        defer { try? FileManager.default.removeItem(at: file) }
        let ntlm = try Self.tshark(
            file, port: port, filter: "credssp && ntlmssp.messagetype",
            fields: ["ntlmssp.messagetype"])
        #expect(ntlm.contains("0x00000001") && ntlm.contains("0x00000002"), "\(ntlm)")
        let stripped = try Self.withoutSecrets(file)
        defer { try? FileManager.default.removeItem(at: stripped) }
        #expect(try Self.tshark(stripped, port: port, filter: "credssp").isEmpty)
        let analyze = try ProgramRun.run(["analyze", "--json", file.path], timeout: 30)
        #expect(analyze.status != 3, "\(analyze.stderr)")
        #expect((try Self.json(analyze.stdout)["connections"] as? [Any])?.count == probes)
    }

    @Test("--user --logon: the password is nowhere in the file, the account's connection keeps its keys out, the file says so")
    func credentialsStayEncrypted() throws {
        let port = try Self.port("SHADOW_NLA")
        let certificate = CredentialCheckTests.testbed.appendingPathComponent("shadow-home/.config/freerdp/shadow/shadow.crt")
        let pin = try CredentialCheckTests.fingerprint(certificate)
        let (_, file, run) = try checkWithCapture(
            "SHADOW_NLA", extra: ["--user", "tester", "--logon", "--cert-sha256", pin],
            environment: ["RDPDOCTOR_PASSWORD": Self.password])
        defer { try? FileManager.default.removeItem(at: file) }
        #expect(run.stdout.contains("credssp.accepted"), "the account went through: \(run.stdout.prefix(300))")
        let bytes = try [UInt8](Data(contentsOf: file))
        for form in [Array(Self.password.utf8), Array(Self.password.utf16).flatMap { [UInt8(truncatingIfNeeded: $0), UInt8($0 >> 8)] }] {
            #expect(!Self.contains(bytes, form), "the password (\(form.count) bytes) is in the capture")
        }
        // The other connections decrypt (NEGOTIATE and CHALLENGE), the account's AUTHENTICATE never does.
        let ntlm = try Self.tshark(file, port: port, filter: "ntlmssp.messagetype", fields: ["ntlmssp.messagetype"])
        #expect(ntlm.contains("0x00000002"), "\(ntlm)")
        #expect(!ntlm.contains("0x00000003"), "\(ntlm)")
        #expect(Self.contains(bytes, Array("carried an encrypted credential exchange".utf8)), "the section comment says so")
        #expect(run.stderr.contains("its TLS keys are left out"), "\(run.stderr)")
    }

    @Test("through the gateway over the legacy transport: every RDG_IN_DATA connection is in the file beside its RDG_OUT_DATA one; the gateway password is not")
    func gatewayLegacySecondConnections() throws {
        let file = Self.temporaryFile("gateway")
        defer { try? FileManager.default.removeItem(at: file) }
        let gateway = try Self.port("GW_NO_UPGRADE")
        let run = try GatewayCheckTests.check("GW_NO_UPGRADE", ["--json", "--capture", file.path])
        #expect(run.stderr.contains("Capture: wrote \(file.path)"), "\(run.stderr)")
        let observations = try #require(try Self.json(run.stdout)["observations"] as? [String: Any])
        let gatewayWalk = try #require(observations["gateway"] as? [String: Any])
        #expect(gatewayWalk["transport"] as? String == "legacyOnly", "\(gatewayWalk)")
        // Each walk through the channel is one tunnel: RDG_OUT_DATA and RDG_IN_DATA, two connections.
        let tunnels = try #require(observations["probes"] as? [Any]).count
        #expect(tunnels >= 2)
        // Connections to the gateway opened (SYN without ACK): the first walk (401 only),
        // the RPC probe, and two for every tunnel.
        let opened = try Self.tshark(
            file, port: gateway,
            filter: "tcp.dstport==\(gateway) && tcp.flags.syn==1 && tcp.flags.ack==0")
        #expect(opened.count == 2 + 2 * tunnels, "\(opened.count) connections for \(tunnels) tunnels")
        let bytes = try [UInt8](Data(contentsOf: file))
        #expect(!Self.contains(bytes, Array(GatewayCheckTests.password.utf8)))
    }

    @Test(
        "through the gateway the walks after the main one run side by side, never more than 3 connections to the gateway at once (legacy: one tunnel of two)",
        arguments: [("GW_HEALTHY", 3), ("GW_NO_UPGRADE", 2)])
    func gatewayConnectionsAtOnce(gateway name: String, least: Int) throws {
        let file = Self.temporaryFile("gateway-at-once")
        defer { try? FileManager.default.removeItem(at: file) }
        let gateway = try Self.port(name)
        let run = try GatewayCheckTests.check(
            name, target: "SHADOW_NLA", ["--user", "tester", "--insecure", "--capture", file.path],
            targetPassword: Self.password)
        #expect(run.stdout.contains("accepts the account"), "\(run.stdout.prefix(400))")
        // Each connection's life in the file: from its SYN until the check let go
        // of it. A walk that is over lets its connection go at once: the check
        // sends its TLS close_notify, then waits for the gateway's answer (a
        // close_notify and a FIN, or a reset) before its own FIN; on a loaded
        // machine that answer comes many milliseconds after the next connection's
        // SYN. The gateway speaks TLS 1.3, where the close_notify is the check's
        // last record of 24 bytes (header 5, alert 2, content type 1, tag 16); a
        // connection the check did not end that way counts until its FIN, its
        // reset or its last packet.
        struct Life { var start, last: Double, lastData: (time: Double, length: Int)?, ended: Double? }
        var lives: [String: Life] = [:]
        let fields = ["tcp.stream", "frame.time_relative", "tcp.dstport", "tcp.len", "tcp.flags.fin", "tcp.flags.reset"]
        for line in try Self.tshark(file, port: gateway, filter: "tcp.port==\(gateway)", fields: fields) {
            let parts = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == fields.count, let time = Double(parts[1]) else { continue }
            var life = lives[parts[0]] ?? Life(start: time, last: time, lastData: nil, ended: nil)
            life.last = max(life.last, time)
            if parts[2] == gateway, life.ended == nil {  // sent by the check, before its FIN or reset
                if let length = Int(parts[3]), length > 0 { life.lastData = (time, length) }
                if parts[4] == "1" || parts[5] == "1" { life.ended = time }
            }
            lives[parts[0]] = life
        }
        let spans = lives.mapValues { life in
            (start: life.start, end: life.lastData?.length == 24 ? life.lastData!.time : (life.ended ?? life.last))
        }
        let most = spans.values.map { span in spans.values.filter { $0.start <= span.start && span.start < $0.end }.count }.max() ?? 0
        let described = spans.sorted { $0.value.start < $1.value.start }.map { "\($0.key): \($0.value.start)–\($0.value.end)" }
        #expect(spans.count > 10, "\(spans.count) connections")
        // Side by side where the transport allows it, and never past the limit.
        #expect(most >= least && most <= 3, "at most \(most) connections at once: \(described.joined(separator: "; "))")
    }

    @Test("--capture - and a path that cannot be written are refused before any connection")
    func unusablePaths() throws {
        let target = "127.0.0.1:" + (try Self.port("XRDP_TLS"))
        let dash = try ProgramRun.run(["check", target, "--capture", "-"])
        #expect(dash.status == 3 && dash.stderr.contains("--capture - is not supported"), "\(dash.stderr)")
        let missing = try ProgramRun.run(["check", target, "--capture", "/nonexistent-rdpdoctor/x.pcapng"])
        #expect(missing.status == 3 && missing.stderr.contains("does not exist"), "\(missing.stderr)")
        #expect(missing.stdout.isEmpty, "no check ran: \(missing.stdout.prefix(200))")
        let directory = try ProgramRun.run(["check", target, "--capture", FileManager.default.temporaryDirectory.path])
        #expect(directory.status == 3 && directory.stderr.contains("is a directory"), "\(directory.stderr)")
    }

    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, haystack.count >= needle.count else { return false }
        for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
            if haystack[start..<(start + needle.count)].elementsEqual(needle) { return true }
        }
        return false
    }
}
