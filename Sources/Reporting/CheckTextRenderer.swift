import Diagnosis
import ProbeCore

/// The check report for a person: a verdict line, then one section per layer
/// (as ssh-audit and testssl.sh do), each finding with its level and fixes.
public struct CheckTextRenderer: Sendable {
    let style: TextStyle

    public init(style: TextStyle) {
        self.style = style
    }

    public func render(_ report: CheckReport) -> String {
        var out: [String] = []
        let target = report.observations.target
        out.append(style.bold("rdpdoctor check \(target.written)"))
        out.append(verdictLine(report.verdict))
        let pair = [report.verdict.errorCode, report.verdict.extendedCode].compactMap { $0 }
        if !pair.isEmpty {
            out.append(style.dim("  Likely client code: \(pair.joined(separator: " + ")); details: rdpdoctor explain \(pair.map(Self.number).joined(separator: " "))"))
        }
        for section in Section.allCases {
            let findings = report.findings.filter { $0.section == section }
            guard !findings.isEmpty else { continue }
            out.append("")
            out.append(style.bold(section.rawValue))
            for finding in findings { out.append(render(finding)) }
        }
        out.append("")
        let warnings = report.findings.filter { $0.level == .warn }.count
        let failures = report.findings.filter { $0.level == .fail }.count
        out.append(style.dim("\(failures) failure\(failures == 1 ? "" : "s"), \(warnings) warning\(warnings == 1 ? "" : "s"); checked in \(Int(report.observations.totalMs.rounded())) ms (deadline \(Int(report.observations.timeoutMs)) ms)."))
        return out.joined(separator: "\n") + "\n"
    }

    private func verdictLine(_ verdict: Verdict) -> String {
        switch verdict.outcome {
        case .reachesLogon, .reachesCredentials: style.green("✔ ") + style.bold(verdict.summary)
        case .fails: style.red("✘ ") + style.bold(verdict.summary)
        case .undetermined: style.yellow("? ") + style.bold(verdict.summary)
        }
    }

    private func render(_ finding: Finding) -> String {
        let tag: String
        switch finding.level {
        case .good: tag = style.green("(good)")
        case .info: tag = style.cyan("(info)")
        case .warn: tag = style.yellow("(warn)")
        case .fail: tag = style.red("(fail)")
        }
        var lines = ["  \(tag) \(finding.title)"]
        for line in finding.detail.split(separator: "\n") where !line.isEmpty {
            lines.append(style.paragraph(String(line), indent: "         "))
        }
        for fix in finding.fixes {
            lines.append(style.paragraph(fix, indent: "           ", first: "         " + style.bold("fix: ")))
        }
        if !finding.codes.isEmpty {
            lines.append(style.dim("         codes: " + finding.codes.joined(separator: ", ")))
        }
        return lines.joined(separator: "\n")
    }

    /// `disconnect:0x904` → `0x904` for an explain command line.
    static func number(_ key: String) -> String {
        key.split(separator: ":").last.map(String.init) ?? key
    }
}
