import Catalogue
import Explain
import Testing

/// Inputs the fuzzer showed to be slow in `explain` (Fuzz/, target `explain`):
/// each test names the input and asserts the bound that fixed it.
@Suite("Fuzz regressions: explain")
struct ExplainSearchRegressionTests {
    static let catalogue: Catalogue = (try? Catalogue.shipped()) ?? Catalogue(families: [])

    /// explain-search-repeated-one-letter-word: 64 KiB of "a a a …" as one argument.
    /// Every entry contains "a", so each repetition was another pass over the
    /// whole catalogue (seconds of CPU for one query). Repeated words now count
    /// once and at most `maximumSearchTerms` different words are read.
    @Test("explain-search-repeated-one-letter-word: a repeated word is searched once")
    func repeatedWord() throws {
        let argument = String(repeating: "a ", count: QueryParser.maximumArgumentLength / 2 - 1)
        let queries = try QueryParser(catalogue: Self.catalogue).parse(arguments: [argument])
        #expect(queries.count == 1)
        let explainer = Explainer(catalogue: Self.catalogue)
        let once = explainer.search("a")
        let many = try #require(queries.first.map(explainer.explain))
        #expect(many.readings.map(\.value) == once.readings.map(\.value))
        #expect(!many.readings.isEmpty, "every entry holds an a")
    }

    /// explain-search-many-distinct-words: more different words than are read.
    @Test("explain-search-many-distinct-words: only the first words are read, and the note says so")
    func manyDistinctWords() {
        let explainer = Explainer(catalogue: Self.catalogue)
        let words = (0..<(Explainer.maximumSearchTerms + 40)).map { "w\($0)" }
        let explanation = explainer.search(words.joined(separator: " "))
        #expect(explanation.readings.isEmpty)
        #expect(explanation.notes.contains { $0.contains("first \(Explainer.maximumSearchTerms) different words") && $0.contains("40 more") })
        let within = explainer.search(words.prefix(Explainer.maximumSearchTerms).joined(separator: " "))
        #expect(within.notes.allSatisfy { !$0.contains("were ignored") })
    }
}
