import Foundation
import Testing

/// `rdpdoctor check`'s text report answers on the first screen: the verdict,
/// what needs action, and the rest one line each; `--details` has the evidence.
@Suite("rdpdoctor check: the first screen (binary, testbed xrdp)", .serialized)
struct CheckReportScreenTests {
    var target: String {
        get throws {
            let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("scripts/testbed/ports.env")
            let text = try String(contentsOf: url, encoding: .utf8)
            let line = try #require(text.split(separator: "\n").first { $0.hasPrefix("XRDP_NEGOTIATE=") })
            return "127.0.0.1:" + line.dropFirst("XRDP_NEGOTIATE=".count)
        }
    }

    @Test("what needs action comes first, in full; the rest one line each; --details has the evidence")
    func firstScreen() throws {
        let run = try ProgramRun.run(["check", try target])
        let lines = run.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.count > 2 && lines[1].hasPrefix("✔"), "\(run.stdout)")
        let attention = try #require(lines.firstIndex(of: "Needs attention"), "\(run.stdout)")
        let rest = try #require(lines.firstIndex { $0.hasPrefix("Also seen") }, "\(run.stdout)")
        #expect(attention < rest)
        #expect(lines[attention + 1].contains("(warn)"))
        #expect(!run.stdout.contains("Median of the kernel's minimum RTT"), "evidence of info findings waits for --details")
        #expect(lines.count < 80, "\(lines.count) lines")
        let details = try ProgramRun.run(["check", try target, "--details"])
        #expect(details.stdout.contains("Median of the kernel's minimum RTT"))
        #expect(!details.stdout.contains("Needs attention"))
        #expect(details.status == run.status)
    }
}
