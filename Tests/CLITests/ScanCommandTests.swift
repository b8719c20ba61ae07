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
        let run = try ProgramRun.run(
            ["scan", "-", "--quiet", "--timeout", "1"],
            stdin: Data("127.0.0.1:\(Self.port("SILENT_PORT"))\n".utf8), timeout: 30)
        #expect(run.stdout.contains("undetermined at x224"), "\(run.stdout)")
        #expect(run.status == 4)
    }

    @Test("quick scan: a silent port costs one connection and half a second, reported as no answer within it; --full asks again")
    func quickScanOfASilentPort() throws {
        let listener = try SilentListener()
        defer { listener.close() }
        let quick = try ProgramRun.run(["scan", "-", "--jsonl"], stdin: Data("127.0.0.1:\(listener.port)\n".utf8), timeout: 30)
        let record = try #require(try Self.records(quick.stdout).first)
        let verdict = try #require(record["verdict"] as? [String: Any])
        #expect(verdict["outcome"] as? String == "undetermined")
        let summary = verdict["summary"] as? String ?? ""
        #expect(summary.contains("no answer during the X.224 security negotiation within 50"), "\(summary)")
        #expect(summary.contains("--step-timeout"), "\(summary)")
        #expect((record["durationMs"] as? Double ?? 0) < 2000)
        #expect(listener.acceptPending() == 1, "one connection to a silent port")
        _ = try ProgramRun.run(
            ["scan", "-", "--jsonl", "--full", "--timeout", "2"],
            stdin: Data("127.0.0.1:\(listener.port)\n".utf8), timeout: 30)
        #expect(listener.acceptPending() > 1, "the full check asks the silent port again")
        let bad = try ProgramRun.run(["scan", "-", "--step-timeout", "9"], stdin: Data("127.0.0.1:1\n".utf8), timeout: 20)
        #expect(bad.status == 3 && bad.stderr.contains("--step-timeout"), "\(bad.stderr)")
    }

    @Test(
        "a bad list is a clear error, exit status 3",
        arguments: [
            ("127.0.0.1:0", "line 1"), ("10.0.0.0/8", "more than"), ("a b", "one target per line"),
        ])
    func badList(text: String, message: String) throws {
        let run = try ProgramRun.run(["scan", try Self.write(text)], timeout: 20)
        #expect(run.status == 3)
        #expect(run.stderr.contains(message), "\(run.stderr)")
        #expect(!run.stderr.contains("Fatal error"))
    }
}

/// A loopback listener that never accepts or answers; `acceptPending()` then
/// counts the connections that were made to it.
final class SilentListener {
    let descriptor: Int32
    let port: Int

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard fd >= 0, bound == 0, listen(fd, 16) == 0 else { throw CocoaError(.fileWriteUnknown) }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        descriptor = fd
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    /// Accepts (and closes) every connection waiting; how many there were.
    func acceptPending() -> Int {
        var count = 0
        while true {
            let connection = accept(descriptor, nil, nil)
            guard connection >= 0 else { return count }
            Foundation.close(connection)
            count += 1
        }
    }

    func close() { Foundation.close(descriptor) }
}
