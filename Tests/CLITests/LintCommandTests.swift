import Foundation
import Testing

/// `rdpdoctor lint` end to end: the built binary on files this test writes.
@Suite("rdpdoctor lint (binary)")
struct LintCommandTests {
    /// Writes `lines` as mstsc does (UTF-16LE, a byte-order mark, CR LF) to a new file.
    static func writeFile(_ lines: [String], name: String = "test.rdp") throws -> String {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("rdpdoctor-lint-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let text = lines.joined(separator: "\r\n") + "\r\n"
        let bytes: [UInt8] = [0xFF, 0xFE] + text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        let path = directory.appendingPathComponent(name).path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    func assertNoCrash(_ run: ProgramRun, sourceLocation: SourceLocation = #_sourceLocation) {
        for marker in ["Fatal error", "Stack dump", "Current stack trace", "Illegal instruction", "Segmentation"] {
            #expect(!run.stderr.contains(marker), "crash marker: \(run.stderr.prefix(400))", sourceLocation: sourceLocation)
        }
    }

    @Test("a clean file: exit 0, a one-line verdict, no colour off a terminal")
    func clean() throws {
        let path = try Self.writeFile(["full address:s:rds.example.test", "server port:i:3389", "enablecredsspsupport:i:1"])
        let run = try ProgramRun.run(["lint", path])
        assertNoCrash(run)
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("rdpdoctor lint \(path)"))
        #expect(run.stdout.contains("No problems found"))
        #expect(run.stdout.contains("0 failures, 0 warnings, 0 notes in 3 settings."))
        #expect(!run.stdout.contains("\u{1B}["))
    }

    @Test("warnings: exit 1, each finding with its line and the line to write")
    func warnings() throws {
        let path = try Self.writeFile([
            "full address:s:rds.example.test:3390",
            "server port:i:3391",
            "authentification level:i:2",
            "enablecredsspsupport:i:0",
            "authentication level:i:2",
        ])
        let run = try ProgramRun.run(["lint", path])
        assertNoCrash(run)
        #expect(run.status == 1, "\(run.stdout)\(run.stderr)")
        for text in [
            "Setting names and values", "did you mean `authentication level`?", "[line 3]",
            "fix: write `authentication level:i:2`", "Address and port", "`server port:i:3390`",
            "`full address:s:rds.example.test:3391`", "Authentication", "write `enablecredsspsupport:i:1`",
        ] {
            #expect(run.stdout.contains(text), "missing \(text):\n\(run.stdout)")
        }
    }

    @Test("a file that breaks the connection: exit 2; --json follows rdpdoctor.lint/1")
    func failureAsJSON() throws {
        let path = try Self.writeFile([
            "server port:i:3389", "gatewayusagemethod:i:1", "gatewayprofileusagemethod:i:1",
            "selectedmonitors:s:0,1",
        ])
        let run = try ProgramRun.run(["lint", "--json", path])
        assertNoCrash(run)
        #expect(run.status == 2)
        let document = try json(run.stdout)
        #expect(document["schema"] as? String == "rdpdoctor.lint/1")
        #expect(document["file"] as? String == path)
        #expect(document["exitStatus"] as? Int == 2)
        #expect(document["settingCount"] as? Int == 4)
        let findings = try #require(document["findings"] as? [[String: Any]])
        #expect(
            findings.compactMap { $0["id"] as? String }
                == ["rdpfile.no-address", "rdpfile.gateway-without-host", "rdpfile.macos-ignored"])
        let first = try #require(findings.first)
        #expect(first["level"] as? String == "fail")
        #expect(first["topic"] as? String == "Address and port")
        #expect(first["line"] == nil, "optional fields are left out")
        #expect((first["fixes"] as? [String])?.first?.contains("full address:s:HOST") == true)
        #expect(findings[1]["line"] as? Int == 2)
        #expect(findings[1]["setting"] as? String == "gatewayusagemethod")
    }

    @Test(
        "could not run: exit 3, with a JSON error under --json",
        arguments: [
            ["lint", "/nonexistent/file.rdp"],
            ["lint", "--json", "/nonexistent/file.rdp"],
            ["lint"],
        ])
    func couldNotRun(arguments: [String]) throws {
        let run = try ProgramRun.run(arguments)
        assertNoCrash(run)
        #expect(run.status == 3, "\(run.stderr)")
        if arguments.contains("--json") {
            #expect(try json(run.stdout)["schema"] as? String == "rdpdoctor.error/1")
        }
    }

    @Test("bytes that are not text, and a file over 256 KiB, are refused with exit 3")
    func badBytes() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rdpdoctor-lint-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let binary = directory.appendingPathComponent("binary.rdp")
        try Data([0xFF, 0xFE, 0x66, 0x00, 0x00, 0xD8, 0x0D, 0x00]).write(to: binary)
        let big = directory.appendingPathComponent("big.rdp")
        try Data(repeating: 0x41, count: 256 * 1024 + 1).write(to: big)
        for path in [binary.path, big.path] {
            let run = try ProgramRun.run(["lint", path])
            assertNoCrash(run)
            #expect(run.status == 3)
            #expect(run.stderr.contains("rdpdoctor: \(path):"), "\(run.stderr)")
        }
    }

    /// The real file mstsc saved, when the shared captures are present.
    @Test("a real .rdp file saved by mstsc (optional data)")
    func realFile() throws {
        let path = "/work/shared/captures/windows/firefox.rdp"
        guard FileManager.default.fileExists(atPath: path) else { return }
        let text = try ProgramRun.run(["lint", path])
        assertNoCrash(text)
        #expect(text.status == 0, "\(text.stdout)\(text.stderr)")
        #expect(text.stdout.contains("Gateway fallback without a gateway"))
        #expect(text.stdout.contains("`devicestoredirect` has no effect in the Windows App on macOS"))
        let json = try ProgramRun.run(["lint", "--json", path])
        #expect(json.status == 0)
        let document = try self.json(json.stdout)
        #expect(document["settingCount"] as? Int == 26)
    }
}
