import Catalogue
import Reporting
import Testing

@testable import Explain

/// The default text answer fits one terminal screen; `--details` keeps everything.
@Suite("The first screen answers")
struct FirstScreenTests {
    let explainer = Explainer(catalogue: TestCatalogue.shared)
    /// A terminal screen: 88 columns, about 40 lines.
    static let screenLines = 40
    static let screenColumns = 88

    func pair(_ error: String, _ extended: String) -> Explanation {
        explainer.explain(.pair(error: WrittenNumber.parse(Substring(error))!, extended: WrittenNumber.parse(Substring(extended))!))
    }

    func lines(_ text: String) -> [Substring] {
        text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
    }

    @Test("0x904 0x7 fits one screen: story, three causes with their check, a fix on each side, a pointer to --details")
    func commonestPairFits() {
        let text = ExplainTextRenderer(style: .plain).render([pair("0x904", "0x7")])
        let shown = lines(text)
        #expect(shown.count <= Self.screenLines, "\(shown.count) lines:\n\(text)")
        for line in shown {
            #expect(line.count <= Self.screenColumns, "too wide: \(line)")
        }
        #expect(text.contains("closed while it was still being set up"))
        #expect(text.contains("Most likely"))
        for number in ["1. ", "2. ", "3. "] { #expect(text.contains(number)) }
        #expect(text.contains("client: ") && text.contains("server: "))
        #expect(text.contains("Schannel"))
        #expect(text.contains("--details"))
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\n" }).joined(separator: " ")
        #expect(words.contains("popular advice answered"))
        #expect(!text.contains("Where setup can break"), "the steps are for --details")
        #expect(!text.contains("How to confirm"), "the full entries are for --details")
    }

    @Test("every pair story with a first screen fits one screen", arguments: TestCatalogue.shared.pairStories.map { ($0.error.value, $0.extended.value) })
    func everyStoryFits(codes: (UInt64, UInt64)) {
        let explanation = pair(CodeNumber.hex(codes.0), CodeNumber.hex(codes.1))
        let text = ExplainTextRenderer(style: .plain).render([explanation])
        #expect(lines(text).count <= Self.screenLines, "\(CodeNumber.hex(codes.0)) \(CodeNumber.hex(codes.1)): \(lines(text).count) lines")
        #expect(text.contains("--details"))
    }

    @Test("--details prints the whole story, the steps, the advice answered and both full entries")
    func detailsKeepEverything() throws {
        let explanation = pair("0x904", "0x7")
        let story = try #require(explanation.story)
        let text = ExplainTextRenderer(style: .plain, details: true).render([explanation])
        #expect(text.contains("Where setup can break, and what usually does it"))
        #expect(text.contains("What the web says, answered"))
        for myth in story.myths ?? [] {
            #expect(text.contains(String(myth.advice.prefix(30))), "myth missing: \(myth.advice)")
        }
        for step in story.steps { #expect(text.contains(step.step)) }
        for reading in explanation.readings {
            let entry = try #require(reading.entry)
            #expect(text.contains(entry.name))
            // Every cause of both entries, not only the first three (compare the words of the first line).
            let words = text.split(whereSeparator: { $0 == " " || $0 == "\n" }).joined(separator: " ")
            for cause in entry.causes {
                #expect(words.contains(cause.split(separator: " ").joined(separator: " ")), "cause missing: \(cause)")
            }
        }
        #expect(text.contains("How to confirm") && text.contains("Source:"))
        #expect(lines(text).count > lines(ExplainTextRenderer(style: .plain).render([explanation])).count * 2)
    }

    @Test("a long single code is cut to its first causes, one check and a fix per side, and says --details has more")
    func longEntryIsCut() throws {
        let explanation = explainer.explain(.number(WrittenNumber.parse("errinfo:0x7")!))
        let entry = try #require(explanation.readings.first?.entry)
        try #require(entry.causes.count > ExplainTextRenderer.briefCauses || entry.confirm.count > 1)
        let brief = ExplainTextRenderer(style: .plain).render([explanation])
        let full = ExplainTextRenderer(style: .plain, details: true).render([explanation])
        #expect(brief.contains("--details shows everything"))
        #expect(!full.contains("--details"))
        #expect(lines(brief).count < lines(full).count)
        #expect(brief.contains(entry.summary.prefix(40)))
        #expect(brief.contains("Source:"), "the short answer still names its source")
    }
}
