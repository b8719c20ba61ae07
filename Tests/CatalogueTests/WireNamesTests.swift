import Catalogue
import Testing

/// wirenames.json: the words for values a server selects or announces.
@Suite("wire names")
struct WireNamesTests {
    let catalogue: Catalogue

    init() throws { catalogue = try Catalogue.shipped() }

    @Test("every table loads", arguments: WireTable.allCases)
    func tableLoads(_ table: WireTable) {
        #expect(catalogue.wireNameCount(table) >= 2, "\(table.rawValue) has \(catalogue.wireNameCount(table)) names")
    }

    @Test("values read as the specification writes them")
    func knownValues() {
        #expect(catalogue.wireName(.securityProtocol, 0) == "standard RDP security")
        #expect(catalogue.wireName(.securityProtocol, 0x2) == "CredSSP (NLA)")
        #expect(catalogue.wireName(.encryptionMethod, 0x10) == "FIPS (3DES)")
        #expect(catalogue.wireName(.encryptionLevel, 3) == "high")
        #expect(catalogue.wireName(.rdpVersion, 0x0008_0004)?.hasPrefix("RDP 5.0 to 8.1") == true)
        #expect(catalogue.wireName(.osMajor, 4) == "UNIX")
        #expect(catalogue.wireName(.negotiationFlag, 0x1) == "extended client data supported")
    }

    @Test("an unknown value has no name (callers show the number)")
    func unknownValue() {
        #expect(catalogue.wireName(.securityProtocol, 0x40) == nil)
        #expect(catalogue.wireName(.rdpVersion, 0x0009_0000) == nil)
    }
}
