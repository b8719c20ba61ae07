import Testing
import Catalogue
@testable import Explain

/// What `explain` answers for codes users report (issue 10): the ones with a
/// source have an entry; the ones without are read from their structure and
/// shown raw, never given a meaning no source supports.
@Suite("Explaining the codes users meet")
struct MetCodesExplainTests {
    let explainer = Explainer(catalogue: TestCatalogue.shared)

    func number(_ text: String) -> Explanation {
        explainer.explain(.number(WrittenNumber.parse(Substring(text))!))
    }

    @Test("0x3000046, 0x3000047 and 0x609 answer from their sourced entries", arguments: [
        ("0x3000046", "newclient:0x3000046"), ("0x3000047", "newclient:0x3000047"), ("0x609", "disconnect:0x609"),
    ])
    func sourcedEntries(code: String, key: String) throws {
        let reading = try #require(number(code).readings.first { $0.key == key }, "\(code) does not read as \(key)")
        #expect(reading.match == .exact)
        #expect(reading.entry?.certainty == .reported)
    }

    // No source ties 0x800706BE to a Remote Desktop cause beyond one report
    // without an answer (rzander/sccmclictr#206); it stays a structural reading.
    @Test("0x800706BE is read from its HRESULT shape (Win32 1726), not given an invented meaning")
    func rpcFailureIsStructural() throws {
        let readings = number("0x800706BE").readings
        #expect(!readings.contains { $0.match == .exact })
        let shape = try #require(readings.first { $0.match == .structure })
        #expect(shape.structure.contains { $0.contains("Win32") && $0.contains("1726") })
        #expect(shape.hex == "0x800706BE")
    }

    // "Error code: 0x4" is reported with Microsoft's clients (neutrinolabs/xrdp#3015, #1458;
    // stascorp/rdpwrap#1340, #571, #378) and no report names a cause. Every documented
    // disconnect class member has a sub-code (0x104, 0x204, ...), so a bare 0x4 is not read
    // as the network class: it is shown raw.
    @Test("0x4 as the dialog's error code is shown raw, not given the network class")
    func bareLowByteIsNotAClass() throws {
        let explanation = explainer.explain(.pair(error: WrittenNumber.parse("0x4")!, extended: WrittenNumber.parse("0x0")!))
        let error = try #require(explanation.readings.first { $0.role == .error })
        #expect(error.match == .unknown)
        #expect(error.layer == nil)
        // A sub-coded value still decodes to its class.
        let classed = try #require(explainer.explain(.pair(error: WrittenNumber.parse("0xA04")!, extended: nil)).readings.first)
        #expect(classed.match == .structure && classed.layer == .tcp)
    }
}
