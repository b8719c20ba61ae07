import Foundation
import Testing

/// `rdpdoctor scan` end to end against the testbed (scripts/testbed/ports.env):
/// RDP servers, a closed and a silent port on 127.0.0.1, and nothing on 127.0.0.2.
@Suite("rdpdoctor scan (binary)", .serialized)
struct ScanCommandTests {
    static let ports: [String: Int] = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let text = (try? String(contentsOf: root.appendingPathComponent("scripts/testbed/ports.env"), encoding: .utf8)) ?? ""
        var ports: [String: Int] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: "=", maxSplits: 1)
            if parts.count == 2, let port = Int(parts[1].trimmingCharacters(in: .whitespaces)) { ports[String(parts[0])] = port }
        }
        return ports
    }()

    static func port(_ name: String) -> Int { ports[name] ?? 0 }

    static func write(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("rdpdoctor-scan-\(UUID().uuidString).txt").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    static func records(_ jsonl: String) throws -> [[String: Any]] {
        try jsonl.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    var list: String {
        """
        # testbed on 127.0.0.1, and an address where nothing listens
        127.0.0.1:\(Self.port("SHADOW_NLA")),\(Self.port("XRDP_NEGOTIATE")),\(Self.port("CLOSED_PORT")),\(Self.port("SILENT_PORT"))
        127.0.0.2:\(Self.port("SHADOW_NLA"))
        """
    }

    @Test("every target is accounted for, as JSON lines, with a summary on stderr")
    func jsonLines() throws {
        let run = try ProgramRun.run(["scan", try Self.write(list), "--jsonl", "-j", "4", "--timeout", "3"], timeout: 60)
        let records = try Self.records(run.stdout)
        let byTarget = Dictionary(uniqueKeysWithValues: records.map { ($0["target"] as? String ?? "", $0) })
        #expect(byTarget.count == 5, "\(run.stdout)")
        func outcome(_ target: String) -> String? { (byTarget[target]?["verdict"] as? [String: Any])?["outcome"] as? String }
        #expect(outcome("127.0.0.1:\(Self.port("SHADOW_NLA"))") == "reaches-credential-prompt")
        #expect(outcome("127.0.0.1:\(Self.port("XRDP_NEGOTIATE"))") == "reaches-logon")
        #expect(outcome("127.0.0.1:\(Self.port("CLOSED_PORT"))") == "fails")
        #expect(outcome("127.0.0.1:\(Self.port("SILENT_PORT"))") == "undetermined")
        #expect(outcome("127.0.0.2:\(Self.port("SHADOW_NLA"))") == "fails")
        #expect(records.allSatisfy { $0["schema"] as? String == "rdpdoctor.scan/1" })
        #expect(run.stderr.contains("Scanned 5 targets"))
        #expect(run.stderr.contains("tcp.refused"))
        // No progress line off a terminal.
        #expect(!run.stderr.contains("in flight"))
        #expect(run.status == 2)
    }

    @Test("the table and summary on stdout; --resume skips finished targets")
    func tableAndResume() throws {
        let listPath = try Self.write(list)
        let previous = try ProgramRun.run(["scan", listPath, "--jsonl", "--timeout", "2"], timeout: 60)
        let done = try Self.records(previous.stdout).prefix(3).map { try JSONSerialization.data(withJSONObject: $0) }
        let resumePath = try Self.write(done.map { String(decoding: $0, as: UTF8.self) }.joined(separator: "\n") + "\n")
        let run = try ProgramRun.run(["scan", listPath, "--resume", resumePath, "--timeout", "2"], timeout: 60)
        #expect(run.stdout.contains("Scanned 2 targets"), "\(run.stdout)")
        #expect(run.stdout.contains("By verdict"))
    }

    @Test("a target list on standard input; a silent target within a short deadline")
    func standardInput() throws {
        let run = try ProgramRun.run(["scan", "-", "--quiet", "--timeout", "1"],
                                     stdin: Data("127.0.0.1:\(Self.port("SILENT_PORT"))\n".utf8), timeout: 30)
        #expect(run.stdout.contains("undetermined at x224"), "\(run.stdout)")
        #expect(run.status == 4)
    }

    @Test("a bad list is a clear error, exit status 3", arguments: [
        ("127.0.0.1:0", "line 1"), ("10.0.0.0/8", "more than"), ("a b", "one target per line"),
    ])
    func badList(text: String, message: String) throws {
        let run = try ProgramRun.run(["scan", try Self.write(text)], timeout: 20)
        #expect(run.status == 3)
        #expect(run.stderr.contains(message), "\(run.stderr)")
        #expect(!run.stderr.contains("Fatal error"))
    }
}
