import LegacyCrypto
import Testing

@Suite("Raw RSA public-key encryption")
struct RSATests {
    @Test("m^e mod n matches Python's pow(m, e, n)", arguments: RSAVectors.all)
    func knownAnswers(vector: RSAVectors.Vector) throws {
        let key = try RSAPublicKey(modulusLittleEndian: hex(vector.n), exponentLittleEndian: hex(vector.e))
        let cipher = try key.encrypt(littleEndian: hex(vector.m))
        #expect(cipher.count == key.modulusByteCount)
        #expect(hexString(cipher) == vector.c)
    }

    @Test("the 32-bit exponent form agrees with the byte form")
    func uint32Exponent() throws {
        let vector = RSAVectors.all[0]
        let key = try RSAPublicKey(modulusLittleEndian: hex(vector.n), exponent: 65537)
        #expect(hexString(try key.encrypt(littleEndian: hex(vector.m))) == vector.c)
    }

    @Test("small numbers by hand: 4^13 mod 497 = 445; 0 and 1 are fixed points")
    func small() throws {
        let key = try RSAPublicKey(modulusLittleEndian: [0xf1, 0x01], exponent: 13)
        #expect(try key.encrypt(littleEndian: [4]) == [0xbd, 0x01])
        #expect(try key.encrypt(littleEndian: [0]) == [0, 0])
        #expect(try key.encrypt(littleEndian: [1]) == [1, 0])
    }

    @Test("trailing zero bytes of the modulus (RDP pads it) are ignored")
    func paddedModulus() throws {
        let vector = RSAVectors.all[0]
        let key = try RSAPublicKey(modulusLittleEndian: hex(vector.n) + [UInt8](repeating: 0, count: 8), exponent: 65537)
        #expect(key.modulusByteCount == 64)
        #expect(hexString(try key.encrypt(littleEndian: hex(vector.m))) == vector.c)
    }

    @Test("refuses moduli above 4096 bits, even moduli, bad exponents and too-large messages")
    func refusals() {
        var big = [UInt8](repeating: 0xff, count: 513)
        #expect(throws: RSAError.modulusTooLarge(bits: 4104)) {
            try RSAPublicKey(modulusLittleEndian: big, exponent: 3)
        }
        big[512] = 0x01
        #expect(throws: RSAError.modulusTooLarge(bits: 4097)) {
            try RSAPublicKey(modulusLittleEndian: big, exponent: 3)
        }
        #expect(throws: RSAError.modulusNotOdd) {
            try RSAPublicKey(modulusLittleEndian: [0x10, 0x01], exponent: 3)
        }
        #expect(throws: RSAError.modulusNotOdd) {
            try RSAPublicKey(modulusLittleEndian: [], exponent: 3)
        }
        #expect(throws: RSAError.invalidExponent) {
            try RSAPublicKey(modulusLittleEndian: [0xf1, 0x01], exponent: 0)
        }
        #expect(throws: RSAError.invalidExponent) {
            try RSAPublicKey(modulusLittleEndian: [0xf1, 0x01], exponentLittleEndian: [1, 0, 1])
        }
        #expect(throws: RSAError.messageNotBelowModulus) {
            try RSAPublicKey(modulusLittleEndian: [0xf1, 0x01], exponent: 3).encrypt(littleEndian: [0xf1, 0x01])
        }
    }

    @Test("a 4096-bit modulus is the largest accepted")
    func maximum() throws {
        let n = [UInt8](repeating: 0xff, count: 512)
        let key = try RSAPublicKey(modulusLittleEndian: n, exponent: 65537)
        #expect(key.modulusByteCount == 512)
        // (n - 1)^odd = -1 = n - 1 (mod n).
        var minusOne = n
        minusOne[0] = 0xfe
        #expect(try key.encrypt(littleEndian: minusOne) == minusOne)
    }
}
