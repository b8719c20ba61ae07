import Catalogue
import Testing

@testable import Explain

@Suite("Explanations")
struct ExplanationTests {
    let explainer = Explainer(catalogue: TestCatalogue.shared)

    func number(_ text: String) -> Explanation {
        explainer.explain(.number(WrittenNumber.parse(Substring(text))!))
    }

    @Test("0x904 with 0x7 tells the setup-close story and points to check")
    func setupCloseStory() throws {
        let explanation = explainer.explain(
            .pair(
                error: WrittenNumber.parse("0x904")!, extended: WrittenNumber.parse("0x7")!))
        let story = try #require(explanation.story)
        let text = (story.story + [story.next, story.title]).joined(separator: " ").lowercased()
        #expect(text.contains("closed"))
        #expect(text.contains("set up") || text.contains("setup"))
        #expect(text.contains("itself"), "says the client reports 0x7 by itself")
        #expect(text.contains("rdpdoctor check"))
        let steps = story.steps.map { $0.step.lowercased() }
        for step in ["tcp", "x.224", "tls", "credssp"] {
            #expect(steps.contains { $0.contains(step) }, "no culprits for \(step)")
        }
        #expect(explanation.readings.map(\.role) == [.error, .extended])
    }

    @Test("an undocumented disconnect code still decodes to its class")
    func undocumentedDisconnectClass() throws {
        let explanation = explainer.explain(.pair(error: WrittenNumber.parse("0xA04")!, extended: nil))
        let reading = try #require(explanation.readings.first)
        #expect(reading.match == .structure)
        #expect(reading.layer == .tcp)
        #expect(reading.hex == "0xA04")
    }

    @Test("an unknown number is kept raw, never an error")
    func unknownNumber() throws {
        let explanation = number("0x7FFFFFFFFF")
        let reading = try #require(explanation.readings.first)
        #expect(reading.match == .unknown)
        #expect(reading.value == 0x7FFFFFFFFF)
    }

    @Test("an undocumented number in a documented range gets the range's meaning")
    func rangeReading() {
        let readings = number("0x1190").readings
        #expect(readings.contains { $0.family == .errinfo })
        let protocolRange = number("0x5000").readings
        #expect(protocolRange.contains { $0.family == .extended && $0.match == .structure })
    }

    @Test("an unknown NTSTATUS is read from its shape")
    func ntstatusShape() {
        let readings = number("0xC0000999").readings
        #expect(readings.contains { $0.family == .ntstatus && $0.match == .structure })
    }

    @Test("an ambiguous number lists each family's reading")
    func ambiguous() {
        let explanation = number("7")
        let families = Set(explanation.readings.compactMap(\.family))
        #expect(families.isSuperset(of: [.extended, .errinfo, .license]))
        #expect(explanation.notes.contains { $0.contains("families") })
    }

    @Test("decimal digits that mean a hex code are offered both ways")
    func hexReadingOffered() {
        let explanation = number("904")
        #expect(explanation.readings.contains { $0.match == .hexReading && $0.key == "disconnect:0x904" })
    }

    @Test("an unknown family prefix says so")
    func unknownFamily() {
        let explanation = number("nofamily:7")
        #expect(explanation.notes.contains { $0.contains("no family") })
    }

    @Test("a search for nonsense finds nothing")
    func emptySearch() {
        #expect(explainer.search("qqqzzzxxy").readings.isEmpty)
        #expect(explainer.search("!!!").readings.isEmpty)
    }
}
