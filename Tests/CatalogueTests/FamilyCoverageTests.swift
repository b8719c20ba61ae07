import Catalogue
import Testing

/// Each family is complete (sizes from docs/CATALOGUE-FORMAT.md's sources) and
/// a few numbers and names are pinned against the specifications.
@Suite("Family coverage")
struct FamilyCoverageTests {
    let catalogue = TestCatalogue.shared

    func count(_ family: FamilyID) -> Int { catalogue.family(family)?.entries.count ?? 0 }

    @Test("client disconnect reasons: all 47 documented, in the documented structure")
    func disconnectReasons() throws {
        let family = try #require(catalogue.family(.disconnect))
        let documented = family.entries.filter { $0.certainty == .documented }
        #expect(documented.count == 47)
        #expect(documented.filter { $0.name.hasPrefix("SSL_ERR_") }.count == 15)
        #expect(documented.filter { $0.name.hasPrefix("disconnectReason") }.count == 32)
        #expect(catalogue.entry(.disconnect, 0x904)?.name == "disconnectReasonAtClientWinsockFDCLOSE")
        #expect(catalogue.entry(.disconnect, 0x807)?.name == "SSL_ERR_LOGON_FAILURE")
        let classBytes = Set(family.classes.map(\.lowByte.value))
        #expect(classBytes.isSuperset(of: [0x04, 0x06, 0x07, 0x08]))
    }

    @Test("extended disconnect reasons: 28 names and the protocol range")
    func extendedReasons() throws {
        let family = try #require(catalogue.family(.extended))
        #expect(family.entries.count >= 28)
        #expect(catalogue.entry(.extended, 0x7)?.name == "exDiscReasonServerDeniedConnection")
        #expect(catalogue.entry(.extended, 0xC)?.name == "exDiscReasonLogoffByUser")
        #expect(family.ranges.contains { $0.contains(0x1000) && $0.contains(0x7FFF) })
    }

    @Test("server error info: about 120 codes in all four ranges")
    func serverErrorInfo() throws {
        let family = try #require(catalogue.family(.errinfo))
        #expect(family.entries.count >= 110)
        let values = family.entries.map(\.code.value)
        #expect(values.contains { $0 <= 0x1A && $0 > 0 })
        #expect(values.contains { (0x100...0x10A).contains($0) })
        #expect(values.contains { (0x400...0x412).contains($0) })
        #expect(values.filter { (0x10C9...0x1196).contains($0) }.count >= 50)
        #expect(catalogue.entry(.errinfo, 0x7)?.name == "ERRINFO_SERVER_DENIED_CONNECTION")
        #expect(catalogue.entry(.errinfo, 0x10C9)?.name == "ERRINFO_UNKNOWNPDUTYPE2")
    }

    @Test("negotiation failures: all 6")
    func negotiationFailures() {
        #expect(count(.negfailure) == 6)
        #expect(catalogue.entry(.negfailure, 5)?.name == "HYBRID_REQUIRED_BY_SERVER")
        #expect(catalogue.entry(.negfailure, 2)?.name == "SSL_NOT_ALLOWED_BY_SERVER")
    }

    @Test("licensing: 9 error codes, 4 state transitions; valid client is success")
    func licensing() throws {
        #expect(count(.license) == 9)
        #expect(count(.licensestate) == 4)
        let valid = try #require(catalogue.entry(.license, 0x7))
        #expect(valid.name == "STATUS_VALID_CLIENT")
        #expect(
            valid.meaning.lowercased().contains("success") || valid.summary.lowercased().contains("success")
                || valid.summary.lowercased().contains("not an error"))
    }

    @Test("CredSSP NTSTATUS and SSPI codes")
    func credentials() {
        #expect(count(.ntstatus) >= 15)
        #expect(count(.sspi) >= 13)
        #expect(catalogue.entry(.ntstatus, 0xC000006D)?.name == "STATUS_LOGON_FAILURE")
        #expect(catalogue.entry(.ntstatus, 0xC0000234)?.name == "STATUS_ACCOUNT_LOCKED_OUT")
        #expect(catalogue.entry(.sspi, 0x8009030C)?.name == "SEC_E_LOGON_DENIED")
    }

    @Test("RD Gateway codes in both the HRESULT and the bare form")
    func gateway() throws {
        #expect(count(.gateway) >= 18)
        let rap = try #require(catalogue.entry(.gateway, 0x800759DA))
        #expect(rap.name == "E_PROXY_RAP_ACCESSDENIED")
        #expect(catalogue.entry(.gateway, 0x59DA)?.name == "E_PROXY_RAP_ACCESSDENIED")
    }

    @Test("newer clients' codes are marked with how certain they are")
    func newerClients() throws {
        let family = try #require(catalogue.family(.newclient))
        for value: UInt64 in [0x907, 0x1107, 0x2407, 0x3000064] {
            let entry = try #require(catalogue.entry(.newclient, value), "missing newclient \(value)")
            #expect(entry.certainty != .documented, "\(value) is only reported, not documented")
        }
        #expect(catalogue.entry(.newclient, 0x30000064) != nil, "the 0x30000064 spelling")
        #expect(family.entries.count >= 9)
    }
}
