import Catalogue
import Diagnosis
import ProbeCore
import Testing

/// Every code a finding or a verdict names must be a key of the shipped
/// catalogue, or the report would point at an explanation that does not exist.
/// (`Scenario.diagnose()` checks this for every report any test makes; this
/// suite holds the named scenarios together and checks the check itself.)
@Suite struct CatalogueCodeTests {
    @Test func theShippedCatalogueLoads() {
        #expect(ShippedCatalogue.shared.entryCount > 100)
    }

    @Test func everyCodeOfEveryScenarioResolves() async {
        var seen: Set<CatalogueKey> = []
        for (name, scenario) in Scenarios.all {
            let report = await Diagnoser.diagnose(scenario.observations, context: scenario.context)
            for key in ShippedCatalogue.keys(in: report) {
                seen.insert(key)
                #expect(ShippedCatalogue.shared.entry(key) != nil, "\(name): \(key) is not in the catalogue")
            }
        }
        // The scenarios exercise every code family the rules name.
        let families = Set(seen.map(\.family.rawValue))
        #expect(families == ["disconnect", "extended", "negfailure", "sspi", "ntstatus", "license", "licensestate", "errinfo"])
        // And these keys in particular.
        for key in [
            "disconnect:0x104", "disconnect:0x204", "disconnect:0x108", "disconnect:0x904", "extended:0x7",
            "disconnect:0x808", "license:0x2", "license:0x7", "licensestate:0x2", "errinfo:0x7",
            "negfailure:1", "negfailure:2", "negfailure:5", "ntstatus:0xC00000BB", "ntstatus:0xC0000133",
            "sspi:0x80090324", "sspi:0x80090302", "sspi:0x80090325", "sspi:0x80090328", "sspi:0x80090322",
            "disconnect:0x1B07", "disconnect:0x704", "disconnect:0x208",
        ] as [CatalogueKey] {
            #expect(seen.contains(key), "no scenario produced \(key)")
        }
    }

    @Test func theCheckRejectsAKeyThatIsNotThere() {
        let catalogue = ShippedCatalogue.shared
        #expect(catalogue.entry(key: "errinfo:0x7") != nil)
        #expect(catalogue.entry(key: "negfailure:5") != nil)
        #expect(catalogue.entry(key: "errinfo:0x7FFFFFF0") == nil)
        #expect(catalogue.entry(key: "nosuchfamily:0x7") == nil)
        #expect(catalogue.entry(key: "license:not-a-number") == nil)
    }
}
