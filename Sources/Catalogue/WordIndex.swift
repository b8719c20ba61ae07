/// Every entry's searchable text, lowercased once when the catalogue loads:
/// a word search then compares bytes instead of lowercasing and joining the
/// whole catalogue's prose (about 110 KB) for every query.
struct WordIndex: Sendable {
    /// One entry's text as lowercased UTF-8: its name and aliases, and its
    /// summary and meaning.
    struct Text: Sendable {
        let location: Catalogue.Located
        let names: [UInt8]
        let prose: [UInt8]
    }

    let texts: [Text]

    init(families: [Family]) {
        var texts: [Text] = []
        for (f, family) in families.enumerated() {
            for (e, entry) in family.entries.enumerated() {
                texts.append(
                    Text(
                        location: Catalogue.Located(family: f, entry: e),
                        names: Array(([entry.name] + entry.aliases).joined(separator: " ").lowercased().utf8),
                        prose: Array((entry.summary + " " + entry.meaning).lowercased().utf8)))
            }
        }
        self.texts = texts
    }

    /// Entries holding every term, in catalogue order, with a score: 3 for
    /// each term in the names, 1 for each found only in the prose.
    func matches(_ terms: [String]) -> [(location: Catalogue.Located, score: Int)] {
        let needles = terms.map { Array($0.lowercased().utf8) }.filter { !$0.isEmpty }
        guard !needles.isEmpty else { return [] }
        var found: [(location: Catalogue.Located, score: Int)] = []
        for text in texts {
            var score = 0
            for needle in needles {
                if Self.contains(text.names, needle) {
                    score += 3
                } else if Self.contains(text.prose, needle) {
                    score += 1
                } else {
                    score = 0
                    break
                }
            }
            if score > 0 { found.append((text.location, score)) }
        }
        return found
    }

    /// Whether `needle` occurs in `haystack`, byte for byte.
    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard needle.count <= haystack.count, let first = needle.first else { return needle.isEmpty }
        let lastStart = haystack.count - needle.count
        var start = 0
        while start <= lastStart {
            if haystack[start] == first {
                var offset = 1
                while offset < needle.count, haystack[start + offset] == needle[offset] { offset += 1 }
                if offset == needle.count { return true }
            }
            start += 1
        }
        return false
    }
}
