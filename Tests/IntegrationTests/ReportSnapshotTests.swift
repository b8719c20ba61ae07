import Diagnosis
import Foundation
import Reporting
import Testing

/// The text and JSON reports of every testbed variant, pinned. A structural
/// change must leave them unchanged; a change meant to alter a report shows
/// here as a diff that is reviewed and committed with its reason.
///
/// Record: `RDPDOCTOR_RECORD_SNAPSHOTS=1 swift test --filter ReportSnapshotTests`
/// (writes Tests/IntegrationTests/Snapshots/).
@Suite("report snapshots", .serialized)
struct ReportSnapshotTests {
    /// Every testbed variant whose report does not depend on the machine's
    /// speed. (SLOW_SINGLE and DELAY_PROXY exist to be slow; their reports
    /// are asserted on in TrustworthyCheckTests instead.)
    static let variants = [
        "XRDP_NEGOTIATE", "XRDP_TLS", "XRDP_EXPIRED", "XRDP_WRONGNAME", "XRDP_TESTCA", "XRDP_TLS10",
        "XRDP_TLS13", "XRDP_RDP_LOW", "XRDP_RDP_HIGH", "XRDP_RDP_FIPS", "XRDP_RDP_NONE",
        "SHADOW_NLA", "SHADOW_TLS", "SHADOW_RDP", "WESTON",
        "CLOSED_PORT", "HTTP_PORT", "SILENT_PORT", "SSH_LIKE_PORT",
        "TLS_ONLY_WEB", "TLS_ONLY_GATEWAY", "MITM_NLA",
    ]

    static let loadDependent: Set<FindingID> = [.pathLoss, .pathSampleLoss, .pathHighLatency]

    @Test("reports match their snapshots", arguments: variants)
    func snapshot(_ variant: String) async throws {
        // The test CA is a trust anchor, so the CA-signed variants are judged as a
        // user with `--ca` would see them; the hosts are those the certificates name.
        let host = ["XRDP_WRONGNAME", "XRDP_TESTCA"].contains(variant) ? "localhost" : "127.0.0.1"
        // A generous budget: the rules that compare answer times scale with it, and
        // a loaded machine must not change the report. The silent port waits it out.
        let budget: Double = variant == "SILENT_PORT" ? 3000 : 10000
        var checked = try await Testbed.check(variant, host: host, timeoutMs: budget, anchors: try Testbed.testCA())
        // None of these servers slows down with several connections open, but a
        // machine busy with other tests can hold one answer past the rule's
        // threshold, and the check then rightly goes on one at a time, which changes
        // the report. Such a check is run again (at most twice): the snapshot pins
        // the report of a moment the machine did not interfere with.
        for _ in 0..<2 where checked.observations.probing?.slowestConcurrentAnswerMs != nil {
            checked = try await Testbed.check(variant, host: host, timeoutMs: budget, anchors: try Testbed.testCA())
        }
        // Loss on loopback is the machine's load, not the server's (a busy xrdp
        // lets its two-entry accept queue overflow and a SYN is sent again): like
        // the path figures, the findings judged from them are left out.
        let report = CheckReport(
            verdict: checked.verdict, findings: checked.findings.filter { !Self.loadDependent.contains($0.id) },
            observations: checked.observations, certificate: checked.certificate)
        // One line per paragraph: wrapping would move with the width of masked figures.
        let unwrapped = TextStyle(colour: false, width: 100_000)
        let documents = [
            ("txt", ReportMask.text(CheckTextRenderer(style: unwrapped).render(report))),
            ("details.txt", ReportMask.text(CheckTextRenderer(style: unwrapped, details: true).render(report))),
            ("json", try ReportMask.json(JSONDocuments.check(report))),
        ]
        for (suffix, text) in documents {
            try Snapshot.assert(text, named: "\(variant).\(suffix)")
        }
    }
}

/// Compares a document with its committed snapshot, or records it.
enum Snapshot {
    static let directory = Testbed.root.appendingPathComponent("Tests/IntegrationTests/Snapshots")
    static var recording: Bool { ProcessInfo.processInfo.environment["RDPDOCTOR_RECORD_SNAPSHOTS"] == "1" }

