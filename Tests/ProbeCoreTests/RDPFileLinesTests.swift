import ProbeCore
import Testing

@Suite("RDPFile.lines")
struct RDPFileLinesTests {
    @Test("every non-blank line is kept as written and numbered, settings split at the first two colons")
    func lines() throws {
        let text = "full address:s:host:3390\r\n\r\nnot a setting\r\nFoo Bar : i : 7 \r\nalternate shell:s:||firefox"
        let bytes: [UInt8] = [0xFF, 0xFE] + text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        let lines = try RDPFile.lines(bytes)
        #expect(lines.map(\.number) == [1, 3, 4, 5])
        #expect(lines[0].setting == RDPFileLine.Setting(name: "full address", type: "s", value: "host:3390"))
        #expect(lines[1].setting == nil)
        #expect(lines[1].text == "not a setting")
        #expect(lines[2].setting == RDPFileLine.Setting(name: "Foo Bar", type: "i", value: "7"))
        #expect(lines[2].setting?.key == "foo bar")
        #expect(lines[3].setting?.value == "||firefox")
    }

    @Test("the byte-order mark is not part of the first name; LF and CR LF both end lines")
    func bomAndLineEnds() throws {
        let lines = try RDPFile.lines([0xEF, 0xBB, 0xBF] + Array("server port:i:1\nusername:s:a\r\ndomain:s:b".utf8))
        #expect(lines.compactMap(\.setting?.name) == ["server port", "username", "domain"])
        #expect(lines.map(\.number) == [1, 2, 3])
    }

    @Test("the same limits and typed errors as parse")
    func limits() {
        #expect(throws: TargetError.self) { try RDPFile.lines([UInt8](repeating: 0x41, count: RDPFile.maximumSize + 1)) }
        #expect(throws: TargetError.self) { try RDPFile.lines([0xFF, 0xFE, 0x66]) }
        #expect(throws: TargetError.self) { try RDPFile.lines([0xC3, 0x28]) }
    }

    @Test(
        "the port written in a full address",
        arguments: [
            ("host", nil), ("host:3390", UInt16(3390)), ("[::1]", nil), ("[::1]:3390", 3390), ("::1", nil), ("host:x", nil),
        ] as [(String, UInt16?)])
    func ownPort(address: String, port: UInt16?) {
        #expect(RDPFile.ownPort(of: address) == port)
    }
}
