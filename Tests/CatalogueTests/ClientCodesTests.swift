import Foundation
import Testing

@testable import Catalogue

/// clientcodes.json: which codes a client shows for each way of failing.
/// The rules read it; these tests keep it whole and honest.
@Suite("client codes")
struct ClientCodesTests {
    let catalogue: Catalogue

    init() throws { catalogue = try Catalogue.shipped() }

    @Test("every way of failing the rules name has codes")
    func everyShapeCovered() {
        let missing = Set(ClientFailure.allCases).subtracting(catalogue.clientFailuresCovered)
        #expect(missing.isEmpty, "no row in clientcodes.json for \(missing.map(\.rawValue).sorted())")
        for failure in ClientFailure.allCases {
            #expect(!catalogue.clientCodes(failure, value: 1).keys.isEmpty, "\(failure.rawValue) names no code")
        }
    }

    @Test("every fixed code it names is a catalogue entry")
    func fixedKeysResolve() {
        for failure in ClientFailure.allCases {
            for key in catalogue.clientCodes(failure, value: nil).keys {
                #expect(catalogue.entry(key) != nil, "\(failure.rawValue) names \(key), which the catalogue lacks")
            }
        }
    }

    @Test("a server's number fills the family the row names")
    func valueFilled() {
        let negotiation = catalogue.clientCodes(.negotiationRefused, value: 5)
        #expect(negotiation.error == CatalogueKey(.negfailure, 5))
        #expect(catalogue.entry(negotiation.error!)?.entry.name == "HYBRID_REQUIRED_BY_SERVER")
        let licensing = catalogue.clientCodes(.licensingError, value: 2)
        #expect(licensing.error?.description == "disconnect:0x808")
        #expect(licensing.extended?.description == "license:0x2")
        // Without the number, the row gives only its fixed codes.
        #expect(catalogue.clientCodes(.serverErrorInfo, value: nil).keys.isEmpty)
    }

    @Test("a written key that is neither family:0xHEX nor family:{value} stops the load, naming it")
    func malformedKeyRefused() throws {
        for written in ["disconnect:{value}x", "0x904", "errinfo:{val}", ":{value}"] {
            let file = """
                {"description": "", "shapes": [{"shape": "setup-closed", "when": "", "error": "\(written)",
                "certainty": "documented", "source": ""}]}
                """
            #expect(KeyTemplate(written) == nil, "\(written)")
            #expect(throws: CatalogueError.self) { try Catalogue.load(files: [("clientcodes.json", Data(file.utf8))]) }
            do {
                _ = try Catalogue.load(files: [("clientcodes.json", Data(file.utf8))])
            } catch {
                #expect("\(error)".contains("\"\(written)\" is not a key"), "\(error)")
            }
        }
        #expect(KeyTemplate("errinfo:{value}")?.key(0x1234) == CatalogueKey(.errinfo, 0x1234))
        #expect(KeyTemplate("disconnect:0x904")?.key(nil) == CatalogueKey(.disconnect, 0x904))
    }

    @Test("the setup close is 0x904 with extended 0x7")
    func setupClose() {
        let codes = catalogue.clientCodes(.setupClosed)
        #expect(codes.error?.description == "disconnect:0x904")
        #expect(codes.extended?.description == "extended:0x7")
    }

    @Test("keys have one written form and read back")
    func keyForms() throws {
        #expect(CatalogueKey(.disconnect, 0x904).description == "disconnect:0x904")
        #expect(CatalogueKey(parsing: "negfailure:5") == CatalogueKey(.negfailure, 5))
        #expect(CatalogueKey(parsing: "licensestate:0x2")?.description == "licensestate:0x2")
        #expect(CatalogueKey(parsing: "nocolon") == nil)
        #expect(CatalogueKey(parsing: ":5") == nil)
        #expect(CatalogueKey(parsing: "errinfo:zz") == nil)
    }
}
