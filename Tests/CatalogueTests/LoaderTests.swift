import Catalogue
import Testing

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

@Suite("Catalogue loader")
struct LoaderTests {
    func directory(with files: [String: String]) throws -> String {
        let path = FileManager.default.temporaryDirectory.path + "/catalogue-\(UInt64.random(in: 0...UInt64.max))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        for (name, text) in files {
            #expect(FileManager.default.createFile(atPath: path + "/" + name, contents: Data(text.utf8)))
        }
        return path
    }

    @Test("a bad value names the file and the field")
    func badLayerNamed() throws {
        let json = """
            {"family":"x","title":"t","description":"d","source":"s","numberFormat":"hex",
             "entries":[{"code":"0x1","name":"N","layer":"nowhere","summary":"s","meaning":"m",
             "causes":["c"],"confirm":["c"],"fixes":{"client":["f"]},"certainty":"documented","source":"s"}]}
            """
        let path = try directory(with: ["x.json": json])
        #expect {
            try Catalogue.load(directory: path)
        } throws: { error in
            let text = "\(error)"
            return text.contains("x.json") && text.contains("entries[0].layer")
        }
    }

    @Test("a number that is not a number is refused")
    func badNumber() throws {
        let json = """
            {"family":"x","title":"t","description":"d","source":"s","numberFormat":"hex","entries":[
             {"code":"0xZZ","name":"N","layer":"tcp","summary":"s","meaning":"m","causes":["c"],
              "confirm":["c"],"fixes":{"client":["f"]},"certainty":"documented","source":"s"}]}
            """
        let path = try directory(with: ["x.json": json])
        #expect(throws: CatalogueError.self) { try Catalogue.load(directory: path) }
    }

    @Test("a missing directory is a message, not a crash")
    func missingDirectory() {
        #expect(throws: CatalogueError.self) { try Catalogue.load(directory: "/nonexistent/catalogue") }
    }

    @Test("code numbers parse in both notations and refuse overflow")
    func codeNumbers() {
        #expect(CodeNumber.parse("0x904")?.value == 0x904)
        #expect(CodeNumber.parse("0X00000904")?.value == 0x904)
        #expect(CodeNumber.parse("2308")?.value == 2308)
        #expect(CodeNumber.parse("0x") == nil)
        #expect(CodeNumber.parse("0x1FFFFFFFFFFFFFFFFF") == nil)
        #expect(CodeNumber.parse("-1") == nil)
        #expect(CodeNumber.parse("") == nil)
        #expect(CodeNumber.hex(0xc000006d) == "0xC000006D")
    }
}