    static func assert(_ actual: String, named name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let file = directory.appendingPathComponent(name)
        if recording {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try actual.write(to: file, atomically: true, encoding: .utf8)
            return
        }
        guard let expected = try? String(contentsOf: file, encoding: .utf8) else {
            Issue.record("no snapshot \(name); record with RDPDOCTOR_RECORD_SNAPSHOTS=1", sourceLocation: sourceLocation)
            return
        }
        if expected != actual {
            Issue.record("\(name) differs from its snapshot:\n\(firstDifference(expected, actual))", sourceLocation: sourceLocation)
        }
    }

    /// The first differing lines, enough to read the change in the test log.
    static func firstDifference(_ expected: String, _ actual: String) -> String {
        let a = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let b = actual.split(separator: "\n", omittingEmptySubsequences: false)
        for index in 0..<max(a.count, b.count) {
            let left = index < a.count ? String(a[index]) : "<end>"
            let right = index < b.count ? String(b[index]) : "<end>"
            if left != right { return "line \(index + 1)\n  snapshot: \(left)\n  now:      \(right)" }
        }
        return "(same lines, different endings)"
    }
}

/// Masks what changes from run to run: durations, dates, figures of the
/// path, and what belongs to the certificates the testbed generates.
enum ReportMask {
    static let textRules: [(pattern: String, replacement: String)] = [
        (#"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"#, "<date>"),
        (#"([0-9A-F]{2}:){19,}[0-9A-F]{2}"#, "<fingerprint>"),
        (#"\b[0-9a-f]{40,}\b"#, "<hex>"),
        (#"\d+(\.\d+)? ?(ms|s)\b"#, "<time>"),
        (#"\(\d+ days left\)"#, "(<n> days left)"),
        (#"expired \d+ days ago"#, "expired <n> days ago"),  // the expired variant's date is fixed
        (#"\d+ of \d+ segments"#, "<n> of <n> segments"),
        (#"Round trip [^,]+, jitter [^,]+,"#, "Round trip <rtt>, jitter <jitter>,"),
        (#"opened \d+ connections"#, "opened <n> connections"),
    ]

    static func text(_ report: String) -> String {
        var out = report
        for rule in textRules {
            out = out.replacingOccurrences(of: rule.pattern, with: rule.replacement, options: .regularExpression)
        }
        // The servers' NTLM names are this machine's.
        let host = ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? ""
        if host.count >= 2 {
            out = out.replacingOccurrences(
                of: #"\b(?i:\#(NSRegularExpression.escapedPattern(for: host)))\b"#,
                with: "<hostname>", options: .regularExpression)
        }
        return out
    }

    /// Object keys whose values vary between runs, machines or testbeds
    /// (besides every `…Ms` and `…Unix` figure). A generated certificate's
    /// `byteCount` moves by a byte with its serial and signature.
    static let volatileKeys: Set<String> = [
        "iso8601", "secondsSinceEpoch", "serialNumber", "subjectPublicKeyBytes", "sha1Fingerprint",
        "sha256Fingerprint", "byteCount", "daysLeft", "segmentsIn", "segmentsOut", "bytesReceived", "totalRetransmits",
        "lost", "sendMSS", "peerWindow", "unsentBytes", "dataSegmentsOut", "delivered", "anchorCount", "dnsComputer",
        "dnsDomain", "netbiosComputer", "netbiosDomain",
    ]

    static func json(_ document: String) throws -> String {
        let tree = try JSONSerialization.jsonObject(with: Data(document.utf8), options: [.fragmentsAllowed])
        let masked = mask(tree)
        let data = try JSONSerialization.data(withJSONObject: masked, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        return text(String(decoding: data, as: UTF8.self)) + "\n"
    }

    static func mask(_ value: Any) -> Any {
        if let object = value as? [String: Any] {
            // Volatile members are left out, not blanked: whether a figure was
            // taken at all (a last byte's time, say) varies from run to run too.
            let kept = object.filter { !isVolatile($0.key) }
            return Dictionary(uniqueKeysWithValues: kept.map { ($0.key, mask($0.value)) })
        }
        if let array = value as? [Any] { return array.map(mask) }
        return value
    }

    static func isVolatile(_ key: String) -> Bool {
        volatileKeys.contains(key) || key.hasSuffix("Ms") || key.hasSuffix("Unix")
    }
}
