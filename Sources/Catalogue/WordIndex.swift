#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

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

    /// Whether `needle` occurs in `haystack`, byte for byte. libc's `memchr`
    /// finds each candidate first byte and `memcmp` compares the rest: both
    /// run vectorised, and outside the fuzzer's per-comparison instrumentation
    /// (which made a Swift loop here most of the `explain` target's time).
    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard let first = needle.first else { return true }
        guard needle.count <= haystack.count else { return false }
        return haystack.withUnsafeBytes { text in
            needle.withUnsafeBytes { wanted in
                guard let base = text.baseAddress, let wantedBase = wanted.baseAddress else { return false }
                let lastStart = base + (text.count - wanted.count)
                var start = base
                while start <= lastStart, let hit = memchr(start, Int32(first), lastStart - start + 1) {
                    if memcmp(hit, wantedBase, wanted.count) == 0 { return true }
                    start = UnsafeRawPointer(hit) + 1
                }
                return false
            }
        }
    }
}
