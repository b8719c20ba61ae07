/// Terminal styling, switched off entirely when output is not a terminal or
/// `NO_COLOR` is set (the caller decides; this type does no I/O).
public struct TextStyle: Sendable {
    public let colour: Bool
    public let width: Int

    public init(colour: Bool, width: Int = 88) {
        self.colour = colour
        self.width = max(40, width)
    }

    public static let plain = TextStyle(colour: false)

    public func bold(_ text: String) -> String { wrap(text, "1") }
    public func dim(_ text: String) -> String { wrap(text, "2") }
    public func red(_ text: String) -> String { wrap(text, "31") }
    public func yellow(_ text: String) -> String { wrap(text, "33") }
    public func green(_ text: String) -> String { wrap(text, "32") }
    public func cyan(_ text: String) -> String { wrap(text, "36") }

    private func wrap(_ text: String, _ code: String) -> String {
        colour ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }

    /// Breaks `text` into lines of at most `width` columns, each prefixed by
    /// `indent`; the first line may carry a different prefix (a bullet).
    public func paragraph(_ text: String, indent: String, first: String? = nil) -> String {
        let firstPrefix = first ?? indent
        var lines: [String] = []
        var line = firstPrefix
        var lineHasWords = false
        for word in text.split(whereSeparator: { $0 == " " || $0 == "\n" }) {
            if lineHasWords, line.count + 1 + word.count > width {
                lines.append(line)
                line = indent
                lineHasWords = false
            }
            line += (lineHasWords ? " " : "") + word
            lineHasWords = true
        }
        lines.append(line)
        return lines.joined(separator: "\n")
    }
}
