import Foundation
import ProbeCore
import Testing

@testable import Diagnosis

/// The lint rules on .rdp files written here, as mstsc writes them (UTF-16LE,
/// a byte-order mark, CR LF) unless a test says otherwise.
@Suite("RDPFileLinter")
struct RDPFileLintTests {
    static func mstscBytes(_ lines: [String]) -> [UInt8] {
        [0xFF, 0xFE] + (lines.joined(separator: "\r\n") + "\r\n").utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
    }

    static func lint(_ lines: [String]) throws -> RDPFileLintReport {
        RDPFileLinter.lint(try RDPFile.lines(mstscBytes(lines)))
    }

    static func only(
        _ report: RDPFileLintReport, _ id: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> RDPFileFinding {
        let matches = report.findings.filter { $0.id == id }
        #expect(matches.count == 1, "\(id): \(report.findings.map(\.id))", sourceLocation: sourceLocation)
        return try #require(matches.first, sourceLocation: sourceLocation)
    }

    static let clean = [
        "screen mode id:i:2",
        "full address:s:rds.example.test",
        "server port:i:3389",
        "authentication level:i:2",
        "enablecredsspsupport:i:1",
        "gatewayusagemethod:i:4",
        "gatewayprofileusagemethod:i:0",
        "gatewayhostname:s:",
        "username:s:EXAMPLE\\alice",
        "redirectclipboard:i:1",
    ]

    @Test("a clean file has no findings and exit status 0")
    func cleanFile() throws {
        let report = try Self.lint(Self.clean)
        #expect(report.findings.isEmpty, "\(report.findings.map(\.id))")
        #expect(report.settingCount == Self.clean.count)
        #expect(report.exitStatus == 0)
    }

    @Test(
        "a misspelled name gets the nearest known name and the line to write",
        arguments: [
            ("authentification level:i:2", "authentication level", "authentication level:i:2"),
            ("fulladdress:s:rds.example.test", "full address", "full address:s:rds.example.test"),
            ("server_port:i:3390", "server port", "server port:i:3390"),
            ("enablecredsupport:i:0", "enablecredsspsupport", "enablecredsspsupport:i:0"),
            ("gatewayhostnme:s:gw.example.test", "gatewayhostname", "gatewayhostname:s:gw.example.test"),
            ("redirectclipbaord:i:0", "redirectclipboard", "redirectclipboard:i:0"),
        ])
    func misspelled(line: String, suggestion: String, fix: String) throws {
        let report = try Self.lint(["full address:s:rds.example.test", line])
        let finding = try Self.only(report, "rdpfile.misspelled-key")
        #expect(finding.level == .warn)
        #expect(finding.line == 2)
        #expect(finding.title.contains("`\(suggestion)`"))
        #expect(finding.fixes == ["write `\(fix)`"])
        #expect(report.exitStatus == 1)
    }

    @Test("a name far from every known one is reported as unknown, for information")
    func unknownName() throws {
        let report = try Self.lint(["full address:s:rds.example.test", "x-vendor-frobnicate:i:1"])
        let finding = try Self.only(report, "rdpfile.unknown-key")
        #expect(finding.level == .info)
        #expect(finding.setting == "x-vendor-frobnicate")
        #expect(report.exitStatus == 0)
    }

    @Test("names are compared without regard to case; signed files' lines are known")
    func caseAndSignature() throws {
        let report = try Self.lint([
            "Full Address:s:rds.example.test", "SERVER PORT:i:3389",
            "signscope:s:Full Address,Server Port", "signature:s:AQABAAEAAAA=",
        ])
        #expect(report.findings.isEmpty, "\(report.findings.map(\.id))")
    }

    @Test("an integer setting written as a string: wrong type, and the setting does not count")
    func wrongType() throws {
        let report = try Self.lint(["full address:s:rds.example.test", "server port:s:3390"])
        let finding = try Self.only(report, "rdpfile.wrong-type")
        #expect(finding.level == .warn)
        #expect(finding.fixes == ["write `server port:i:3390`"])
        #expect(finding.title.contains("integer"))
        // Not read as a port, so it cannot disagree with the address.
        #expect(!report.findings.contains { $0.id == "rdpfile.port-mismatch" })
    }

    @Test("a string setting written as an integer")
    func stringAsInteger() throws {
        let report = try Self.lint(["full address:i:7"])
        #expect(try Self.only(report, "rdpfile.wrong-type").fixes == ["write `full address:s:7`"])
        // The line does not set the address, so the file has none.
        #expect(try Self.only(report, "rdpfile.no-address").level == .fail)
        #expect(report.exitStatus == 2)
    }

    @Test("a non-numeric integer, a value outside the documented ones, an unknown type letter")
    func values() throws {
        let report = try Self.lint([
            "full address:s:rds.example.test",
            "authentication level:i:two",
            "screen mode id:i:3",
            "desktopwidth:i:100",
            "redirectprinters:x:1",
        ])
        let notNumber = try Self.only(report, "rdpfile.not-a-number")
        #expect(notNumber.line == 2)
        #expect(notNumber.fixes.first?.contains("`authentication level:i:0`") == true)
        #expect(notNumber.fixes.first?.contains("0, 1, 2, 3") == true)
        let ranges = report.findings.filter { $0.id == "rdpfile.value-out-of-range" }
        #expect(ranges.map(\.setting) == ["screen mode id", "desktopwidth"])
        #expect(ranges.last?.detail.contains("200 to 8192") == true)
        #expect(try Self.only(report, "rdpfile.unknown-type").fixes == ["write `redirectprinters:i:1`"])
        #expect(report.exitStatus == 1)
    }

    @Test("a line that is not a setting, and a setting given twice")
    func syntax() throws {
        let report = try Self.lint([
            "full address:s:rds.example.test",
            "this is not a setting",
            "redirectclipboard:i:1",
            "redirectclipboard:i:0",
            "use multimon:i:1",
            "use multimon:i:1",
        ])
        #expect(try Self.only(report, "rdpfile.malformed-line").line == 2)
        let duplicates = report.findings.filter { $0.id == "rdpfile.duplicate-key" }
        #expect(duplicates.map(\.level) == [.warn, .info])
        #expect(duplicates.map(\.line) == [4, 6])
    }

    @Test(
        "no full address is a failure; an unreadable one too",
        arguments: [
            (["server port:i:3389"], "rdpfile.no-address"),
            (["full address:s:"], "rdpfile.no-address"),
            (["full address:s:[::1"], "rdpfile.bad-address"),
        ])
    func address(lines: [String], id: String) throws {
        let report = try Self.lint(lines)
        let finding = try Self.only(report, id)
        #expect(finding.level == .fail)
        #expect(finding.fixes.first?.contains("full address:s:") == true)
        #expect(report.exitStatus == 2)
    }

    @Test("alternate full address is named in the fix when full address is missing")
    func alternateAddress() throws {
        let report = try Self.lint(["alternate full address:s:rds2.example.test"])
        #expect(try Self.only(report, "rdpfile.no-address").fixes == ["write `full address:s:rds2.example.test`"])
    }

    @Test(
        "a port in full address that disagrees with server port",
        arguments: [
            ("rds.example.test:3390", "rds.example.test"),
            ("[2001:db8::5]:3390", "[2001:db8::5]"),
        ])
    func portMismatch(address: String, host: String) throws {
        let report = try Self.lint(["full address:s:\(address)", "server port:i:3391"])
        let finding = try Self.only(report, "rdpfile.port-mismatch")
        #expect(finding.level == .warn)
        #expect(finding.line == 2)
        #expect(finding.fixes.count == 2)
        #expect(finding.fixes[0].contains("`server port:i:3390`"))
        #expect(finding.fixes[1].contains("`full address:s:\(host):3391`"))
    }

    @Test(
        "no disagreement: the same port, no port in the address, or a bare IPv6 address",
        arguments: [
            ["full address:s:rds.example.test:3390", "server port:i:3390"],
            ["full address:s:rds.example.test", "server port:i:3391"],
            ["full address:s:2001:db8::5", "server port:i:3391"],
            ["full address:s:[2001:db8::5]", "server port:i:3391"],
        ])
    func portAgreement(lines: [String]) throws {
        let report = try Self.lint(lines)
        #expect(report.findings.isEmpty, "\(report.findings.map(\.id))")
    }

    @Test("CredSSP off; with server authentication asked for, the contradiction too")
    func credSSP() throws {
        let off = try Self.lint(["full address:s:rds.example.test", "enablecredsspsupport:i:0", "authentication level:i:0"])
        #expect(try Self.only(off, "rdpfile.credssp-off").fixes == ["write `enablecredsspsupport:i:1`"])
        #expect(!off.findings.contains { $0.id == "rdpfile.credssp-off-server-auth" })

        let contradiction = try Self.lint(["full address:s:rds.example.test", "enablecredsspsupport:i:0", "authentication level:i:2"])
        let finding = try Self.only(contradiction, "rdpfile.credssp-off-server-auth")
        #expect(finding.level == .warn)
        #expect(finding.line == 3)
        #expect(finding.fixes.first == "write `enablecredsspsupport:i:1`")
        #expect(contradiction.exitStatus == 1)
    }

    @Test(
        "a gateway asked for without a gateway host",
        arguments: [
            (1, 1, Finding.Level.fail),
            (1, 0, .warn),
            (2, 1, .info),
        ])
    func gatewayWithoutHost(usage: Int, profile: Int, level: Finding.Level) throws {
        let report = try Self.lint([
            "full address:s:rds.example.test", "gatewayusagemethod:i:\(usage)",
            "gatewayprofileusagemethod:i:\(profile)", "gatewayhostname:s:",
        ])
        let finding = try Self.only(report, "rdpfile.gateway-without-host")
        #expect(finding.level == level)
        #expect(finding.fixes.contains { $0.contains("`gatewayhostname:s:GATEWAY`") })
        #expect(finding.fixes.contains { $0.contains("`gatewayusagemethod:i:4`") })
    }

    @Test("a gateway named but not used; a gateway named and used is clean")
    func gatewayUnused() throws {
        let unused = try Self.lint(["full address:s:rds.example.test", "gatewayusagemethod:i:0", "gatewayhostname:s:gw.example.test"])
        #expect(try Self.only(unused, "rdpfile.gateway-unused").level == .info)
        let used = try Self.lint([
            "full address:s:rds.example.test", "gatewayusagemethod:i:1",
            "gatewayprofileusagemethod:i:1", "gatewayhostname:s:gw.example.test",
        ])
        #expect(used.findings.isEmpty, "\(used.findings.map(\.id))")
    }

    @Test("Entra ID: both properties set; an AzureAD\\ account without either")
    func entra() throws {
        let both = try Self.lint(["full address:s:vm.example.test", "enablerdsaadauth:i:1", "targetisaadjoined:i:1"])
        let finding = try Self.only(both, "rdpfile.entra-both")
        #expect(finding.fixes == ["delete line 3 (`targetisaadjoined:i:1`)"])

        let missing = try Self.lint(["full address:s:vm.example.test", "username:s:AzureAD\\alice@example.test"])
        let account = try Self.only(missing, "rdpfile.entra-target-without-auth")
        #expect(account.level == .warn)
        #expect(account.fixes.first == "write `enablerdsaadauth:i:1`")

        for flag in ["enablerdsaadauth:i:1", "targetisaadjoined:i:1"] {
            let fine = try Self.lint(["full address:s:vm.example.test", "username:s:AzureAD\\alice@example.test", flag])
            #expect(fine.findings.isEmpty, "\(flag): \(fine.findings.map(\.id))")
        }
    }

    @Test("settings the Windows App on macOS ignores are noted with their source, only when they do something")
    func macOS() throws {
        let report = try Self.lint([
            "full address:s:rds.example.test",
            "use multimon:i:1",
            "selectedmonitors:s:0,1",
            "maximizetocurrentdisplays:i:1",
            "singlemoninwindowedmode:i:0",
            "keyboardhook:i:2",
            "usbdevicestoredirect:s:*",
            "devicestoredirect:s:",
        ])
        let notes = report.findings.filter { $0.id == "rdpfile.macos-ignored" }
        #expect(Set(notes.compactMap(\.setting)) == ["selectedmonitors", "maximizetocurrentdisplays", "usbdevicestoredirect"])
        #expect(notes.allSatisfy { $0.level == .info && $0.detail.contains("learn.microsoft.com") })
        #expect(report.exitStatus == 0)
        let remoteAppKeys = try Self.lint(["full address:s:rds.example.test", "keyboardhook:i:3"])
        #expect(try Self.only(remoteAppKeys, "rdpfile.macos-ignored").setting == "keyboardhook")
    }

    @Test("findings come grouped by topic, in the topics' order")
    func order() throws {
        let report = try Self.lint(["gatewayusagemethod:i:1", "gatewayprofileusagemethod:i:1", "bogus line", "selectedmonitors:s:0"])
        let topics = report.findings.map(\.topic)
        let order = RDPFileFinding.Topic.allCases
        #expect(topics == topics.sorted { order.firstIndex(of: $0)! < order.firstIndex(of: $1)! })
        #expect(
            Set(report.findings.map(\.id)) == [
                "rdpfile.malformed-line", "rdpfile.no-address",
                "rdpfile.gateway-without-host", "rdpfile.macos-ignored",
            ])
    }

