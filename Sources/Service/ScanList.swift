// `rdpdoctor scan`'s input and output records, without I/O: the target list
// (names, addresses, CIDR blocks, port lists) expanded with a bound, the JSON
// line of one target, and the summary table.

import CertificateAudit
import Diagnosis
import Foundation
import ProbeCore

/// A target list that cannot be used: the line and why.
public struct ScanListError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// The target list of `rdpdoctor scan`.
///
/// One entry per line; `#` starts a comment. An entry is `HOST`, `HOST:PORTS`,
/// `[IPv6]:PORTS`, or a CIDR block `A.B.C.D/N[:PORTS]`; PORTS is a comma list of
/// ports and ranges (`3389,33890-33899`). Without PORTS, 3389.
public enum ScanList {
    /// The most targets one list may expand to.
    public static let maximumTargets = 100_000

    public static func expand(_ text: String, limit: Int = maximumTargets) throws(ScanListError) -> [String] {
        var targets: [String] = []
        var seen = Set<String>()
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = Substring(rawLine)
            if let hash = line.firstIndex(of: "#") { line = line[..<hash] }
            let entry = line.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !entry.isEmpty else { continue }
            let expanded: [String]
            do {
                expanded = try expandEntry(entry, limit: limit - targets.count)
            } catch {
                throw ScanListError("line \(index + 1): \(error.description)")
            }
            for target in expanded where seen.insert(target).inserted {
                targets.append(target)
            }
        }
        return targets
    }

    static func expandEntry(_ entry: String, limit: Int) throws(ScanListError) -> [String] {
        guard !entry.contains(where: { $0.isWhitespace }) else { throw ScanListError("\"\(entry)\" holds a space: one target per line") }
        // Split host and ports: [v6]:ports, v4 or name:ports, bare v6 (several colons, no brackets).
        var host = entry
        var portText: String?
        if entry.hasPrefix("[") {
            guard let close = entry.firstIndex(of: "]") else { throw ScanListError("\"\(entry)\": a [ without ]") }
            host = String(entry[entry.index(after: entry.startIndex)..<close])
            let rest = entry[entry.index(after: close)...]
            if !rest.isEmpty {
                guard rest.hasPrefix(":") else { throw ScanListError("\"\(entry)\": expected :PORTS after ]") }
                portText = String(rest.dropFirst())
            }
        } else if entry.filter({ $0 == ":" }).count == 1, let colon = entry.firstIndex(of: ":") {
            host = String(entry[..<colon])
            portText = String(entry[entry.index(after: colon)...])
        }
        var ports = [Target.defaultPort]
        if let portText { ports = try parsePorts(portText) }
        let hosts: [String]
        if host.contains("/") {
            guard let cidr = CIDR(host) else { throw ScanListError("\"\(host)\" is not a CIDR block") }
            guard cidr.size <= limit, cidr.size.multipliedReportingOverflow(by: ports.count).partialValue <= limit,
                cidr.network.count == 4 || cidr.prefixLength >= 112
            else {
                throw ScanListError("\(host) with \(ports.count) port(s) is more than \(limit) targets")
            }
            hosts = addresses(in: cidr)
        } else {
            guard !host.isEmpty else { throw ScanListError("\"\(entry)\": no host") }
            hosts = [host]
        }
        guard hosts.count * ports.count <= limit else {
            throw ScanListError("\"\(entry)\" is more than the \(maximumTargets) targets a list may hold")
        }
        var targets: [String] = []
        for host in hosts {
            for port in ports {
                let written = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
                do {
                    _ = try Target.parse(written)
                } catch {
                    throw ScanListError("\"\(entry)\": \(error.description)")
                }
                targets.append(written)
            }
        }
        return targets
    }

    static func parsePorts(_ text: String) throws(ScanListError) -> [UInt16] {
        var ports: [UInt16] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard let range = PortRange(String(part)) else { throw ScanListError("\"\(part)\" is not a port or range") }
            guard ports.count + range.range.count <= maximumTargets else { throw ScanListError("too many ports") }
            ports.append(contentsOf: range.range)
        }
        return ports
    }

    /// Every address of a block (a /31 or /32 as it is; a wider IPv4 block without
    /// its network and broadcast addresses, as a scanner would).
    static func addresses(in cidr: CIDR) -> [String] {
        let count = cidr.size
        var result: [String] = []
        let skipEnds = cidr.network.count == 4 && cidr.prefixLength < 31
        for offset in 0..<count {
            if skipEnds, offset == 0 || offset == count - 1 { continue }
            var bytes = cidr.network
            var carry = offset
            var index = bytes.count - 1
            while carry > 0, index >= 0 {
                let sum = Int(bytes[index]) + (carry & 0xFF)
                bytes[index] = UInt8(sum & 0xFF)
                carry = (carry >> 8) + (sum >> 8)
                index -= 1
            }
            result.append(IPAddress.text(bytes))
        }
        return result
    }

    /// The targets of a previous `--jsonl` output, to skip (`--resume`).
    /// Lines that are not a scan record (a cut last line) are ignored.
    public static func finishedTargets(jsonl text: String) -> Set<String> {
        var done = Set<String>()
        let decoder = JSONDecoder()
        for line in text.split(separator: "\n") {
            struct Head: Decodable { let schema: String; let target: String }
            if let head = try? decoder.decode(Head.self, from: Data(line.utf8)), head.schema == ScanRecord.schema {
                done.insert(head.target)
            }
        }
        return done
    }
}

