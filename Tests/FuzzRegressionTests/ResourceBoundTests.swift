import Catalogue
import CredSSP
import Explain
import LegacyCrypto
import ProbeCore
import RDPWire
import Testing

/// Each size bound of ARCHITECTURE.md ("Resource bounds") at its edge: the
/// largest input it allows is read, one more is refused with a typed error.
@Suite("Resource bounds at their edges")
struct ResourceBoundTests {
    @Test("TPKT: a whole 65535-byte frame is framed; a declared length waits without allocating it")
    func tpktEdge() throws {
        var framer = TPKTFramer()
        framer.append([0x03, 0x00, 0xFF, 0xFF] + [UInt8](repeating: 0, count: 65535 - 4))
        guard case let .frame(.tpkt, frame) = try framer.next() else {
            Issue.record("a whole 65535-byte TPKT was not framed")
            return
        }
        #expect(frame.count == 65535)
        var small = TPKTFramer(maximumFrameLength: 1000)
        small.append([0x03, 0x00, 0x03, 0xE9])  // 1001 bytes declared
        #expect(throws: WireError.self) { try small.next() }
    }

    @Test("TSRequest: a frame of exactly 64 KiB is accepted from its header, one byte more is refused")
    func tsRequestEdge() throws {
        let limit = TSRequest.maximumEncodedCount
        let content = limit - 4  // SEQUENCE, 0x82, two length bytes
        let atLimit: [UInt8] = [0x30, 0x82, UInt8(content >> 8), UInt8(content & 0xFF)]
        #expect(try TSRequest.frameLength(of: atLimit) == limit)
        let over: [UInt8] = [0x30, 0x82, UInt8((content + 1) >> 8), UInt8((content + 1) & 0xFF)]
        #expect(throws: CredSSPError.self) { try TSRequest.frameLength(of: over) }
        #expect(throws: CredSSPError.self) { try TSRequestDecoding(decoding: [UInt8](repeating: 0x30, count: limit + 1)) }
    }

    @Test(".rdp: a file of exactly 256 KiB is read, one byte more is refused")
    func rdpFileEdge() throws {
        let head = Array("full address:s:rdp.example.test\r\n".utf8)
        let atLimit = head + [UInt8](repeating: 0x20, count: RDPFile.maximumSize - head.count)
        #expect(try RDPFile.parse(atLimit).fullAddress == "rdp.example.test")
        #expect(try !RDPFile.lines(atLimit).isEmpty)
        #expect(throws: TargetError.self) { try RDPFile.parse(atLimit + [0x20]) }
        #expect(throws: TargetError.self) { try RDPFile.lines(atLimit + [0x20]) }
    }

    @Test("explain: arguments of exactly 64 KiB are read, one byte more is refused")
    func explainArgumentsEdge() throws {
        let catalogue = try Catalogue.shipped()
        let parser = QueryParser(catalogue: catalogue)
        let atLimit = String(repeating: "a", count: QueryParser.maximumArgumentLength)
        #expect(try parser.parse(arguments: [atLimit]).count == 1)
        #expect(throws: InputError.self) { try parser.parse(arguments: [atLimit + "a"]) }
    }

    @Test("RSA: a 4096-bit modulus is taken, a 4097-bit one is refused before any arithmetic")
    func rsaModulusEdge() throws {
        var modulus = [UInt8](repeating: 0xFF, count: RSAPublicKey.maximumModulusBits / 8)  // little-endian, odd
        let key = try RSAPublicKey(modulusLittleEndian: modulus, exponent: 65537)
        #expect(key.modulusByteCount == 512)
        modulus.append(0x01)  // one more significant bit
        #expect(throws: RSAError.modulusTooLarge(bits: 4097)) {
            try RSAPublicKey(modulusLittleEndian: modulus, exponent: 65537)
        }
    }
}
