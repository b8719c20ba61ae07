import Catalogue
import Testing

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The rules of docs/CATALOGUE-FORMAT.md, checked over every entry.
@Suite("Catalogue lint")
struct CatalogueLintTests {
    let catalogue = TestCatalogue.shared

    @Test("every family the format names is present")
    func familiesPresent() {
        let present = Set(catalogue.families.map(\.family))
        for family in Catalogue.readingOrder {
            #expect(present.contains(family), "missing family \(family)")
        }
    }

    @Test("codes and names are unique within each family")
    func uniqueWithinFamily() {
        for family in catalogue.families {
            var codes = Set<UInt64>()
            var names = Set<String>()
            for entry in family.entries {
                for value in [entry.code.value] + entry.altCodes.map(\.value) {
                    #expect(codes.insert(value).inserted, "\(family.key(for: value)) appears twice")
                }
                #expect(names.insert(entry.name.lowercased()).inserted, "\(family.family): name \(entry.name) appears twice")
            }
        }
    }

    @Test("every entry has a meaning, ranked causes, a way to confirm, a fix and a source")
    func entriesComplete() {
        for family in catalogue.families {
            for entry in family.entries {
                let key = family.key(for: entry.code.value)
                #expect(!entry.name.isEmpty, "\(key): no name")
                #expect(!entry.summary.isEmpty && entry.summary.count <= 110, "\(key): summary empty or too long")
                #expect(entry.meaning.count >= 20, "\(key): meaning too short")
                #expect(!entry.causes.isEmpty, "\(key): no causes")
                #expect(!entry.confirm.isEmpty, "\(key): no way to confirm")
                #expect(!(entry.fixes.client + entry.fixes.server).isEmpty, "\(key): no fix")
                #expect(!entry.source.isEmpty, "\(key): no source")
                for text in entry.causes + entry.confirm + entry.fixes.client + entry.fixes.server {
                    #expect(!text.trimmingCharacters(in: .whitespaces).isEmpty, "\(key): an empty list item")
                }
            }
        }
    }

    @Test("related keys name entries that exist")
    func relatedKeysResolve() {
        for family in catalogue.families {
            for entry in family.entries {
                for key in entry.related {
                    #expect(catalogue.entry(key) != nil, "\(family.key(for: entry.code.value)) relates to unknown \(key)")
                }
            }
        }
    }

    @Test("family ranges are well formed")
    func rangesWellFormed() {
        for family in catalogue.families {
            for range in family.ranges {
                #expect(range.from.value <= range.to.value, "\(family.family): range \(range.from.value)...\(range.to.value)")
            }
        }
    }

    @Test("pair stories name codes the catalogue has")
    func pairStoriesResolve() {
        #expect(!catalogue.pairStories.isEmpty)
        for story in catalogue.pairStories {
            let error = catalogue.entry(.disconnect, story.error.value) ?? catalogue.entry(.newclient, story.error.value)
            #expect(error != nil, "story for unknown error code \(story.error.value)")
            #expect(catalogue.entry(.extended, story.extended.value) != nil, "story for unknown extended code \(story.extended.value)")
            #expect(!story.steps.isEmpty && !story.story.isEmpty)
        }
    }
}

/// The first screen and the web's advice answered (docs/CATALOGUE-FORMAT.md, "A pair story").
@Suite("Catalogue lint: first screens and popular advice")
struct FirstScreenLintTests {
    let catalogue = TestCatalogue.shared

    func blank(_ text: String?) -> Bool {
        (text ?? "").trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
    }

    @Test("every pair story has a first screen: a short summary, up to three causes each with its check and source, a fix")
    func firstScreens() throws {
        for story in catalogue.pairStories {
            let key = "\(CodeNumber.hex(story.error.value))+\(CodeNumber.hex(story.extended.value))"
            let first = try #require(story.firstScreen, "\(key): no firstScreen")
            #expect(!blank(first.summary) && first.summary.count <= 400, "\(key): summary empty or longer than 400 characters")
            #expect((1...3).contains(first.likely.count), "\(key): \(first.likely.count) likely causes (1 to 3)")
            for cause in first.likely {
                #expect(!blank(cause.cause), "\(key): a cause without text")
                #expect(!blank(cause.tell), "\(key): '\(cause.cause)' has no check that tells it apart")
                #expect(!blank(cause.source), "\(key): '\(cause.cause)' has no source")
            }
            #expect(!blank(first.fix.client) || !blank(first.fix.server), "\(key): no first fix")
        }
    }

    @Test("every myth has its advice, when it helps, when it cannot and why, the check that tells which, a source")
    func mythsComplete() {
        for story in catalogue.pairStories {
            let key = "\(CodeNumber.hex(story.error.value))+\(CodeNumber.hex(story.extended.value))"
            for myth in story.myths ?? [] {
                #expect(!blank(myth.advice), "\(key): a myth without advice")
                #expect(!blank(myth.helps), "\(key): '\(myth.advice)' does not say when it helps")
                #expect(!blank(myth.cannotHelp) && myth.cannotHelp.count >= 40, "\(key): '\(myth.advice)' does not say when it cannot help, and why")
                #expect(!blank(myth.tell), "\(key): '\(myth.advice)' has no check that tells which")
                #expect(!blank(myth.source), "\(key): '\(myth.advice)' has no source")
            }
        }
    }

    @Test("0x904 + 0x7 answers the web's popular advice, with the sources that decide it")
    func commonestPairAnswersTheWeb() throws {
        let story = try #require(catalogue.pairStory(error: 0x904, extended: 0x7))
        let myths = try #require(story.myths)
        func myth(_ word: String) -> PairStory.Myth? { myths.first { $0.advice.lowercased().contains(word) } }
        for word in ["mslicensing", "certificate", "gpupdate", "termservice", "udp"] {
            #expect(myth(word) != nil, "no answer to the advice about \(word)")
        }
        let licensing = try #require(myth("mslicensing"))
        #expect(licensing.cannotHelp.contains("MCS"), "licensing comes after MCS")
        #expect(licensing.source.contains("MS-RDPBCGR"))
        #expect(licensing.helps.contains("0x100"), "names the licensing codes")
        let udp = try #require(myth("udp"))
        #expect(udp.source.contains("MS-RDPEMT 1.3") && udp.source.contains("MS-RDPBCGR 2.2.15.1"))
        #expect(udp.certainty == .documented)
    }
}
