import Catalogue

/// `explain --list`: the families, or one family's entries.
public struct CatalogueListRenderer: Sendable {
    let style: TextStyle

    public init(style: TextStyle) {
        self.style = style
    }

    public func renderFamilies(_ catalogue: Catalogue) -> String {
        var out = [style.bold("Families (\(catalogue.entryCount) codes); list one with `rdpdoctor explain --list FAMILY`")]
        for family in catalogue.families {
            out.append("  " + style.cyan(family.family.rawValue.padding(13)) + String(family.entries.count).padding(5) + family.title)
        }
        return out.joined(separator: "\n") + "\n"
    }

    public func render(_ family: Family) -> String {
        var out = [style.bold("\(family.title) (\(family.entries.count))"), style.dim("  Source: \(family.source)")]
        out.append(style.paragraph(family.description, indent: "  "))
        out.append("")
        for entry in family.entries {
            out.append("  " + style.cyan(family.key(for: entry.code.value).description.padding(22)) + " " + entry.name)
            out.append(style.paragraph(entry.summary, indent: String(repeating: " ", count: 27)))
        }
        for range in family.ranges {
            out.append(
                style.paragraph("\(CodeNumber.hex(range.from.value))–\(CodeNumber.hex(range.to.value)): \(range.meaning)", indent: "    ", first: "  range "))
        }
        return out.joined(separator: "\n") + "\n"
    }
}
