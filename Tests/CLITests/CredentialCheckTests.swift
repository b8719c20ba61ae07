import Foundation
import Testing

/// `rdpdoctor check --user` against the shadow server with NLA (testbed
/// SHADOW_NLA: user `tester` / `Correct-Horse-9`, and `TESTDOM\alice`).
@Suite("rdpdoctor check --user (binary, real NLA server)", .serialized)
struct CredentialCheckTests {
    static let password = "Correct-Horse-9"

    var target: String {
        get throws {
            let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("scripts/testbed/ports.env")
            let text = try String(contentsOf: url, encoding: .utf8)
            let line = try #require(text.split(separator: "\n").first { $0.hasPrefix("SHADOW_NLA=") })
            return "127.0.0.1:" + line.dropFirst("SHADOW_NLA=".count)
        }
    }

    /// The shadow server's certificate fingerprint, as a user would pin it after
    /// checking it on the server (its certificate is self-signed, so untrusted).
    var pin: String {
        get throws {
            try Self.fingerprint(Self.testbed.appendingPathComponent("shadow-home/.config/freerdp/shadow/shadow.crt"))
        }
    }

    /// The testbed's state directory (start.sh's certificates and homes).
    static var testbed: URL {
        ProcessInfo.processInfo.environment["TESTBED_DIR"].map(URL.init(fileURLWithPath:))
            ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".testbed")
    }

    /// A certificate file's SHA-256 fingerprint as openssl prints it.
    static func fingerprint(_ certificate: URL) throws -> String {
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        openssl.arguments = ["x509", "-in", certificate.path, "-noout", "-fingerprint", "-sha256"]
        let pipe = Pipe()
        openssl.standardOutput = pipe
        try openssl.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        openssl.waitUntilExit()
        return try #require(output.split(separator: "=").last).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func check(_ arguments: [String], password: String?, stdin: String? = nil) throws -> ProgramRun {
        var environment: [String: String] = [:]
        if let password { environment["RDPDOCTOR_PASSWORD"] = password }
        return try ProgramRun.run(
            ["check", try target] + arguments, stdin: stdin.map { Data($0.utf8) },
            environment: environment)
    }

    func json(_ run: ProgramRun) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
    }

    func findingIDs(_ document: [String: Any]) -> [String] {
        ((document["findings"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String }
    }

    @Test("the right password is accepted and the password is never sent or shown")
    func goodPassword() throws {
        let run = try check(["--user", "tester", "--cert-sha256", try pin, "--json"], password: Self.password)
        let document = try json(run)
        #expect(findingIDs(document).contains("credssp.accepted"))
        #expect(findingIDs(document).contains("cert.pin-matches"))
        let verdict = try #require(document["verdict"] as? [String: Any])
        #expect(verdict["outcome"] as? String == "reaches-logon")
        #expect(!run.stdout.contains(Self.password) && !run.stderr.contains(Self.password))
        let text = try check(["--user", "tester", "--cert-sha256", try pin], password: Self.password)
        #expect(text.stdout.contains("tester is accepted"))
        #expect(!text.stdout.contains(Self.password) && !text.stderr.contains(Self.password))
    }

    @Test("a wrong password is refused, not reported as success")
    func wrongPassword() throws {
        let secret = "Wrong-Password-77"
        let run = try check(["--user", "tester", "--cert-sha256", try pin, "--json"], password: secret)
        let document = try json(run)
        #expect(findingIDs(document).contains("credssp.closed-after-authenticate"))
        #expect((document["verdict"] as? [String: Any])?["outcome"] as? String == "fails")
        #expect(run.status == 2)
        #expect(!run.stdout.contains(secret) && !run.stderr.contains(secret))
    }

    @Test("an unknown user is refused")
    func unknownUser() throws {
        let run = try check(["--user", "nobody-here", "--cert-sha256", try pin, "--json"], password: Self.password)
        #expect(findingIDs(try json(run)).contains("credssp.closed-after-authenticate"))
        #expect(run.status == 2)
    }

    @Test("a domain-qualified name, both spellings, password from standard input")
    func domainQualified() throws {
        for account in ["TESTDOM\\alice", "alice@TESTDOM"] {
            let run = try check(
                ["--user", account, "--password-stdin", "--cert-sha256", try pin, "--json"], password: nil,
                stdin: "Alice-Pass-1\n")
            #expect(findingIDs(try json(run)).contains("credssp.accepted"), "\(account)")
            #expect(!run.stdout.contains("Alice-Pass-1"))
        }
    }

    @Test("an untrusted server gets nothing derived from the password; --logon with --insecure logs on")
    func logon() throws {
        for extra in [[], ["--logon"]] {
            let refused = try check(["--user", "tester", "--json"] + extra, password: Self.password)
            let document = try json(refused)
            #expect(findingIDs(document).contains("credssp.account-not-tried"), "\(findingIDs(document))")
            #expect(!findingIDs(document).contains("credssp.accepted"))
            #expect(refused.status == 1, "a warning, not a failure of the server")
        }
        let insecure = try check(["--user", "tester", "--logon", "--insecure", "--json"], password: Self.password)
        let document = try json(insecure)
        #expect(findingIDs(document).contains("logon.session"), "\(findingIDs(document))")
        #expect(!insecure.stdout.contains(Self.password))
    }

    @Test("no password source without a terminal is a clear error, and a password is never a flag")
    func noPassword() throws {
        let run = try ProgramRun.run(["check", try target, "--user", "tester"], stdin: Data())
        #expect(run.status == 3)
        #expect(run.stderr.contains("no password for tester"))
        #expect(run.stderr.contains("--password-stdin") && run.stderr.contains("RDPDOCTOR_PASSWORD"))
        // The gateway account's message names the gateway's own flag and variable.
        let gateway = try ProgramRun.run(["check", try target, "--gateway", "127.0.0.1:1", "--gateway-user", "gwuser"], stdin: Data())
        #expect(gateway.status == 3)
        #expect(gateway.stderr.contains("no password for gwuser"))
        #expect(gateway.stderr.contains("--gateway-password-stdin") && gateway.stderr.contains("RDPDOCTOR_GATEWAY_PASSWORD"))
        let flag = try ProgramRun.run(["check", try target, "--user", "tester", "--password", "x"])
        #expect(flag.status == 3, "there is no --password option")
    }
}
