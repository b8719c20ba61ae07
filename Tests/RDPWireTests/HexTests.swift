import Testing

@testable import RDPWire

@Suite struct HexTests {
    @Test("hex digits: either case, with or without a separator, nothing for no bytes")
    func digits() {
        #expect(Hex.string([0x00, 0x7E, 0xFD, 0x0A]) == "007EFD0A")
        #expect(Hex.string([0x00, 0x7E, 0xFD, 0x0A], separator: ":") == "00:7E:FD:0A")
        #expect(Hex.string([0xAB, 0xCD], separator: ", ", uppercase: false) == "ab, cd")
        #expect(Hex.string([UInt8](), separator: ":") == "")
        #expect(Hex.string([0x5A], separator: ":") == "5A")
        #expect(Hex.string((0...255).map(UInt8.init)).count == 512)
        // Any sequence, not only arrays: a slice and a lazy map.
        #expect(Hex.string([0x01, 0x02, 0x03][1...], separator: "-") == "02-03")
        #expect(Hex.string((0..<3).lazy.map { UInt8($0 * 16) }) == "001020")
        #expect(Hex.byte(0x0F, uppercase: false) == "0f")
    }
}
