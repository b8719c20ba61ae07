import Catalogue
import Testing

/// Codes users meet that had no entry (issue 10, "codes people meet"), and the
/// corrections the catalogue audit (docs/CATALOGUE-AUDIT.md) found. Each test
/// names the source its entry rests on, so the entry cannot lose it.
@Suite("Codes users meet, and the audit's corrections")
struct NewCodesTests {
    let catalogue = TestCatalogue.shared

    func entry(_ key: String) throws -> CatalogueEntry {
        try #require(catalogue.entry(key: key)?.entry, "missing \(key)")
    }

    // MicrosoftDocs/azure-docs#60645 and #60594 (the dialog with the code);
    // the AZ-140 lab (the same message for a direct-assignment pool).
    @Test("0x3000046: Azure Virtual Desktop's 'no available resources', reported, with its sources")
    func noAvailableResources() throws {
        let e = try entry("newclient:0x3000046")
        #expect(e.certainty == .reported)
        #expect(e.layer == .broker)
        #expect(e.meaning.contains("no available resources"))
        #expect(e.meaning.contains("inferred"), "the broker reading is an inference and says so")
        #expect(e.source.contains("azure-docs#60645") && e.source.contains("#60594"))
        #expect(e.source.contains("AZ-140"))
        #expect(e.causes.first?.lowercased().contains("direct assignment") == true)
        #expect(e.fixes.server.contains { $0.contains("-AssignedUser") })
    }

    // MicrosoftDocs/azure-docs#55687: the only public report; it names no cause.
    @Test("0x3000047: reported with its dialog; does not claim a cause no source gives")
    func errorAccessingResource() throws {
        let e = try entry("newclient:0x3000047")
        #expect(e.certainty == .reported)
        #expect(e.source.contains("azure-docs#55687"))
        #expect(e.meaning.contains("An error occurred while accessing this resource"))
        #expect(e.causes.first?.hasPrefix("Not known") == true)
        #expect(e.related.contains(CatalogueKey(.newclient, 0x3000046)))
    }

    // Devolutions/devolutions-gateway devolutions-gateway/src/rdp_proxy.rs.
    @Test("0x609: mstsc's authentication error when a proxy rewrote the requested protocols")
    func proxyRewroteProtocols() throws {
        let e = try entry("disconnect:0x609")
        #expect(e.certainty == .reported)
        #expect(e.source.contains("Devolutions/devolutions-gateway") && e.source.contains("rdp_proxy.rs"))
        #expect(e.meaning.contains("inferred"), "the clientRequestedProtocols reason is an inference")
        #expect(e.check == .negotiation)
        // Not on Microsoft's list, so the documented count stays 47.
        let family = try #require(catalogue.family(.disconnect))
        #expect(family.entries.filter { $0.certainty == .documented }.count == 47)
    }

    // The ExtendedDisconnectReasonCode page lists exDiscReasonLogoffByUser = 2;
    // 12 comes from ERRINFO_LOGOFF_BY_USER (MS-RDPBCGR 2.2.5.1.1).
    @Test("extended 0xC: the value 12 is inferred from ERRINFO_LOGOFF_BY_USER, not documented")
    func logoffByUserValueIsInferred() throws {
        let e = try entry("extended:0xC")
        #expect(e.name == "exDiscReasonLogoffByUser")
        #expect(e.certainty == .inferred)
        #expect(e.meaning.contains("inferred"))
        #expect(e.source.contains("MS-RDPBCGR 2.2.5.1.1"))
        #expect(try entry("errinfo:0xC").name == "ERRINFO_LOGOFF_BY_USER")
    }

