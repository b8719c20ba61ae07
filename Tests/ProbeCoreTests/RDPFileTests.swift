import Foundation
import ProbeCore
import Testing

@Suite("RDPFile.parse")
struct RDPFileTests {
    static let lines = [
        "screen mode id:i:2",
        "full address:s:example.test:3390",
        "server port:i:3391",
        "authentication level:i:2",
        "enablecredsspsupport:i:0",
        "gatewayhostname:s:gw.example.test",
        "gatewayusagemethod:i:1",
        "username:s:EXAMPLE\\alice",
        "redirectclipboard:i:1",
    ]

    /// As mstsc saves it: a UTF-16LE byte-order mark, then UTF-16LE with CR LF line ends.
    static func utf16LE(_ text: String) -> [UInt8] {
        [0xFF, 0xFE] + text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
    }

    static func utf16BE(_ text: String) -> [UInt8] {
        [0xFE, 0xFF] + text.utf16.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
    }

    static func expectSettings(_ file: RDPFile, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(file.fullAddress == "example.test:3390", sourceLocation: sourceLocation)
        #expect(file.serverPort == 3391, sourceLocation: sourceLocation)
        #expect(file.authenticationLevel == 2, sourceLocation: sourceLocation)
        #expect(file.enableCredSSPSupport == 0, sourceLocation: sourceLocation)
        #expect(file.gatewayHostname == "gw.example.test", sourceLocation: sourceLocation)
        #expect(file.gatewayUsageMethod == 1, sourceLocation: sourceLocation)
        #expect(file.username == "EXAMPLE\\alice", sourceLocation: sourceLocation)
    }

    /// Regression: in Swift "\r\n" is ONE Character (a grapheme cluster), equal
    /// neither to "\r" nor to "\n"; splitting on those two read only the first
    /// line of a CR LF file (fixed in 075cfac).
    @Test("UTF-16LE with a byte-order mark and CR LF, as mstsc writes it")
    func utf16LittleEndian() throws {
        let bytes = Self.utf16LE(Self.lines.joined(separator: "\r\n") + "\r\n")
        #expect(bytes.prefix(6) == [0xFF, 0xFE, 0x73, 0x00, 0x63, 0x00])  // BOM, "s", "c"
        let file = try RDPFile.parse(bytes)
        Self.expectSettings(file)
        // full address carries its own port, so server port does not apply.
        let target = try file.target()
        #expect(target.host == "example.test")
        #expect(target.port == 3390)
    }

    @Test("UTF-16BE with a byte-order mark")
    func utf16BigEndian() throws {
        Self.expectSettings(try RDPFile.parse(Self.utf16BE(Self.lines.joined(separator: "\r\n"))))
    }

    @Test("UTF-8, with and without a BOM, LF line ends, any case in names")
    func utf8() throws {
        let text = Self.lines.joined(separator: "\n")
        Self.expectSettings(try RDPFile.parse(Array(text.utf8)))
        Self.expectSettings(try RDPFile.parse([0xEF, 0xBB, 0xBF] + Array(text.utf8)))
        let shouted = try RDPFile.parse(Array("Full Address:s:example.test\r\nSERVER PORT:i:3391".utf8))
        #expect(shouted.fullAddress == "example.test")
        #expect(shouted.serverPort == 3391)
    }

    @Test(
        "server port applies only when full address has no port of its own",
        arguments: [
            ("example.test", "example.test", UInt16(3391)),
            ("example.test:3390", "example.test", 3390),
            ("[::1]", "::1", 3391),
            ("[::1]:3390", "::1", 3390),
            ("::1", "::1", 3391),
        ])
    func serverPort(address: String, host: String, port: UInt16) throws {
        let file = try RDPFile.parse(Array("full address:s:\(address)\r\nserver port:i:3391\r\n".utf8))
        let target = try file.target()
        #expect(target.host == host)
        #expect(target.port == port)
    }

    @Test("a wrong type letter or an unknown setting is ignored; no full address is an error")
    func ignored() throws {
        let file = try RDPFile.parse(Array("server port:s:3391\nfull address:i:7\nfoo:s:bar\nnot a setting\n\n".utf8))
        #expect(file == RDPFile())
        #expect(throws: TargetError.self) { try file.target() }
    }

    @Test(
        "bytes that are not text are a typed error",
        arguments: [
            ("invalid UTF-8", [0x66, 0x75, 0x6C, 0x6C, 0xC3, 0x28] as [UInt8]),
            ("a lone UTF-8 continuation byte", [0x80]),
            ("UTF-16LE with an odd byte count", [0xFF, 0xFE, 0x66, 0x00, 0x75]),
            ("UTF-16LE with a lone surrogate", [0xFF, 0xFE, 0x66, 0x00, 0x00, 0xD8, 0x0D, 0x00]),
        ])
    func invalidBytes(name: String, bytes: [UInt8]) {
        #expect(throws: TargetError.self, "\(name)") { try RDPFile.parse(bytes) }
    }

    @Test("a file over 256 KiB is refused; one of exactly 256 KiB is read")
    func size() throws {
        let line = Array("full address:s:example.test\r\n".utf8)
        var big = [UInt8]()
        while big.count < RDPFile.maximumSize { big += Array("x:s:y\r\n".utf8) }
        big = line + big.prefix(RDPFile.maximumSize - line.count)
        #expect(big.count == 256 * 1024)
        #expect(try RDPFile.parse(big).fullAddress == "example.test")
        #expect {
            try RDPFile.parse(big + [0x0A])
        } throws: { error in
            (error as? TargetError)?.description.contains("256 KiB") == true
        }
    }

    /// A real mstsc file, when the shared captures are present; the test passes without it.
    @Test("a real .rdp file saved by mstsc (optional data)")
    func realFile() throws {
        let path = "/work/shared/captures/windows/firefox.rdp"
        guard let data = FileManager.default.contents(atPath: path) else { return }
        let file = try RDPFile.parse(Array(data))
        // Read the same settings independently with Foundation's decoder.
        let text = try #require(String(data: data, encoding: .utf16))
        let settings = Dictionary(
            text.components(separatedBy: "\r\n").compactMap { line -> (String, String)? in
                let parts = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
                return parts.count == 3 ? ("\(parts[0]):\(parts[1])", String(parts[2])) : nil
            }, uniquingKeysWith: { first, _ in first })
        let address = try #require(settings["full address:s"])
        #expect(!address.isEmpty)
        #expect(file.fullAddress == address)
        #expect(file.serverPort == settings["server port:i"].flatMap { UInt16($0) })
        #expect(file.serverPort != nil)
        // Parsing the file must not touch the network; target() only reads the text.
        let target = try file.target()
        #expect(target.host == address.split(separator: ":").first.map(String.init))
    }
}