/// One line of `rdpdoctor scan --jsonl` (docs/scan.md): a subset of the
/// `rdpdoctor.check/3` document, plus `error` when the check could not run.
public struct ScanRecord: Codable, Sendable, Equatable {
    public static let schema = "rdpdoctor.scan/1"

    public struct FindingSummary: Codable, Sendable, Equatable {
        public let id: FindingID
        public let level: Finding.Level
        public let title: String
    }

    public var schema = ScanRecord.schema
    public let target: String
    /// `check`'s exit status: 0 clean, 1 warnings, 2 fails, 3 could not run, 4 could not tell.
    public let exitStatus: Int32
    public let verdict: Verdict?
    public let findings: [FindingSummary]
    /// The address probed.
    public let address: String?
    public let durationMs: Double
    /// Why there is no report (a target that cannot be read, or the scan's own deadline).
    public let error: String?

    public init(report: CheckReport, durationMs: Double) {
        target = report.observations.target.written
        exitStatus = report.exitStatus
        verdict = report.verdict
        findings = report.findings.filter { $0.level >= .warn }.map { FindingSummary(id: $0.id, level: $0.level, title: $0.title) }
        address = report.observations.resolution?.usedAddress
        self.durationMs = (durationMs * 10).rounded() / 10
        error = nil
    }

    public init(target: String, exitStatus: Int32, error: String, durationMs: Double) {
        self.target = target
        self.exitStatus = exitStatus
        verdict = nil
        findings = []
        address = nil
        self.durationMs = (durationMs * 10).rounded() / 10
        self.error = error
    }

    /// The one-line JSON of this record, ending with a newline.
    public var jsonLine: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(self) else { return "{\"error\":\"internal: JSON encoding failed\"}\n" }
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// The verdict's outcome, or `could-not-run` / `undetermined` for a target without a report.
    public var outcome: String {
        if let verdict { return verdict.outcome.rawValue }
        return exitStatus == 3 ? "could-not-run" : Verdict.Outcome.undetermined.rawValue
    }
}

/// The table at the end of a scan: targets by verdict and by finding.
public enum ScanSummary {
    public static func render(_ records: [ScanRecord], wallSeconds: Double) -> String {
        var out = "Scanned \(records.count) target\(records.count == 1 ? "" : "s") in \(String(format: "%.1f", wallSeconds)) s\n\n"
        var byOutcome: [String: Int] = [:]
        for record in records { byOutcome[record.outcome, default: 0] += 1 }
        let order = ["reaches-logon", "reaches-credential-prompt", "fails", "undetermined", "could-not-run"]
        out += "By verdict\n"
        for outcome in order where byOutcome[outcome] != nil {
            out += "  " + outcome.padding(toLength: 28, withPad: " ", startingAt: 0) + String(byOutcome[outcome]!) + "\n"
        }
        var byStep: [String: Int] = [:]
        for record in records where record.verdict?.outcome == .fails {
            byStep[record.verdict?.step?.rawValue ?? "unknown", default: 0] += 1
        }
        if !byStep.isEmpty {
            out += "\nFailing, by step\n"
            for (step, count) in byStep.sorted(by: { ($0.value, $1.key) > ($1.value, $0.key) }) {
                out += "  " + step.padding(toLength: 28, withPad: " ", startingAt: 0) + String(count) + "\n"
            }
        }
        var byFinding: [String: (level: Finding.Level, count: Int)] = [:]
        for record in records {
            for finding in record.findings {
                byFinding[finding.id.rawValue, default: (finding.level, 0)].count += 1
            }
        }
        if !byFinding.isEmpty {
            out += "\nWarnings and failures, by finding\n"
            let sorted = byFinding.sorted {
                ($0.value.level, $0.value.count, $1.key) > ($1.value.level, $1.value.count, $0.key)
            }
            for (id, entry) in sorted {
                out +=
                    "  " + "\(entry.level.rawValue)".padding(toLength: 6, withPad: " ", startingAt: 0)
                    + id.padding(toLength: 36, withPad: " ", startingAt: 0) + String(entry.count) + "\n"
            }
        }
        return out
    }
}
