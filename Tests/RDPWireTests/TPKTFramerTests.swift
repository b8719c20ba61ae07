import RDPWire
import Testing

@Suite("TPKT framer")
struct TPKTFramerTests {
    /// The X.224 Connection Confirm of MS-RDPBCGR 4.1.2.
    let confirm: [UInt8] = [
        0x03, 0x00, 0x00, 0x13,  // TPKT: version 3, reserved, length 19
        0x0E, 0xD0, 0x00, 0x00, 0x12, 0x34, 0x00,  // X.224 CC: LI 14, code, DST-REF, SRC-REF, class
        0x02, 0x00, 0x08, 0x00,  // RDP_NEG_RSP: type, flags, length 8
        0x00, 0x00, 0x00, 0x00,  // selectedProtocol PROTOCOL_RDP
    ]

    @Test("a frame fed one byte at a time comes out whole, once")
    func byteByByte() throws {
        var framer = TPKTFramer()
        for (index, byte) in confirm.enumerated() {
            framer.append([byte])
            let next = try framer.next()
            if index < confirm.count - 1 {
                #expect(next == .needMore)
            } else {
                #expect(next == .frame(.tpkt, confirm))
            }
        }
        #expect(try framer.next() == .needMore)
        #expect(framer.bufferedCount == 0)
    }

    @Test("two frames and a partial third in one read")
    func coalesced() throws {
        var framer = TPKTFramer()
        let dpu: [UInt8] = [0x03, 0x00, 0x00, 0x09, 0x02, 0xF0, 0x80, 0x21, 0x80]
        framer.append(confirm + dpu + dpu.prefix(5))
        #expect(try framer.next() == .frame(.tpkt, confirm))
        #expect(try framer.next() == .frame(.tpkt, dpu))
        #expect(try framer.next() == .needMore)
        framer.append(Array(dpu.dropFirst(5)))
        #expect(try framer.next() == .frame(.tpkt, dpu))
    }

    @Test("TPKT lengths below 7 or above the limit are refused")
    func badLengths() throws {
        var tooShort = TPKTFramer()
        tooShort.append([0x03, 0x00, 0x00, 0x04])
        #expect(throws: WireError.self) { _ = try tooShort.next() }

        var tooLong = TPKTFramer(maximumFrameLength: 1024)
        tooLong.append([0x03, 0x00, 0xFF, 0xFF])
        #expect(throws: WireError(.tooLarge(value: 65535, limit: 1024), pdu: "TPKT header", field: "length")) {
            _ = try tooLong.next()
        }
    }

    @Test("a huge declared length waits for data instead of allocating")
    func hugeLengthWaits() throws {
        var framer = TPKTFramer()
        framer.append([0x03, 0x00, 0xFF, 0xFF, 0x02])
        #expect(try framer.next() == .needMore)
        #expect(framer.bufferedCount == 5)
    }

    @Test("fast-path frames with one- and two-byte lengths")
    func fastPath() throws {
        var framer = TPKTFramer(acceptsFastPath: true)
        let short: [UInt8] = [
            0x00,  // fpOutputHeader: action fast-path, no flags
            0x05,  // length 5 (one byte)
            0x01, 0x02, 0x03,  // update data
        ]
        var long: [UInt8] = [
            0x80,  // fpOutputHeader: encrypted flag, action fast-path
            0x81, 0x03,  // length 0x103 (two bytes, top bit set)
        ]
        long += Array(repeating: 0xEE, count: 0x103 - 3)
        framer.append(short + long)
        #expect(try framer.next() == .frame(.fastPath, short))
        #expect(try framer.next() == .frame(.fastPath, long))
        #expect(try framer.next() == .needMore)
    }

    @Test("a fast-path length shorter than its header is refused")
    func fastPathTooShort() {
        var framer = TPKTFramer(acceptsFastPath: true)
        framer.append([0x00, 0x01])
        #expect(throws: WireError.self) { _ = try framer.next() }
        var long = TPKTFramer(acceptsFastPath: true)
        long.append([0x00, 0x80, 0x02])
        #expect(throws: WireError.self) { _ = try long.next() }
    }

    @Test(
        "a non-RDP answer is named",
        arguments: [
            (Array("HTTP/1.1 400 Bad Request\r\n".utf8), PeerProtocol.http),
            (Array("SSH-2.0-OpenSSH_9.6\r\n".utf8), PeerProtocol.ssh),
            ([0x16, 0x03, 0x03, 0x00, 0x2A], PeerProtocol.tls),
            ([0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x28], PeerProtocol.tls),
            (Array("RFB 003.008\n".utf8), PeerProtocol.vnc),
            ([0x42, 0x00], PeerProtocol.unknown(firstByte: 0x42)),
        ])
    func notRDP(bytes: [UInt8], peer: PeerProtocol) {
        var framer = TPKTFramer()
        framer.append(bytes)
        #expect(throws: WireError(.unexpectedProtocol(peer), pdu: "TPKT framing", field: "first byte")) {
            _ = try framer.next()
        }
    }

    @Test("a signature prefix waits for more bytes")
    func partialSignature() throws {
        var framer = TPKTFramer()
        framer.append(Array("HTT".utf8))
        #expect(try framer.next() == .needMore)
        framer.append(Array("P/1.0 200 OK".utf8))
        #expect(throws: WireError.self) { _ = try framer.next() }
    }

    @Test("with fast-path off, a fast-path-looking byte is not RDP")
    func fastPathOff() {
        var framer = TPKTFramer()
        framer.append([0x00, 0x05, 0x01, 0x02, 0x03])
        #expect(throws: WireError(.unexpectedProtocol(.unknown(firstByte: 0)), pdu: "TPKT framing", field: "first byte")) {
            _ = try framer.next()
        }
    }

    @Test("many frames keep the buffer small")
    func compaction() throws {
        var framer = TPKTFramer()
        let dpu: [UInt8] = [0x03, 0x00, 0x00, 0x09, 0x02, 0xF0, 0x80, 0x21, 0x80]
        for _ in 0..<2000 {
            framer.append(dpu + dpu.prefix(3))
            #expect(try framer.next() == .frame(.tpkt, dpu))
            framer.append(Array(dpu.dropFirst(3)))
            #expect(try framer.next() == .frame(.tpkt, dpu))
        }
        #expect(framer.bufferedCount == 0)
    }
}

@Suite("Peer protocol")
struct PeerProtocolTests {
    @Test("identifies RDP and common non-RDP services")
    func identify() {
        #expect(PeerProtocol.identify([0x03, 0x00][...]) == .rdp)
        #expect(PeerProtocol.identify(Array("HTTP/1.1".utf8)[...]) == .http)
        #expect(PeerProtocol.identify(Array("SSH-2.0".utf8)[...]) == .ssh)
        #expect(PeerProtocol.identify([0x16, 0x03][...]) == .tls)
        #expect(PeerProtocol.identify([UInt8]()[...]) == nil)
        #expect(PeerProtocol.identify(Array("SS".utf8)[...]) == nil)
        #expect(PeerProtocol.identify(Array("HX".utf8)[...]) == .unknown(firstByte: 0x48))
        #expect(PeerProtocol.bestGuess(Array("SS".utf8)[...]) == .unknown(firstByte: 0x53))
        #expect(PeerProtocol.http.name == "HTTP")
    }
}
