import Catalogue
import Explain

/// Renders explanations as text for a person.
public struct ExplainTextRenderer: Sendable {
    let style: TextStyle

    public init(style: TextStyle) {
        self.style = style
    }

    public func render(_ explanations: [Explanation]) -> String {
        explanations.map(render).joined(separator: "\n\n" + style.dim(String(repeating: "─", count: 40)) + "\n\n") + "\n"
    }

    public func render(_ explanation: Explanation) -> String {
        var out: [String] = []
        switch explanation.kind {
        case .pair: out.append(contentsOf: pairHeader(explanation))
        case .number: out.append(style.bold("\(explanation.input)") + numberSubtitle(explanation))
        case .name: out.append(style.bold(explanation.input))
        case .search: return renderSearch(explanation)
        }
        for note in explanation.notes {
            out.append(style.paragraph(note, indent: "  ", first: style.yellow("! ")))
        }
        if explanation.readings.isEmpty {
            out.append("  Nothing in the catalogue has that name. Try `rdpdoctor explain WORDS` to search.")
        }
        for reading in explanation.readings {
            out.append("")
            out.append(render(reading))
        }
        return out.joined(separator: "\n")
    }

    private func numberSubtitle(_ explanation: Explanation) -> String {
        guard let value = explanation.readings.first?.value else { return "" }
        return style.dim("  (\(CodeNumber.hex(value)) = \(value) decimal)")
    }

    private func pairHeader(_ explanation: Explanation) -> [String] {
        var out: [String] = []
        let title = explanation.story?.title ?? pairTitle(explanation)
        out.append(style.bold("\(explanation.input): \(title)"))
        guard let story = explanation.story else { return out }
        out.append("")
        for (i, paragraph) in story.story.enumerated() {
            if i > 0 { out.append("") }
            out.append(style.paragraph(paragraph, indent: "  "))
        }
        out.append("")
        out.append(style.bold("  Where setup can break, and what usually does it"))
        for (i, step) in story.steps.enumerated() {
            out.append("  \(i + 1). " + style.cyan(step.step))
            for culprit in step.culprits {
                out.append(style.paragraph(culprit, indent: "       ", first: "     - "))
            }
        }
        out.append("")
        out.append(style.paragraph(story.next, indent: "  ", first: style.green("→ ")))
        return out
    }

    private func pairTitle(_ explanation: Explanation) -> String {
        let parts = explanation.readings.compactMap { reading -> String? in
            reading.entry?.summary ?? reading.structure.first.map { _ in "\(reading.hex) (undocumented)" }
        }
        return parts.isEmpty ? "not in the catalogue" : parts.joined(separator: " / ")
    }

    func render(_ reading: Reading) -> String {
        var out: [String] = []
        let role = reading.role.map { $0 == .error ? "Error code " : "Extended code " } ?? ""
        let key = reading.key ?? reading.hex
        guard let entry = reading.entry else {
            out.append(style.bold("\(role)\(key)") + "  " + style.dim(reading.match == .unknown ? "not in the catalogue" : "no entry: read from its structure"))
            out.append("  Raw value: \(reading.hex) = \(reading.value) decimal")
            for note in reading.structure {
                out.append(style.paragraph(note, indent: "  "))
            }
            if reading.match == .unknown {
                out.append(style.paragraph("No family rdpdoctor knows defines this number, and its shape says nothing more. Check that it was copied whole, and from which field of which program.", indent: "  "))
            }
            return out.joined(separator: "\n")
        }
        let qualifier = reading.match == .hexReading ? style.yellow(" (if you meant hex)") : ""
        out.append(style.bold("\(role)\(key)  \(entry.name)") + qualifier)
        var meta = "\(reading.familyTitle ?? "") · layer: \(entry.layer.rawValue) · \(entry.certainty.rawValue)"
        if reading.value != entry.code.value { meta += " · also written \(CodeNumber.hex(entry.code.value))" }
        out.append(style.dim("  " + meta))
        out.append(style.paragraph(entry.summary, indent: "  "))
        out.append(style.paragraph(entry.meaning, indent: "  "))
        out.append(list("Likely causes", entry.causes, numbered: true))
        out.append(list("How to confirm", entry.confirm, numbered: false))
        if !entry.fixes.client.isEmpty { out.append(list("Fix on the client", entry.fixes.client, numbered: false)) }
        if !entry.fixes.server.isEmpty { out.append(list("Fix on the server", entry.fixes.server, numbered: false)) }
        if let check = entry.check {
            out.append("  " + style.bold("Check:") + " rdpdoctor check HOST (the \(check.rawValue) step)")
        }
        if !entry.related.isEmpty {
            out.append("  " + style.bold("Related:") + " " + entry.related.joined(separator: ", "))
        }
        out.append("  " + style.bold("Source:") + " " + entry.source)
        return out.joined(separator: "\n")
    }

    private func list(_ title: String, _ items: [String], numbered: Bool) -> String {
        var out = ["  " + style.bold(title)]
        for (i, item) in items.enumerated() {
            let bullet = numbered ? "    \(i + 1). " : "    - "
            out.append(style.paragraph(item, indent: String(repeating: " ", count: bullet.count), first: bullet))
        }
        return out.joined(separator: "\n")
    }

    private func renderSearch(_ explanation: Explanation) -> String {
        var out = [style.bold("Entries matching \"\(explanation.input)\"")]
        if explanation.readings.isEmpty {
            out.append("  None. Try fewer or other words, or `rdpdoctor explain --list` for the families.")
        }
        for reading in explanation.readings {
            guard let entry = reading.entry else { continue }
            out.append("  " + style.cyan((reading.key ?? "").padding(21)) + " " + entry.name)
            out.append(style.paragraph(entry.summary, indent: String(repeating: " ", count: 26)))
        }
        for note in explanation.notes { out.append(style.dim("  " + note)) }
        if !explanation.readings.isEmpty {
            out.append(style.dim("  For a whole entry: rdpdoctor explain KEY (for example \(explanation.readings[0].key ?? ""))"))
        }
        return out.joined(separator: "\n")
    }
}

extension String {
    func padding(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
