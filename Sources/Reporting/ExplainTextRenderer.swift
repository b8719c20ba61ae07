import Catalogue
import Explain

/// Renders explanations as text for a person.
///
/// By default the answer fits one screen: a pair's story in a few lines, the
/// likeliest causes with the check that tells each apart, the first fix on
/// each side, and a long entry cut to its first items. With `details` it
/// prints everything the catalogue holds.
public struct ExplainTextRenderer: Sendable {
    let style: TextStyle
    let details: Bool
    /// How many items of each list a short entry keeps.
    public static let briefCauses = 3

    public init(style: TextStyle, details: Bool = false) {
        self.style = style
        self.details = details
    }

    public func render(_ explanations: [Explanation]) -> String {
        explanations.map(render).joined(separator: "\n\n" + style.dim(String(repeating: "─", count: 40)) + "\n\n") + "\n"
    }

    public func render(_ explanation: Explanation) -> String {
        if !details, explanation.kind == .pair, let story = explanation.story, let first = story.firstScreen {
            return renderFirstScreen(explanation, story: story, first: first)
        }
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
        var omitted = 0
        for reading in explanation.readings {
            out.append("")
            if details {
                out.append(render(reading))
            } else {
                let brief = renderBrief(reading)
                out.append(brief.text)
                omitted += brief.omitted
            }
        }
        if omitted > 0 {
            out.append("")
            out.append(style.dim("  --details shows everything: \(omitted) more item\(omitted == 1 ? "" : "s") (causes, checks, fixes)."))
        }
        return out.joined(separator: "\n")
    }

    // MARK: - The first screen

    private func renderFirstScreen(_ explanation: Explanation, story: PairStory, first: PairStory.FirstScreen) -> String {
        var out: [String] = []
        out.append(style.bold("\(explanation.input): \(story.title)"))
        out.append(style.paragraph(first.summary, indent: "  "))
        for note in explanation.notes {
            out.append(style.paragraph(note, indent: "  ", first: style.yellow("! ")))
        }
        for reading in explanation.readings {
            let role = reading.role.map { $0 == .error ? "Error code:   " : "Extended code:" } ?? ""
            let name = reading.entry?.name ?? (reading.match == .unknown ? "not in the catalogue" : "no entry")
            out.append(style.dim("  \(role) \(reading.key ?? reading.hex)  \(name)"))
        }
        out.append("")
        out.append(style.bold("  Most likely, and what tells them apart"))
        for (i, cause) in first.likely.enumerated() {
            let bullet = "  \(i + 1). "
            out.append(
                style.paragraph(
                    cause.cause + " (\(cause.certainty.rawValue))",
                    indent: String(repeating: " ", count: bullet.count), first: bullet))
            out.append(style.paragraph(cause.tell, indent: "       ", first: "     " + style.cyan("↳ ")))
        }
        out.append("")
        out.append(style.bold("  First fix"))
        if let client = first.fix.client {
            out.append(style.paragraph(client, indent: "            ", first: "    client: "))
        }
        if let server = first.fix.server {
            out.append(style.paragraph(server, indent: "            ", first: "    server: "))
        }
        out.append("")
        out.append(style.paragraph(story.next, indent: "  ", first: style.green("→ ")))
        var more = ["the whole story", "each setup step and its culprits"]
        if let myths = story.myths, !myths.isEmpty {
            more.append("\(myths.count) piece\(myths.count == 1 ? "" : "s") of popular advice answered")
        }
        more.append("both codes' full entries and sources")
        out.append(style.dim(style.paragraph("--details shows " + more.joined(separator: ", ") + ".", indent: "  ")))
        return out.joined(separator: "\n")
    }

    /// An entry cut to its first causes, one way to confirm it and the first
    /// fix on each side; `omitted` counts what was left for `--details`.
    func renderBrief(_ reading: Reading) -> (text: String, omitted: Int) {
        guard let entry = reading.entry else { return (render(reading), 0) }
        let causes = Array(entry.causes.prefix(Self.briefCauses))
        let confirm = Array(entry.confirm.prefix(1))
        let client = Array(entry.fixes.client.prefix(1))
        let server = Array(entry.fixes.server.prefix(1))
        let omitted =
            (entry.causes.count - causes.count) + (entry.confirm.count - confirm.count)
            + (entry.fixes.client.count - client.count) + (entry.fixes.server.count - server.count)
        let text = render(reading, causes: causes, confirm: confirm, client: client, server: server)
        return (text, omitted)
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
        if let myths = story.myths, !myths.isEmpty {
            out.append("")
            out.append(style.bold("  What the web says, answered"))
            for myth in myths {
                out.append(style.paragraph(myth.advice, indent: "     ", first: "  - "))
                out.append(style.paragraph(myth.helps, indent: "               ", first: "     Helps:    "))
                out.append(style.paragraph(myth.cannotHelp, indent: "               ", first: "     Not when: "))
                out.append(style.paragraph(myth.tell, indent: "               ", first: "     Tell:     "))
                out.append(style.dim(style.paragraph("\(myth.certainty.rawValue); \(myth.source)", indent: "               ", first: "     Source:   ")))
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
        guard let entry = reading.entry else { return render(reading, causes: [], confirm: [], client: [], server: []) }
        return render(
            reading, causes: entry.causes, confirm: entry.confirm,
            client: entry.fixes.client, server: entry.fixes.server)
    }

    private func render(_ reading: Reading, causes: [String], confirm: [String], client: [String], server: [String]) -> String {
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
                out.append(
                    style.paragraph(
                        "No family rdpdoctor knows defines this number, and its shape says nothing more. Check that it was copied whole, and from which field of which program.",
                        indent: "  "))
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
        out.append(list("Likely causes", causes, numbered: true))
        out.append(list("How to confirm", confirm, numbered: false))
        if !client.isEmpty { out.append(list("Fix on the client", client, numbered: false)) }
        if !server.isEmpty { out.append(list("Fix on the server", server, numbered: false)) }
        if let check = entry.check {
            out.append("  " + style.bold("Check:") + " rdpdoctor check HOST (the \(check.rawValue) step)")
        }
        if !entry.related.isEmpty {
            out.append("  " + style.bold("Related:") + " " + entry.related.map(\.description).joined(separator: ", "))
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
