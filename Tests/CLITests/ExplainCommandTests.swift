import Foundation
import Testing

/// `rdpdoctor explain` end to end: the built binary, its output and exit codes.
@Suite("rdpdoctor explain (binary)")
struct ExplainCommandTests {
    func json(_ text: String) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8))
        return try #require(object as? [String: Any])
    }

    func assertNoCrash(_ run: ProgramRun) {
        for marker in ["Fatal error", "Stack dump", "Current stack trace", "Illegal instruction", "Segmentation"] {
            #expect(!run.stderr.contains(marker), "crash marker in stderr: \(run.stderr.prefix(400))")
        }
        #expect(run.status >= 0 && run.status <= 3, "exit status \(run.status)")
    }

    @Test("0x904 0x7 tells the story and exits 0")
    func pairStory() throws {
        let run = try ProgramRun.run(["explain", "0x904", "0x7"])
        #expect(run.status == 0)
        #expect(run.stdout.contains("closed while it was still being set up"))
        #expect(run.stdout.contains("disconnectReasonAtClientWinsockFDCLOSE"))
        #expect(run.stdout.contains("exDiscReasonServerDeniedConnection"))
        #expect(run.stdout.contains("rdpdoctor check HOST"))
        #expect(!run.stdout.contains("\u{1B}["), "no colour when not a terminal")
    }

    @Test("0x904 0x7 fits one screen by default; --details prints the full story")
    func firstScreen() throws {
        let run = try ProgramRun.run(["explain", "0x904", "0x7"])
        #expect(run.status == 0)
        let lines = run.stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(lines.count <= 40, "\(lines.count) lines:\n\(run.stdout)")
        #expect(lines.allSatisfy { $0.count <= 88 }, "a line is wider than 88 columns")
        #expect(run.stdout.contains("Most likely"))
        #expect(run.stdout.contains("--details"))
        let details = try ProgramRun.run(["explain", "0x904", "0x7", "--details"])
        #expect(details.status == 0)
        for section in [
            "Where setup can break", "What the web says, answered", "Likely causes", "How to confirm",
            "Fix on the client", "Fix on the server", "Source:", "MSLicensing", "MS-RDPEMT 1.3",
        ] {
            #expect(details.stdout.contains(section), "--details lacks \(section)")
        }
    }

    @Test("--json keeps everything, the same with or without --details")
    func jsonKeepsEverything() throws {
        let plain = try ProgramRun.run(["explain", "--json", "0x904", "0x7"])
        let detailed = try ProgramRun.run(["explain", "--json", "--details", "0x904", "0x7"])
        #expect(plain.stdout == detailed.stdout)
        let first = try #require((try json(plain.stdout)["explanations"] as? [[String: Any]])?.first)
        let story = try #require(first["story"] as? [String: Any])
        for key in ["error", "extended", "title", "story", "steps", "next", "firstScreen", "myths"] {
            #expect(story[key] != nil, "story lacks \(key)")
        }
        let myths = try #require(story["myths"] as? [[String: Any]])
        #expect(myths.count >= 5)
        for myth in myths {
            for key in ["advice", "helps", "cannotHelp", "tell", "certainty", "source"] {
                #expect(myth[key] is String, "a myth lacks \(key)")
            }
        }
        let readings = try #require(first["readings"] as? [[String: Any]])
        let entry = try #require(readings.first?["entry"] as? [String: Any])
        #expect(((entry["causes"] as? [String])?.count ?? 0) > 3, "the entry's causes are all kept")
    }

    @Test("--json for a pair follows the documented schema")
    func pairJSON() throws {
        let run = try ProgramRun.run(["explain", "--json", "0x904/0x7"])
        #expect(run.status == 0)
        let document = try json(run.stdout)
        #expect(document["schema"] as? String == "rdpdoctor.explain/1")
        let explanations = try #require(document["explanations"] as? [[String: Any]])
        let first = try #require(explanations.first)
        #expect(first["kind"] as? String == "pair")
        let readings = try #require(first["readings"] as? [[String: Any]])
        #expect(readings.compactMap { $0["key"] as? String } == ["disconnect:0x904", "extended:0x7"])
        #expect(readings.first?["role"] as? String == "error")
        let entry = try #require(readings.first?["entry"] as? [String: Any])
        #expect(entry["name"] as? String == "disconnectReasonAtClientWinsockFDCLOSE")
        #expect((entry["causes"] as? [String])?.isEmpty == false)
        #expect(first["story"] is [String: Any])
    }

    @Test(
        "every input form answers with JSON",
        arguments: [
            ["2308"], ["errinfo:7"], ["0xC000006D"], ["ERRINFO_SERVER_DENIED_CONNECTION"],
            ["ERRCONNECT_CONNECT_TRANSPORT_FAILED [0x0002000D]"], ["certificate"], ["0xA04"], ["7"],
        ])
    func formsAsJSON(arguments: [String]) throws {
        let run = try ProgramRun.run(["explain", "--json"] + arguments)
        assertNoCrash(run)
        #expect(run.status == 0, "\(arguments): \(run.stderr)")
        let explanations = try #require(try json(run.stdout)["explanations"] as? [[String: Any]])
        let readings = explanations.flatMap { ($0["readings"] as? [[String: Any]]) ?? [] }
        #expect(!readings.isEmpty, "\(arguments) gave no reading")
    }

    @Test("a pasted dialog on standard input")
    func dialogOnStdin() throws {
        let dialog = "Your computer can't connect to the remote computer.\r\nError code: 0x904\r\nExtended error code: 0x7\r\n"
        let run = try ProgramRun.run(["explain"], stdin: Data(dialog.utf8))
        #expect(run.status == 0)
        #expect(run.stdout.contains("0x904 0x7: the connection was closed"))
    }

    @Test("--list lists the families, and one family's codes")
    func list() throws {
        let all = try ProgramRun.run(["explain", "--list"])
        #expect(all.status == 0)
        for family in ["disconnect", "extended", "errinfo", "negfailure", "license", "ntstatus", "sspi", "gateway"] {
            #expect(all.stdout.contains(family))
        }
        let one = try ProgramRun.run(["explain", "--list", "negfailure", "--json"])
        #expect(one.status == 0)
        let families = try #require(try json(one.stdout)["families"] as? [[String: Any]])
        #expect((families.first?["entries"] as? [Any])?.count == 6)
        let bad = try ProgramRun.run(["explain", "--list", "nosuchfamily"])
        #expect(bad.status == 3)
        #expect(bad.stderr.contains("no family called"))
    }

    @Test("garbage words: a clear message and exit 1")
    func garbage() throws {
        let run = try ProgramRun.run(["explain", "qqqzzzxxy"])
        assertNoCrash(run)
        #expect(run.status == 1)
        #expect(run.stdout.contains("None"))
    }

    @Test("empty standard input: a clear message and exit 3")
    func emptyStdin() throws {
        let run = try ProgramRun.run(["explain"], stdin: Data())
        assertNoCrash(run)
        #expect(run.status == 3)
        #expect(run.stderr.contains("empty"))
    }

    @Test("a 10 MB paste is refused without reading it all")
    func hugeStdin() throws {
        let run = try ProgramRun.run(["explain"], stdin: Data(repeating: 0x41, count: 10 * 1024 * 1024))
        assertNoCrash(run)
        #expect(run.status == 3)
        #expect(run.stderr.contains("larger than 1 MiB"))
    }

    @Test("invalid UTF-8 on standard input is refused")
    func invalidUTF8() throws {
        let run = try ProgramRun.run(["explain", "--json"], stdin: Data([0x45, 0x72, 0xFF, 0xFE, 0x00, 0x80]))
        assertNoCrash(run)
        #expect(run.status == 3)
        #expect(run.stderr.contains("not UTF-8"))
        #expect(try json(run.stdout)["error"] is String)
    }

    @Test("text without any code on standard input exits 1")
    func noCodeInText() throws {
        let run = try ProgramRun.run(["explain"], stdin: Data("hello there, nothing to see".utf8))
        assertNoCrash(run)
        #expect(run.status == 1)
        #expect(run.stderr.contains("no error code was found"))
    }

    @Test("an unknown option is a usage error with exit 3")
    func badOption() throws {
        let run = try ProgramRun.run(["explain", "--frobnicate"])
        assertNoCrash(run)
        #expect(run.status == 3)
    }

    @Test("the binary copied alone into an empty directory still explains and checks")
    func singleFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rdpdoctor-alone-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let copy = directory.appendingPathComponent("rdpdoctor")
        try FileManager.default.copyItem(atPath: ProgramRun.binary, toPath: copy.path)
        let explain = try ProgramRun.run(["explain", "0x904", "0x7"], executable: copy.path)
        #expect(explain.status == 0, "\(explain.stderr)")
        #expect(explain.stdout.contains("0x904"))
        // Port 1 on loopback: nothing listens, so the check answers at once.
        let check = try ProgramRun.run(["check", "127.0.0.1:1", "--quick", "--timeout", "2"], executable: copy.path)
        #expect(check.status == 2, "\(check.stdout)\(check.stderr)")
        #expect(check.stdout.contains("refuses") || check.stdout.contains("refused"), "\(check.stdout)")
    }

    @Test("a missing catalogue is a message, not a crash")
    func missingCatalogue() throws {
        let run = try ProgramRun.run(["explain", "0x904"], environment: ["RDPDOCTOR_CATALOGUE": "/nonexistent"])
        assertNoCrash(run)
        #expect(run.status == 3)
        #expect(run.stderr.contains("catalogue"))
    }
}
