import RDPWire
import Testing

@Suite("DER/BER length octets")
struct DERLengthTests {
    @Test("short and long forms, leading zero octets allowed")
    func forms() {
        #expect(DERLength.read([0x05], maximumOctets: 4, limit: 100) == .length(5, octets: 1))
        #expect(DERLength.read([0x81, 0x80], maximumOctets: 4, limit: 1000) == .length(128, octets: 2))
        #expect(DERLength.read([0x82, 0x00, 0x10], maximumOctets: 4, limit: 1000) == .length(16, octets: 3))
    }

    @Test("too few bytes asks for more; nothing is guessed")
    func needMore() {
        #expect(DERLength.read([UInt8](), maximumOctets: 4, limit: 100) == .needMore)
        #expect(DERLength.read([0x82, 0x01], maximumOctets: 4, limit: 1000) == .needMore)
    }

    @Test("indefinite, too many octets and over the limit are refused without overflow")
    func refused() {
        #expect(DERLength.read([0x80], maximumOctets: 4, limit: 100) == .indefinite)
        #expect(DERLength.read([0x85, 0, 0, 0, 0, 1], maximumOctets: 4, limit: 100) == .tooManyOctets(5))
        #expect(DERLength.read([0x84, 0xFF, 0xFF, 0xFF, 0xFF], maximumOctets: 4, limit: 65536) == .tooLarge)
        #expect(DERLength.read([0x88] + [UInt8](repeating: 0xFF, count: 8), maximumOctets: 8, limit: 65536) == .tooLarge)
        #expect(DERLength.read([0x7F], maximumOctets: 4, limit: 10) == .tooLarge)
    }
}
