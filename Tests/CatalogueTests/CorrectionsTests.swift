import Catalogue
import Testing

/// Corrections from issue 10 ("the translation must be true"), each pinned so
/// the wrong claim cannot come back. One test per correction; the comment
/// names the source the correction rests on.
@Suite("Catalogue corrections (issue 10)")
struct CorrectionsTests {
    let catalogue = TestCatalogue.shared

    func entry(_ key: String) throws -> CatalogueEntry {
        try #require(catalogue.entry(key: key)?.entry, "missing \(key)")
    }

    /// All prose of an entry, lower-cased, for "must not say" checks.
    func text(_ entry: CatalogueEntry) -> String {
        ([entry.summary, entry.meaning] + entry.causes + entry.confirm + entry.fixes.client + entry.fixes.server)
            .joined(separator: "\n").lowercased()
    }

    func setupCloseStory() throws -> PairStory {
        try #require(catalogue.pairStory(error: 0x904, extended: 0x7))
    }

    func culprits(_ story: PairStory, step: String) throws -> [String] {
        try #require(story.steps.first { $0.step.lowercased().contains(step) }, "no step \(step)").culprits
    }

    // 1. mstsc and ActiveX hosts show 0xD06 and 0x207 too (neutrinolabs/xrdp#3571,
    //    mRemoteNG#1891, mRemoteNG#29, 1Remote#108): they are disconnect codes, not
    //    codes "only the newer clients" show.
    @Test("1: 0xD06 and 0x207 live with the disconnect codes, cited from mstsc and ActiveX reports")
    func d06And207AreDisconnectCodes() throws {
        for value: UInt64 in [0xD06, 0x207] {
            #expect(catalogue.entry(.newclient, value) == nil, "\(value) is still filed as a newer-client-only code")
            let moved = try #require(catalogue.entry(.disconnect, value))
            #expect(moved.certainty == .reported, "not on Microsoft's list, so only reported")
            #expect(!text(moved).contains("only newer") && !text(moved).contains("only the newer"))
        }
        #expect(try entry("disconnect:0xD06").source.contains("xrdp#3571"))
        #expect(try entry("disconnect:0xD06").source.contains("1Remote#108"))
        #expect(try entry("disconnect:0x207").source.contains("mRemoteNG#29"))
        let family = try #require(catalogue.family(.newclient))
        #expect(!family.title.lowercased().contains("only"), "the family title still says 'only'")
    }

    // 2. macOS client notes 10.4.0: the race caused decryption errors on the server
    //    (errinfo 0x1192), not the client's 0xC06.
    @Test("2: the macOS 10.4.0 race is a server-side decrypt error, not 0xC06")
    func raceIsServerSide() throws {
        let c06 = try entry("disconnect:0xC06")
        #expect(!c06.causes.joined().lowercased().contains("race"))
        let server = try entry("errinfo:0x1192")
        #expect(server.causes.contains { $0.contains("10.4.0") && $0.lowercased().contains("race") })
        #expect(server.source.contains("10.4.0"))
    }

    // 3. macOS notes 10.6.4/10.6.5: the 825-day and EKU cases were client bugs; no
    //    note mentions the SAN or the serverAuth EKU.
    @Test("3: 0x907's 825-day and EKU cases are client bugs, not server fixes")
    func certificateCasesAreClientBugs() throws {
        let e907 = try entry("newclient:0x907")
        for fix in e907.fixes.server {
            #expect(!fix.contains("825"), "a server fix still asks for at most 825 days")
        }
        for cause in e907.causes where cause.contains("825") || cause.contains("EKU") {
            #expect(cause.contains("fixed"), "the 825-day/EKU case must read as a fixed client bug: \(cause)")
        }
        #expect(!e907.causes.joined().contains("Apple's TLS rules"))
        #expect(e907.meaning.contains("10.6.4") && e907.meaning.contains("10.6.5"))
    }

