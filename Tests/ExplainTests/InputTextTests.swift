import Testing

@testable import Explain

@Suite("Pasted input")
struct InputTextTests {
    @Test("UTF-8, with or without a byte-order mark")
    func utf8() throws {
        #expect(try InputText.decode(Array("Error code: 0x904".utf8)) == "Error code: 0x904")
        #expect(try InputText.decode([0xEF, 0xBB, 0xBF] + Array("x 0x7".utf8)) == "x 0x7")
    }

    @Test("UTF-16 with a byte-order mark, as Windows writes it")
    func utf16() throws {
        var bytes: [UInt8] = [0xFF, 0xFE]
        for unit in "Error code: 0x904".utf16 { bytes += [UInt8(unit & 0xFF), UInt8(unit >> 8)] }
        #expect(try InputText.decode(bytes) == "Error code: 0x904")
    }

    @Test("invalid UTF-8 is refused with the offset")
    func invalidUTF8() {
        #expect {
            try InputText.decode([0x41, 0x42, 0xC3, 0x28])
        } throws: { error in
            (error as? InputError)?.description.contains("offset 2") == true
        }
    }

    @Test("empty, blank, NUL-filled and odd UTF-16 input is refused")
    func unusable() {
        #expect(throws: InputError.self) { try InputText.decode([]) }
        #expect(throws: InputError.self) { try InputText.decode(Array(" \n\t ".utf8)) }
        #expect(throws: InputError.self) { try InputText.decode([0x41, 0, 0x42]) }
        #expect(throws: InputError.self) { try InputText.decode([0xFF, 0xFE, 0x41]) }
    }
}