    @Test("many bad lines: the findings are capped and the rest summed up")
    func cap() throws {
        let lines = ["full address:s:rds.example.test"] + (0..<500).map { "junk line \($0)" }
        let report = try Self.lint(lines)
        #expect(report.findings.filter { $0.id == "rdpfile.malformed-line" }.count == RDPFileLinter.maximumLineFindings)
        #expect(report.findings.contains { $0.id == "rdpfile.more-findings" })
    }

    @Test("the spelling suggestion stays within its bounds")
    func nearest() {
        #expect(RDPFileLinter.nearestKnownName("desktopwidht") == "desktopwidth")
        #expect(RDPFileLinter.nearestKnownName("Audio Mode") == "audiomode")
        #expect(RDPFileLinter.nearestKnownName("zzzzzzzz") == nil)
        #expect(RDPFileLinter.nearestKnownName(String(repeating: "a", count: 10_000)) == nil)
    }

    @Test("the banded edit distance agrees with the whole table wherever the answer is within the limit")
    func bandedDistance() {
        // The textbook Levenshtein table, every cell.
        func full(_ a: [UInt8], _ b: [UInt8]) -> Int {
            var previous = Array(0...b.count)
            for i in a.indices {
                var current = [i + 1] + [Int](repeating: 0, count: b.count)
                for j in b.indices {
                    current[j + 1] = min(previous[j + 1] + 1, current[j] + 1, previous[j] + (a[i] == b[j] ? 0 : 1))
                }
                previous = current
            }
            return previous[b.count]
        }
        var random = SystemRandomNumberGenerator()
        for _ in 0..<3_000 {
            let a = (0..<Int.random(in: 0...9, using: &random)).map { _ in UInt8.random(in: 97...99, using: &random) }
            let b = (0..<Int.random(in: 0...9, using: &random)).map { _ in UInt8.random(in: 97...99, using: &random) }
            let limit = Int.random(in: 1...3, using: &random)
            let expected = full(a, b)
            #expect(RDPFileLinter.editDistance(a, b, limit: limit) == min(expected, limit + 1), "\(a) \(b) limit \(limit)")
        }
        #expect(RDPFileLinter.nearestKnownName("désktopwidth") == "desktopwidth")
    }