    // 4. FreeRDP commit c3a26b0d6 (2018) removed the last setter of
    //    ERRINFO_PEER_DISCONNECTED; current FreeRDP never sets it.
    @Test("4: errinfo 0x1196 does not claim FreeRDP prints it on network drops")
    func peerDisconnectedNotSet() throws {
        let e = try entry("errinfo:0x1196")
        let all = text(e)
        #expect(!all.contains("may print it"))
        #expect(!all.contains("print it when the network"))
        #expect(e.meaning.contains("2018"))
        #expect(e.source.contains("c3a26b0d6"))
    }

    // 5. Remote connections turned off give 0x204 (the catalogue's own 0x204 entry;
    //    the mstsc 0x204 dialog names remote access not being enabled).
    @Test("5: fDenyTSConnections is not a cause or fix of 0x904 / extended 0x7 / errinfo 0x7")
    func denyConnectionsIsNot904() throws {
        for key in ["disconnect:0x904", "extended:0x7", "errinfo:0x7", "freerdp:0x2000D"] {
            let e = try entry(key)
            for item in e.causes + e.confirm + e.fixes.client + e.fixes.server {
                #expect(!item.contains("fDenyTSConnections -Value 0"), "\(key) still fixes it by allowing remote connections")
                #expect(
                    !(item.contains("fDenyTSConnections = 1") && !item.contains("0x204") && !item.contains("0x20006")),
                    "\(key) lists turned-off remote connections as a cause: \(item)")
            }
        }
        let story = try setupCloseStory()
        for step in story.steps {
            for culprit in step.culprits {
                #expect(!culprit.contains("fDenyTSConnections"), "the story's \(step.step) step lists fDenyTSConnections")
            }
        }
        #expect(story.story.joined().contains("0x204"), "the story says where turned-off connections do show up")
        #expect(try entry("disconnect:0x204").causes.contains { $0.lowercased().contains("remote desktop is turned off") })
    }

    // 6. A missing logon right is refused after MCS with ERRINFO_SERVER_INSUFFICIENT_PRIVILEGES;
    //    the CVE-2018-0886 mismatch shows its own dialog (sspi 0x80090302).
    @Test("6: the story's CredSSP step does not blame a logon right or the CredSSP oracle for a silent close")
    func credsspStep() throws {
        for culprit in try culprits(try setupCloseStory(), step: "credssp") {
            let lower = culprit.lowercased()
            if lower.contains("logon right") || lower.contains("remote desktop users") {
                #expect(culprit.contains("INSUFFICIENT_PRIVILEGES"), "logon right named as a silent close: \(culprit)")
            }
            if culprit.contains("CVE-2018-0886") {
                #expect(
                    lower.contains("encryption oracle remediation") && lower.contains("authentication error"),
                    "the CredSSP mismatch named as a silent close: \(culprit)")
            }
        }
        #expect(try entry("errinfo:0x9").name == "ERRINFO_SERVER_INSUFFICIENT_PRIVILEGES")
    }

    // 7. MS-RDPEMT 1.3, MS-RDPBCGR 2.2.15.1: UDP is bootstrapped over the set-up,
    //    secured main connection, so it cannot close X.224, TLS or CredSSP.
    @Test("7: no 'turn UDP off to rule it out' for setup closes; UDP starts after the connection is secured")
    func udpComesAfterSetup() throws {
        for key in ["disconnect:0x904", "extended:0x7"] {
            let e = try entry(key)
            for fix in e.fixes.client + e.fixes.server {
                let lower = fix.lowercased()
                #expect(!(lower.contains("udp") && lower.contains("rule it out")), "\(key) still says to turn UDP off to rule it out")
            }
            let udp = try #require(e.fixes.client.first { $0.contains("UDP") }, "\(key) says nothing about UDP")
            #expect(udp.contains("secured") && udp.contains("after logon"), "\(key): when UDP can matter")
            #expect(e.source.contains("MS-RDPEMT 1.3"))
        }
        let e108 = try entry("disconnect:0x108")
        #expect(!e108.fixes.client.contains { $0.lowercased().contains("udp") && $0.lowercased().contains("rule it out") })
        #expect(!e108.causes.contains { $0.contains("waits for UDP before falling back") })
        let story = try setupCloseStory().story.joined().lowercased()
        #expect(story.contains("udp") && story.contains("secured"))
    }

    // 8. A stall until the client gives up is a time-out in the catalogue's own terms
    //    (0x108 / 0x704), not the close this pair reports.
    @Test("8: the MTU case is told as a time-out, not as this close")
    func mtuIsATimeout() throws {
        for culprit in try culprits(try setupCloseStory(), step: "tls") where culprit.contains("MTU") {
            #expect(culprit.contains("0x108"), "the MTU culprit must say what a stall shows: \(culprit)")
            #expect(!culprit.lowercased().contains("until the client gives up"))
        }
    }

    // 9. macOS client notes 10.2.0: an RD Gateway channel synchronization error produced 0x204.
    @Test("9: 0x204 is not 'never credentials or certificates / no RDP byte' without the gateway exception")
    func gatewayCan204() throws {
        let story = try #require(catalogue.pairStory(error: 0x204, extended: 0x0))
        let told = story.story.joined(separator: " ")
        #expect(!told.contains("never in credentials"))
        #expect(told.contains("Gateway") && told.contains("10.2.0"))
        let e204 = try entry("disconnect:0x204")
        #expect(e204.meaning.contains("Gateway") && e204.source.contains("10.2.0"))
    }

    // 10. Claims that rest on field reports or inference say so (tp4a/teleport#301 for
    //     the client filling in extended 7).
    @Test("10: inferred claims are marked inferred and say why")
    func inferredClaims() throws {
        let x7 = try entry("extended:0x7")
        #expect(x7.certainty == .inferred)
        #expect(x7.meaning.contains("inferred") && x7.meaning.contains("teleport#301"))
        #expect(x7.source.contains("teleport#301"))
        #expect(try entry("errinfo:0x7").meaning.contains("inferred"))
        #expect(try setupCloseStory().story.joined().contains("inferred"))

        let x8 = try entry("extended:0x8")
        #expect(x8.certainty == .inferred)
        #expect(x8.meaning.contains("inferred"))

        #expect(try entry("newclient:0x3000064").meaning.contains("inferred"))
        #expect(try entry("newclient:0x1107").meaning.contains("inferred"))
        #expect(try entry("negfailure:2").meaning.contains("inferred"))
        #expect(!(try entry("negfailure:2").meaning.contains("normally retries")))
        #expect(try entry("negfailure:6").meaning.contains("inferred"))
    }

    // 11. stascorp/rdpwrap#363: mstsc reported 0x1104 as "a protocol error detected at
    //     the client", so the 0x1000-0x7FFF range is not always the server's code.
    @Test("11: the extended protocol range may be the client's own finding")
    func protocolRangeMayBeClient() throws {
        let family = try #require(catalogue.family(.extended))
        let range = try #require(family.ranges.first { $0.contains(0x1000) && $0.contains(0x7FFF) })
        #expect(!range.meaning.contains("usually equals"))
        #expect(range.meaning.contains("0x1104") && range.meaning.contains("client"))
        let start = try entry("extended:0x1000")
        #expect(start.meaning.contains("0x1104") && start.source.contains("rdpwrap#363"))
    }
}

/// Codes users meet that had no entry, each with its field source.
@Suite("Codes users meet")
struct MetCodesTests {
    let catalogue = TestCatalogue.shared

    @Test("0x708 (console session in progress) has a reported entry with its source")
    func consoleSession() throws {
        let e = try #require(catalogue.entry(.disconnect, 0x708))
        #expect(e.certainty == .reported)
        #expect(e.source.contains("rdpwrap#4289"))
        #expect(e.meaning.lowercased().contains("console session"))
    }
}