    // Task 2 of the audit: the 0x204 first screen cited itself ("disconnect:0x204 and
    // the pair story's name-and-address step") and a firewall rule group, not a document.
    @Test("0x204 first screen: every cause cites a document, and the DNS cause says it is inferred")
    func firstScreen204Sources() throws {
        let story = try #require(catalogue.pairStory(error: 0x204, extended: 0x0))
        let first = try #require(story.firstScreen)
        for cause in first.likely {
            #expect(!cause.source.hasPrefix("disconnect:"), "cites the catalogue itself: \(cause.source)")
            #expect(!cause.source.contains("pair story"), "cites the catalogue itself: \(cause.source)")
            #expect(cause.source.contains("OnDisconnected"), "ties the cause to what 0x204 means")
        }
        let firewall = try #require(first.likely.first { $0.cause.lowercased().contains("firewall") })
        #expect(firewall.source.contains("General Remote Desktop connection troubleshooting"))
        let dns = try #require(first.likely.first { $0.cause.contains("DNS") })
        #expect(dns.certainty == .inferred)
        #expect(dns.source.hasPrefix("Inferred"))
    }

    // neutrinolabs/xrdp#3884: mstsc shows 0xD06 when an xrdp session is logged off,
    // not only during setup (#3571, #3128).
    @Test("0xD06 against xrdp: during setup and at logoff, each with its report")
    func protocolErrorAtLogoff() throws {
        let e = try entry("disconnect:0xD06")
        #expect(e.certainty == .reported)
        #expect(e.source.contains("#3884") && e.source.contains("xrdp#3571"))
        #expect(e.causes.contains { $0.contains("logoff") && $0.contains("xrdp#3884") && $0.contains("ERRINFO_LOGOFF_BY_USER") })
    }

    // macOS client release notes, version 10.2.4 (December 18, 2018): "a 0x30000069 Remote
    // Desktop Gateway error due to security protocol fallback issues".
    @Test("0x30000069: the Mac client's RD Gateway security-protocol fallback error, reported, with its release note")
    func gatewayFallback() throws {
        let e = try entry("newclient:0x30000069")
        #expect(e.certainty == .reported)
        #expect(e.layer == .gateway)
        #expect(e.source.contains("include-whats-new-client-macos.md") && e.source.contains("10.2.4"))
        #expect(e.meaning.contains("security protocol fallback"))
        #expect(e.meaning.contains("inferred"), "which protocol fell back is an inference")
    }

    // macOS client release notes, version 10.2.12 (April 16, 2019): random 0x904 disconnects
    // through an RD Gateway, a client bug.
    @Test("0x904 names the Mac client's RD Gateway bug among its causes, with the release note")
    func gateway904() throws {
        let e = try entry("disconnect:0x904")
        #expect(e.causes.contains { $0.contains("RD Gateway") && $0.contains("10.2.12") })
        #expect(e.source.contains("10.2.12"))
    }

    // Android client release notes, version 10.0.8 (December 4, 2020), fix 0x5000007 too.
    @Test("0x5000007 cites the Android notes beside macOS and iOS")
    func gateway5000007OnAndroid() throws {
        let e = try entry("newclient:0x5000007")
        #expect(e.source.contains("include-whats-new-client-android-chrome-os.md") && e.source.contains("10.0.8"))
        #expect(e.causes.first?.contains("Android 10.0.8") == true)
    }

    // The service's connection error names (MicrosoftDocs/azure-docs
    // articles/virtual-desktop/diagnostics-role-service.md) are where an administrator
    // reads what stands behind either dialog; the link to a name is an inference.
    @Test("0x3000046 and 0x3000047 point at the service's connection error names, marked as inference where they link them")
    func brokerErrorNames() throws {
        for key in ["newclient:0x3000046", "newclient:0x3000047"] {
            let e = try entry(key)
            #expect(e.source.contains("diagnostics-role-service.md"), "\(key) does not cite the diagnostics page")
            #expect(e.confirm.contains { $0.contains("CodeSymbolic") || $0.contains("ConnectionFailed") })
        }
        let e46 = try entry("newclient:0x3000046")
        let names = try #require(e46.confirm.first { $0.contains("ConnectionFailedNoHealthyRdshAvailable") })
        #expect(names.contains("inferred"))
    }
}
