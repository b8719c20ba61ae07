import Foundation
import Testing

/// Every finding id a rule can make is documented: scripts that read
/// `--json` depend on them. The ids are read from the rules' source.
@Suite("finding ids are documented")
struct FindingIDDocsTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// Every `id: "…"` literal (both arms of `id: c ? "a" : "b"`) in Sources/Diagnosis.
    static func ids() throws -> Set<String> {
        let folder = root.appendingPathComponent("Sources/Diagnosis")
        var found: Set<String> = []
        let pattern = try NSRegularExpression(pattern: #"id: (?:[^"\n]*\? )?"([a-z0-9.-]+)"(?: : "([a-z0-9.-]+)")?"#)
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) where name.hasSuffix(".swift") {
            let text = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
            let range = NSRange(text.startIndex..., in: text)
            for match in pattern.matches(in: text, range: range) {
                for group in 1..<match.numberOfRanges {
                    if let r = Range(match.range(at: group), in: text) { found.insert(String(text[r])) }
                }
            }
        }
        return found
    }

    @Test("docs/check-json.md and docs/lint-json.md list every id the rules make")
    func everyIDIsDocumented() throws {
        let ids = try Self.ids()
        #expect(ids.count > 80, "the pattern still finds the ids (\(ids.count))")
        let check = try String(contentsOf: Self.root.appendingPathComponent("docs/check-json.md"), encoding: .utf8)
        let lint = try String(contentsOf: Self.root.appendingPathComponent("docs/lint-json.md"), encoding: .utf8)
        let missing = ids.filter { id in
            let doc = id.hasPrefix("rdpfile.") ? lint : check
            return !doc.contains("`\(id)`")
        }
        #expect(missing.isEmpty, "undocumented finding ids: \(missing.sorted())")
    }
}
