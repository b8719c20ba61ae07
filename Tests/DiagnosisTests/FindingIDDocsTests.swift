import Diagnosis
import Foundation
import Testing

/// Every finding id is documented: scripts that read `--json` depend on them.
@Suite("finding ids are documented")
struct FindingIDDocsTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The lint's ids (`rdpfile.…`), read from the linter's source.
    static func lintIDs() throws -> Set<String> {
        let text = try String(contentsOf: root.appendingPathComponent("Sources/Diagnosis/RDPFileLint.swift"), encoding: .utf8)
        let pattern = try NSRegularExpression(pattern: #""(rdpfile\.[a-z0-9.-]+)""#)
        let matches = pattern.matches(in: text, range: NSRange(text.startIndex..., in: text))
        return Set(matches.compactMap { Range($0.range(at: 1), in: text).map { String(text[$0]) } })
    }

    @Test("docs/check-json.md lists every FindingID")
    func everyCheckIDIsDocumented() throws {
        let check = try String(contentsOf: Self.root.appendingPathComponent("docs/check-json.md"), encoding: .utf8)
        // `cert.problem.*` stands for the certificate problems, one id per kind.
        let missing = FindingID.allCases.map(\.rawValue).filter {
            !check.contains("`\($0)`") && !($0.hasPrefix("cert.problem.") && check.contains("`cert.problem.*`"))
        }
        #expect(missing.isEmpty, "undocumented finding ids: \(missing.sorted())")
    }

    @Test("docs/lint-json.md lists every id the lint makes")
    func everyLintIDIsDocumented() throws {
        let ids = try Self.lintIDs()
        #expect(ids.count > 15, "the pattern still finds the ids (\(ids.count))")
        let lint = try String(contentsOf: Self.root.appendingPathComponent("docs/lint-json.md"), encoding: .utf8)
        let missing = ids.filter { !lint.contains("`\($0)`") }
        #expect(missing.isEmpty, "undocumented lint ids: \(missing.sorted())")
    }

    @Test("ids are unique and dotted")
    func idsAreWellFormed() {
        let raw = FindingID.allCases.map(\.rawValue)
        #expect(Set(raw).count == raw.count)
        #expect(raw.allSatisfy { $0.contains(".") && $0 == $0.lowercased() || $0.hasPrefix("cert.problem.") })
    }
}
