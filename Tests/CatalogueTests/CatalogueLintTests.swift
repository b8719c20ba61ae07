import Testing
import Catalogue
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
                    #expect(catalogue.entry(key: key) != nil, "\(family.key(for: entry.code.value)) relates to unknown \(key)")
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
