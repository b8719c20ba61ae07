import Testing

@testable import Catalogue

/// The word index compares lowercased bytes prepared at load; it must find
/// exactly what lowercasing each entry's text at search time finds.
@Suite("word search index")
struct WordIndexTests {
    @Test("the index finds what a search over freshly lowercased text finds, with the same scores")
    func sameAsLowercasedText() throws {
        let catalogue = try Catalogue.shipped()
        let searches: [[String]] = [
            ["certificate"], ["tls", "certificate"], ["licens"], ["nla"], ["credssp", "password"], ["0x904"], ["x224"],
            ["gateway", "policy"], ["e"], ["zzzz"], ["time", "out"], ["kerberos", "expired"],
        ]
        for terms in searches {
            var expected: [(String, Int)] = []
            for family in catalogue.families {
                for entry in family.entries {
                    let names = ([entry.name] + entry.aliases).joined(separator: " ").lowercased()
                    let prose = (entry.summary + " " + entry.meaning).lowercased()
                    var score = 0
                    for term in terms {
                        if names.contains(term) { score += 3 } else if prose.contains(term) { score += 1 } else { score = 0; break }
                    }
                    if score > 0 { expected.append(("\(family.family):\(entry.name)", score)) }
                }
            }
            let found = catalogue.entries(holding: terms).map { ("\($0.family.family):\($0.entry.name)", $0.score) }
            #expect(found.map(\.0) == expected.map(\.0), "\(terms)")
            #expect(found.map(\.1) == expected.map(\.1), "\(terms)")
        }
    }

    @Test("byte search: at the start, at the end, overlapping, longer than the text, empty")
    func byteSearch() {
        let text = Array("abcabd".utf8)
        #expect(WordIndex.contains(text, Array("abc".utf8)))
        #expect(WordIndex.contains(text, Array("abd".utf8)))
        #expect(WordIndex.contains(text, Array("cab".utf8)))
        #expect(!WordIndex.contains(text, Array("abe".utf8)))
        #expect(!WordIndex.contains(text, Array("abcabdx".utf8)))
        #expect(WordIndex.contains(text, []))
        #expect(!WordIndex.contains([], Array("a".utf8)))
    }
}
