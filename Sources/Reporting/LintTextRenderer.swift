import Diagnosis

/// The lint report for a person, in the style of the check report: a summary
/// line, then one group per topic, each finding with its level, line and fixes.
public struct LintTextRenderer: Sendable {
    let style: TextStyle

    public init(style: TextStyle) {
        self.style = style
    }

    public func render(_ report: RDPFileLintReport, file: String) -> String {
        var out: [String] = [style.bold("rdpdoctor lint \(file)")]
        out.append(summaryLine(report))
        for topic in RDPFileFinding.Topic.allCases {
            let findings = report.findings.filter { $0.topic == topic }
            guard !findings.isEmpty else { continue }
            out.append("")
            out.append(style.bold(topic.rawValue))
            for finding in findings { out.append(render(finding)) }
        }
        out.append("")
        let warnings = report.findings.filter { $0.level == .warn }.count
        let failures = report.findings.filter { $0.level == .fail }.count
        let notes = report.findings.filter { $0.level == .info }.count
        out.append(
            style.dim(
                "\(failures) failure\(failures == 1 ? "" : "s"), \(warnings) warning\(warnings == 1 ? "" : "s"), \(notes) note\(notes == 1 ? "" : "s") in \(report.settingCount) setting\(report.settingCount == 1 ? "" : "s")."
            ))
        return out.joined(separator: "\n") + "\n"
    }

    private func summaryLine(_ report: RDPFileLintReport) -> String {
        switch report.exitStatus {
        case 2: style.red("✘ ") + style.bold("A setting in this file breaks the connection")
        case 1: style.yellow("! ") + style.bold("The file has settings that do not do what they seem to")
        default:
            style.green("✔ ")
                + style.bold(
                    report.findings.isEmpty
                        ? "No problems found in the file's settings"
                        : "Nothing to fix; notes below")
        }
    }

    private func render(_ finding: RDPFileFinding) -> String {
        let tag: String
        switch finding.level {
        case .good: tag = style.green("(good)")
        case .info: tag = style.cyan("(info)")
        case .warn: tag = style.yellow("(warn)")
        case .fail: tag = style.red("(fail)")
        }
        let place = finding.line.map { style.dim(" [line \($0)]") } ?? ""
        var lines = ["  \(tag) \(finding.title)\(place)"]
        for line in finding.detail.split(separator: "\n") where !line.isEmpty {
            lines.append(style.paragraph(String(line), indent: "         "))
        }
        for fix in finding.fixes {
            lines.append(style.paragraph(fix, indent: "           ", first: "         " + style.bold("fix: ")))
        }
        return lines.joined(separator: "\n")
    }
}
