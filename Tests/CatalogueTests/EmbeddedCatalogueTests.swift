import Foundation
import Testing

@testable import Catalogue

/// The binary carries the catalogue (EmbeddedCatalogue.swift); the JSON files
/// are its source. They must never drift apart.
@Suite("the embedded catalogue")
struct EmbeddedCatalogueTests {
    @Test("EmbeddedCatalogue.swift holds exactly the JSON files (else run scripts/embed-catalogue.py)")
    func matchesTheFiles() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: TestCatalogue.directory)
            .filter { $0.hasSuffix(".json") }.sorted()
        #expect(Catalogue.embeddedFiles.map(\.name) == names)
        for (name, json) in Catalogue.embeddedFiles {
            let file = try String(contentsOfFile: TestCatalogue.directory + "/" + name, encoding: .utf8)
            #expect(json == file.trimmingSuffixNewlines(), "\(name) differs: run scripts/embed-catalogue.py")
        }
    }

    @Test("the shipped catalogue loads from the binary itself, as the files do")
    func loads() throws {
        let shipped = try Catalogue.shipped()
        #expect(shipped.families.map(\.family) == TestCatalogue.shared.families.map(\.family))
        #expect(shipped.families.map(\.entries.count) == TestCatalogue.shared.families.map(\.entries.count))
        #expect(shipped.pairStories.count == TestCatalogue.shared.pairStories.count)
    }
}

extension String {
    func trimmingSuffixNewlines() -> String {
        var text = self
        while text.hasSuffix("\n") { text.removeLast() }
        return text
    }
}
