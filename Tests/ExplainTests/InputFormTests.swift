import Catalogue
import Testing

@testable import Explain

/// Every input form `rdpdoctor explain` accepts becomes the right query.
@Suite("Input forms")
struct InputFormTests {
    let parser = QueryParser(catalogue: TestCatalogue.shared)
    let explainer = Explainer(catalogue: TestCatalogue.shared)

    func keys(_ arguments: [String]) throws -> [String] {
        try parser.parse(arguments: arguments).flatMap { explainer.explain($0).readings.compactMap(\.key) }
    }

    @Test("two numbers are the error code and the extended code")
    func pairTwoArguments() throws {
        let queries = try parser.parse(arguments: ["0x904", "0x7"])
        guard case let .pair(error, extended?) = queries.first else {
            Issue.record("not a pair: \(queries)"); return
        }
        #expect(error.value == 0x904 && extended.value == 0x7)
        #expect(try keys(["0x904", "0x7"]) == ["disconnect:0x904", "extended:0x7"])
    }

    @Test("0x904/0x7 and 0x904,0x7 are pairs too")
    func pairOneArgument() throws {
        #expect(try keys(["0x904/0x7"]) == ["disconnect:0x904", "extended:0x7"])
        #expect(try keys(["0x904,0x7"]) == ["disconnect:0x904", "extended:0x7"])
    }

    @Test("a decimal number reads as its value")
    func decimal() throws {
        #expect(try keys(["2308"]) == ["disconnect:0x904"])
    }

    @Test("a family prefix picks one family's reading")
    func namespaced() throws {
        #expect(try keys(["errinfo:7"]) == ["errinfo:0x7"])
        #expect(try keys(["negfailure:5"]) == ["negfailure:0x5"], "one written form for every key")
    }

    @Test("an NTSTATUS value")
    func ntstatus() throws {
        #expect(try keys(["0xC000006D"]) == ["ntstatus:0xC000006D"])
        #expect(try keys(["0xc000006d"]) == ["ntstatus:0xC000006D"])
    }

    @Test("a symbolic name, in any case")
    func symbolicName() throws {
        #expect(try keys(["ERRINFO_SERVER_DENIED_CONNECTION"]) == ["errinfo:0x7"])
        #expect(try keys(["errinfo_server_denied_connection"]) == ["errinfo:0x7"])
        #expect(try keys(["disconnectReasonAtClientWinsockFDCLOSE"]) == ["disconnect:0x904"])
    }

    @Test("a FreeRDP log line")
    func freerdpLogLine() throws {
        let line = "[10:21:03:417] [4242:4243] [ERROR][com.freerdp.core] - freerdp_set_last_error_ex ERRCONNECT_CONNECT_TRANSPORT_FAILED [0x0002000D]"
        #expect(try keys([line]) == ["freerdp:0x2000D"])
        let errinfo = "[ERROR][com.freerdp.core] - ERRINFO_SERVER_DENIED_CONNECTION (0x00000007):The server denied the connection."
        #expect(try keys([errinfo]).contains("errinfo:0x7"))
    }

    @Test("a whole client dialog")
    func dialog() {
        let text = """
            We couldn't connect to the remote PC because of a security error.
            If this keeps happening, contact your network administrator for assistance.

            Error code: 0x904
            Extended error code: 0x7
            Timestamp (UTC): 2026-11-02T09:12:44.201Z
            Activity ID: 3f1c2a9e-0b5d-4c4e-9a51-7d0c8e2f6b11
            """
        let queries = TextScanner(catalogue: TestCatalogue.shared).scan(text)
        #expect(queries.count == 1)
        guard case let .pair(error, extended?) = queries.first else {
            Issue.record("not a pair: \(queries)"); return
        }
        #expect(error.value == 0x904 && extended.value == 0x7)
    }

    @Test("a dialog with only an error code reads it as the client's code")
    func dialogErrorOnly() {
        let queries = TextScanner(catalogue: TestCatalogue.shared).scan("Error code: 0x3000064\n")
        guard case let .pair(error, nil) = queries.first else {
            Issue.record("not an error-code query: \(queries)"); return
        }
        let explanation = explainer.explain(.pair(error: error, extended: nil))
        #expect(explanation.readings.first?.key == "newclient:0x3000064")
    }

    @Test("words search names and meanings")
    func words() throws {
        let queries = try parser.parse(arguments: ["certificate", "expired"])
        #expect(queries == [.search("certificate expired")])
        #expect(!explainer.explain(queries[0]).readings.isEmpty)
    }

    @Test("too long an argument list is refused")
    func tooLong() {
        let huge = String(repeating: "a", count: QueryParser.maximumArgumentLength + 1)
        #expect(throws: InputError.self) { try parser.parse(arguments: [huge]) }
        #expect(throws: InputError.self) { try parser.parse(arguments: ["   "]) }
    }
}
