import RDPWire
import Testing

@Suite("ByteReader")
struct ByteReaderTests {
    @Test("reads integers in both byte orders")
    func integers() throws {
        var reader = ByteReader([0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D], pdu: "test")
        #expect(try reader.u8("a") == 0x01)
        #expect(try reader.u16LE("b") == 0x0302)
        #expect(try reader.u16BE("c") == 0x0405)
        #expect(try reader.u32LE("d") == 0x0908_0706)
        #expect(try reader.u32BE("e") == 0x0A0B_0C0D)
        #expect(reader.isAtEnd)
        #expect(reader.offset == 13)
    }

    @Test("a read past the end names the PDU and the field")
    func notEnoughBytes() {
        var reader = ByteReader([0x01], pdu: "X.224 connection confirm")
        #expect(throws: WireError(.notEnoughBytes(needed: 2, available: 1), pdu: "X.224 connection confirm", field: "length")) {
            _ = try reader.u16BE("length")
        }
        let error = WireError(.notEnoughBytes(needed: 2, available: 1), pdu: "X.224 connection confirm", field: "length")
        #expect(error.description == "X.224 connection confirm: length needs 2 bytes but only 1 remain")
        // A failed read consumes nothing.
        #expect(reader.remaining == 1)
    }

    @Test("a declared length is checked before anything is taken")
    func declaredLength() {
        var reader = ByteReader(Array(repeating: 0, count: 19), pdu: "X.224 connection confirm")
        #expect(
            throws: WireError(
                .lengthExceedsAvailable(declared: 65535, available: 19),
                pdu: "X.224 connection confirm", field: "length")
        ) {
            _ = try reader.subReader(length: 65535, "length")
        }
        let message = WireError(
            .lengthExceedsAvailable(declared: 65535, available: 19),
            pdu: "X.224 connection confirm", field: "length"
        ).description
        #expect(message == "X.224 connection confirm: length 65535 exceeds the 19 bytes received")
    }

    @Test("bytes and subreaders are bounded views")
    func slices() throws {
        var reader = ByteReader([9, 8, 7, 6, 5, 4][1...], pdu: "test")
        #expect(Array(try reader.bytes(2, "x")) == [8, 7])
        var inner = try reader.subReader(length: 2, "inner")
        #expect(try inner.u8("a") == 6)
        #expect(try inner.u8("b") == 5)
        #expect(throws: WireError.self) { _ = try inner.u8("c") }
        #expect(Array(reader.rest()) == [4])
        #expect(throws: WireError.self) { try reader.skip(1, "gone") }
        #expect(throws: WireError.self) { _ = try reader.bytes(-1, "negative") }
    }

    @Test("expectEnd refuses trailing bytes")
    func trailing() throws {
        var reader = ByteReader([1, 2], pdu: "test")
        _ = try reader.u8("a")
        #expect(throws: WireError.self) { try reader.expectEnd("end") }
        _ = try reader.u8("b")
        try reader.expectEnd("end")
    }
}

@Suite("ByteWriter")
struct ByteWriterTests {
    @Test("writes integers in both byte orders and patches lengths")
    func writes() {
        var writer = ByteWriter()
        writer.u8(0xAA)
        writer.u16LE(0x0102)
        writer.u16BE(0x0304)
        writer.u32LE(0x0807_0605)
        writer.u32BE(0x090A_0B0C)
        writer.append([0xFE])
        writer.zeros(2)
        #expect(writer.bytes == [0xAA, 0x02, 0x01, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0C, 0xFE, 0, 0])
        writer.setU16BE(0x1122, at: 1)
        writer.setU16LE(0x3344, at: 3)
        #expect(Array(writer.bytes[1..<5]) == [0x11, 0x22, 0x44, 0x33])
        #expect(writer.count == 16)
    }
}
