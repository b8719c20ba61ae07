import Catalogue
import Testing

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

    @Test(
        "0x3000046, 0x3000047 and 0x609 answer from their sourced entries",
        arguments: [
            ("0x3000046", "newclient:0x3000046"), ("0x3000047", "newclient:0x3000047"), ("0x609", "disconnect:0x609"),
        ])
    func sourcedEntries(code: String, key: String) throws {
        let reading = try #require(number(code).readings.first { $0.key == key }, "\(code) does not read as \(key)")
        #expect(reading.match == .exact)
        #expect(reading.entry?.certainty == .reported)
    }

    // 0x800706BE is RPC_S_CALL_FAILED (MS-ERREF 2.2); the one report in the
    // authentication dialog (rzander/sccmclictr#206) names no cause, so the entry is
    // `reported` and says the cause is not known.
    @Test("0x800706BE reads as RPC_S_CALL_FAILED, reported, with no invented cause")
    func rpcFailureHasItsName() throws {
        let reading = try #require(number("0x800706BE").readings.first { $0.key == "hresult:0x800706BE" })
        #expect(reading.match == .exact)
        #expect(reading.entry?.name == "RPC_S_CALL_FAILED")
        #expect(reading.entry?.certainty == .reported)
        #expect(reading.entry?.causes.first?.hasPrefix("Not known") == true)
    }

    // The whole dialog pasted on stdin: the code inside "(Code: 0x…)" is found and read.
    @Test(
        "the authentication-error dialog pasted whole finds its code",
        arguments: [
            ("0x80080005", "hresult:0x80080005"), ("0x80004005", "hresult:0x80004005"),
            ("0x80090302", "sspi:0x80090302"), ("0x8009030C", "sspi:0x8009030C"), ("0x80090327", "sspi:0x80090327"),
        ])
    func authenticationDialog(code: String, key: String) throws {
        let dialog = """
            [Window Title]
            Remote Desktop Connection

            [Content]
            An authentication error has occurred (Code: \(code)).

            Remote computer: POC01

            [Expanded Information]
            Error code: 0x0
            Extended error code: 0x0
            Timestamp (UTC): 01/21/26 10:53:14 AM
            """
        let queries = try QueryParser(catalogue: TestCatalogue.shared).parse(arguments: [dialog])
        let readings = queries.flatMap { explainer.explain($0).readings }
        #expect(readings.contains { $0.key == key && $0.match == .exact }, "\(code) not found in the pasted dialog")
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
