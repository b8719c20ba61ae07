import Catalogue
import Diagnosis
import ProbeCore

/// The check report for a person: a verdict line, then one section per layer
/// (as ssh-audit and testssl.sh do), each finding with its level and fixes.
public struct CheckTextRenderer: Sendable {
    let style: TextStyle
    /// Every finding with its evidence, section by section. Without it the
    /// report answers on the first screen: the verdict, what needs action in
    /// full, and everything else one line each.
    let details: Bool

    public init(style: TextStyle, details: Bool = false) {
        self.style = style
        self.details = details
    }

    public func render(_ report: CheckReport) -> String {
        var out: [String] = []
        let target = report.observations.target
        out.append(style.bold("rdpdoctor check \(target.written)"))
        out.append(verdictLine(report.verdict))
        let pair = [report.verdict.errorCode, report.verdict.extendedCode].compactMap { $0 }
        if !pair.isEmpty {
            out.append(
                style.dim(
                    "  Likely client code: \(pair.map(\.description).joined(separator: " + ")); details: rdpdoctor explain \(pair.map { CodeNumber.hex($0.value) }.joined(separator: " "))"
                ))
        }
        if details {
            for section in Section.allCases {
                let findings = report.findings.filter { $0.section == section }
                guard !findings.isEmpty else { continue }
                out.append("")
                out.append(style.bold(heading(section, report)))
                for finding in findings { out.append(render(finding)) }
            }
        } else {
            out += firstScreen(report)
        }
        out.append("")
        let warnings = report.findings.filter { $0.level == .warn }.count
        let failures = report.findings.filter { $0.level == .fail }.count
        out.append(
            style.dim(
                "\(failures) failure\(failures == 1 ? "" : "s"), \(warnings) warning\(warnings == 1 ? "" : "s"); checked in \(Int(report.observations.totalMs.rounded())) ms (deadline \(Int(report.observations.timeoutMs)) ms)."
            ))
        return out.joined(separator: "\n") + "\n"
    }

    /// What needs action, in full; then the rest of each section on one line a finding.
    private func firstScreen(_ report: CheckReport) -> [String] {
        var out: [String] = []
        let action = report.findings.filter { $0.level == .fail || $0.level == .warn }
        if !action.isEmpty {
            out.append("")
            out.append(style.bold("Needs attention"))
            for finding in action { out.append(render(finding, section: heading(finding.section, report), fixes: 1)) }
        }
        let rest = report.findings.filter { $0.level == .good || $0.level == .info }
        if !rest.isEmpty {
            out.append("")
            out.append(style.bold("Also seen") + style.dim(" (the evidence behind each line: --details)"))
            for section in Section.allCases {
                let titles = rest.filter { $0.section == section }.map { "\(tag($0.level)) \($0.title)" }
                guard !titles.isEmpty else { continue }
                out.append("  " + style.dim(heading(section, report) + ":"))
                for title in titles { out.append(style.paragraph(title, indent: "      ", first: "    ")) }
            }
        }
        return out
    }

    /// A section's heading; through an RD Gateway the layers of the walk
    /// inside the channel say they are the target's.
    func heading(_ section: Section, _ report: CheckReport) -> String {
        guard report.observations.gateway != nil, section != .gateway,
            report.findings.contains(where: { $0.section == section && $0.side == .target })
        else { return section.rawValue }
        return "\(section.rawValue), the target through the gateway"
    }

    func verdictLine(_ verdict: Verdict) -> String {
        switch verdict.outcome {
        case .reachesLogon, .reachesCredentials: style.green("✔ ") + style.bold(verdict.summary)
        case .fails: style.red("✘ ") + style.bold(verdict.summary)
        case .undetermined: style.yellow("? ") + style.bold(verdict.summary)
        }
    }

    func tag(_ level: Finding.Level) -> String {
        switch level {
        case .good: style.green("(good)")
        case .info: style.cyan("(info)")
        case .warn: style.yellow("(warn)")
        case .fail: style.red("(fail)")
        }
    }

    /// A finding with its evidence and fixes; `section` names it where findings
    /// of several sections stand together.
    private func render(_ finding: Finding, section: String? = nil, fixes: Int = .max) -> String {
        let tag = tag(finding.level)
        let title = section.map { "\($0): \(finding.title)" } ?? finding.title
        var lines = ["  \(tag) \(title)"]
        for line in finding.detail.split(separator: "\n") where !line.isEmpty {
            lines.append(style.paragraph(String(line), indent: "         "))
        }
        for fix in finding.fixes.prefix(fixes) {
            lines.append(style.paragraph(fix, indent: "           ", first: "         " + style.bold("fix: ")))
        }
        if finding.fixes.count > fixes {
            lines.append(style.dim("         (\(finding.fixes.count - fixes) more fix\(finding.fixes.count - fixes == 1 ? "" : "es"): --details)"))
        }
        if !finding.codes.isEmpty {
            lines.append(style.dim("         codes: " + finding.codes.map(\.description).joined(separator: ", ")))
        }
        return lines.joined(separator: "\n")
    }
}