    @Test("the table of facts: lower-case names, each once, integer values only for integers")
    func facts() {
        let names = RDPSettingFacts.all.map(\.name)
        #expect(Set(names).count == names.count)
        #expect(names.allSatisfy { $0 == $0.lowercased() && !$0.contains(":") })
        for fact in RDPSettingFacts.all where fact.type != .integer {
            #expect(fact.values == .any, "\(fact.name)")
        }
        for fact in RDPSettingFacts.all where fact.macOS != nil {
            #expect(fact.macOS?.source == .microsoftRDPProperties, "\(fact.name)")
        }
    }

    /// The real file mstsc saved (Windows 7 RemoteApp), when the shared captures are present.
    @Test("a real .rdp file saved by mstsc (optional data)")
    func realFile() throws {
        guard let data = FileManager.default.contents(atPath: "/work/shared/captures/windows/firefox.rdp") else { return }
        let report = RDPFileLinter.lint(try RDPFile.lines(Array(data)))
        #expect(report.settingCount == 26)
        // Every name in it is one the table knows.
        #expect(!report.findings.contains { $0.id.hasPrefix("rdpfile.unknown") || $0.id == "rdpfile.misspelled-key" })
        // gatewayusagemethod:i:2 with an empty gatewayhostname: nothing to fall back to.
        #expect(report.findings.first { $0.id == "rdpfile.gateway-without-host" }?.level == .info)
        // devicestoredirect:s:* is Windows-only.
        #expect(report.findings.contains { $0.id == "rdpfile.macos-ignored" && $0.setting == "devicestoredirect" })
        #expect(report.exitStatus == 0)
    }
}
