import RDPProtocol
import RDPWire
import Testing

/// The RDP-UDP SYN and SYN+ACK (MS-RDPEUDP 2.2.2, 3.1.5.1.1, 3.1.5.1.3).
@Suite("RDP-UDP SYN and SYN+ACK")
struct RDPEUDPTests {
    /// `bytes` zero-padded to `size`, as every SYN and SYN+ACK is sent.
    static func padded(_ bytes: [UInt8], to size: Int = 1232) -> [UInt8] {
        bytes + [UInt8](repeating: 0, count: size - bytes.count)
    }

    /// MS-RDPEUDP 4.1.1, laid out as its field table says. (The capture line there
    /// shows "00 00 00" before the correlation id: the elided padding, not a field.)
    static let specSYN: [UInt8] = padded(
        [
            0xFF, 0xFF, 0xFF, 0xFF,  // snSourceAck: -1
            0x04, 0x00,  // uReceiveWindowSize: 1024
            0x0A, 0x01,  // uFlags: CORRELATION_ID | SYNLOSSY | SYN
            0x00, 0x00, 0x00, 0x42,  // snInitialSequenceNumber
            0x04, 0xD0,  // uUpStreamMtu: 1232
            0x04, 0xD0,  // uDownStreamMtu: 1232
            0xD2, 0x35, 0xAC, 0x43, 0x89, 0x41, 0x42, 0xDA,  // uCorrelationId
            0xB1, 0x0E, 0xDD, 0x68, 0x87, 0xF7, 0xF9, 0xFB,
        ] + [UInt8](repeating: 0, count: 16))  // uReserved

    /// MS-RDPEUDP 4.1.2, from its capture line. (Its table repeats the FEC header
    /// as "00 00 00 42 04 00 02 01", contradicting both the capture and its own
    /// uFlags row, 0x0005; the capture is followed.)
    static let specSynAck: [UInt8] = padded([
        0x00, 0x00, 0x00, 0x42,  // snSourceAck: the client's snInitialSequenceNumber
        0x04, 0x00,  // uReceiveWindowSize: 1024
        0x00, 0x05,  // uFlags: SYN | ACK
        0x00, 0x00, 0x00, 0x42,  // snInitialSequenceNumber
        0x04, 0xD0,  // uUpStreamMtu: 1232
        0x04, 0xD0,  // uDownStreamMtu: 1232
    ])

    @Test("encodes and decodes the SYN of MS-RDPEUDP 4.1.1")
    func specSYNExample() throws {
        let correlation: [UInt8] = [
            0xD2, 0x35, 0xAC, 0x43, 0x89, 0x41, 0x42, 0xDA,
            0xB1, 0x0E, 0xDD, 0x68, 0x87, 0xF7, 0xF9, 0xFB,
        ]
        let syn = RDPUDPSynDatagram(
            sourceAck: RDPUDPSynDatagram.noAcknowledgement, receiveWindowSize: 1024, flags: [.syn, .synLossy],
            synData: RDPUDPSynData(initialSequenceNumber: 0x42), correlationID: correlation)
        #expect(syn.flags.rawValue == 0x0A01)
        let bytes = try syn.encode()
        #expect(bytes.count == 1232)
        #expect(bytes == Self.specSYN)
        #expect(try RDPUDPSynDatagram.decodeSyn(Self.specSYN[...]) == syn)
    }

    @Test("encodes and decodes the SYN+ACK of MS-RDPEUDP 4.1.2")
    func specSynAckExample() throws {
        let synAck = try RDPUDPSynDatagram.decodeSynAck(Self.specSynAck[...])
        #expect(synAck.sourceAck == 0x42)
        #expect(synAck.receiveWindowSize == 1024)
        #expect(synAck.flags == [.syn, .ack])
        #expect(synAck.isSynAck)
        #expect(synAck.synData == RDPUDPSynData(initialSequenceNumber: 0x42, upStreamMTU: 1232, downStreamMTU: 1232))
        #expect(synAck.correlationID == nil && synAck.synDataEx == nil)
        #expect(try synAck.encode() == Self.specSynAck)
    }

    @Test("decodes an unpadded SYN+ACK seen from a Windows server on the Internet")
    func unpaddedAnswer() throws {
        // The answer shown by BinaryEdge's public "rdpeudp" module documentation,
        // 000000000040000598aeca6a04d004d0: only the meaningful 16 bytes were kept.
        let bytes: [UInt8] = [
            0x00, 0x00, 0x00, 0x00,  // snSourceAck: the scanner's initial sequence number, 0
            0x00, 0x40,  // uReceiveWindowSize: 64
            0x00, 0x05,  // uFlags: SYN | ACK
            0x98, 0xAE, 0xCA, 0x6A,  // snInitialSequenceNumber
            0x04, 0xD0, 0x04, 0xD0,  // uUpStreamMtu, uDownStreamMtu: 1232
        ]
        let synAck = try RDPUDPSynDatagram.decodeSynAck(bytes[...])
        #expect(synAck.receiveWindowSize == 64)
        #expect(synAck.synData.initialSequenceNumber == 0x98AE_CA6A)
        #expect(try synAck.encode(padded: false) == bytes)
    }

    @Test("the probe's SYN offers version 2 in a SYNDATAEX and is padded to 1232 bytes")
    func clientSYN() throws {
        let syn = RDPUDPSynDatagram.clientSYN(initialSequenceNumber: 0x1234_5678)
        let bytes = try syn.encode()
        #expect(bytes.count == 1232)
        #expect(
            Array(bytes.prefix(20)) == [
                0xFF, 0xFF, 0xFF, 0xFF,  // snSourceAck: -1
                0x00, 0x40,  // uReceiveWindowSize: 64
                0x10, 0x01,  // uFlags: SYNEX | SYN
                0x12, 0x34, 0x56, 0x78,  // snInitialSequenceNumber
                0x04, 0xD0, 0x04, 0xD0,  // uUpStreamMtu, uDownStreamMtu: 1232
                0x00, 0x01,  // uSynExFlags: RDPUDP_VERSION_INFO_VALID
                0x00, 0x02,  // uUdpVer: RDPUDP_PROTOCOL_VERSION_2
            ])
        #expect(bytes[20...].allSatisfy { $0 == 0 })
        #expect(try RDPUDPSynDatagram.decodeSyn(bytes[...]) == syn)
        #expect(syn.synDataEx?.version == .version2)
    }

    @Test("a SYN without SYNDATAEX is answered without one; with it, at the lower version")
    func negotiation() throws {
        let plain = RDPUDPSynDatagram.clientSYN(initialSequenceNumber: 7, version: nil)
        #expect(try plain.encode(padded: false).count == RDPUDPSynDatagram.minimumSize)
        let answerPlain = RDPUDPSynDatagram.synAck(answering: plain, initialSequenceNumber: 99)
        #expect(answerPlain.synDataEx == nil)
        #expect(answerPlain.sourceAck == 7)

        let offers2 = RDPUDPSynDatagram.clientSYN(initialSequenceNumber: 7, version: .version2)
        let answer = RDPUDPSynDatagram.synAck(
            answering: offers2, initialSequenceNumber: 99, mtu: 1200,
            highestVersion: .version3)
        #expect(answer.synDataEx?.version == .version2)
        #expect(answer.synData.upStreamMTU == 1200 && answer.synData.downStreamMTU == 1200)
        let bytes = try answer.encode()
        #expect(bytes.count == 1200)
        #expect(
            Array(bytes.prefix(20)) == [
                0x00, 0x00, 0x00, 0x07,  // snSourceAck: the SYN's snInitialSequenceNumber
                0x00, 0x40,  // uReceiveWindowSize: 64
                0x10, 0x05,  // uFlags: SYNEX | ACK | SYN
                0x00, 0x00, 0x00, 0x63,  // snInitialSequenceNumber 99
                0x04, 0xB0, 0x04, 0xB0,  // MTUs: 1200
                0x00, 0x01, 0x00, 0x02,  // VERSION_INFO_VALID, RDPUDP_PROTOCOL_VERSION_2
            ])
        #expect(try RDPUDPSynDatagram.decodeSynAck(bytes[...]) == answer)
    }

    @Test("a version 3 SYN carries the cookie hash; a version 3 SYN+ACK does not")
    func version3() throws {
        let hash = [UInt8](1...32)
        var syn = RDPUDPSynDatagram.clientSYN(initialSequenceNumber: 1, version: .version3)
        syn.synDataEx?.cookieHash = hash
        let bytes = try syn.encode(padded: false)
        #expect(bytes.count == RDPUDPSynDatagram.minimumSize + 4 + 32)
        #expect(try RDPUDPSynDatagram.decodeSyn(bytes[...]).synDataEx?.cookieHash == hash)

        let answer = RDPUDPSynDatagram.synAck(answering: syn, initialSequenceNumber: 2, highestVersion: .version3)
        #expect(answer.synDataEx == RDPUDPSynDataEx(version: .version3))
        let decoded = try RDPUDPSynDatagram.decodeSynAck(try answer.encode()[...])
        #expect(decoded.synDataEx?.cookieHash == nil)
        #expect(decoded.synDataEx?.version?.name == "RDPUDP_PROTOCOL_VERSION_3")
    }

    @Test("unknown flags, versions and SYNEX flags are kept")
    func unknownValuesKept() throws {
        let bytes: [UInt8] = [
            0x00, 0x00, 0x00, 0x01, 0x00, 0x40,
            0x90, 0x05,  // uFlags: 0x8000 (unknown) | SYNEX | ACK | SYN
            0x00, 0x00, 0x00, 0x02, 0x04, 0xD0, 0x04, 0x6C,  // downstream MTU 1132, the minimum
            0x00, 0x03,  // uSynExFlags: VERSION_INFO_VALID | 0x0002 (unknown)
            0x00, 0x07,  // uUdpVer: 7, not yet defined
        ]
        let synAck = try RDPUDPSynDatagram.decodeSynAck(bytes[...])
        #expect(synAck.flags.rawValue == 0x9005)
        #expect(synAck.flags.names == ["RDPUDP_FLAG_SYN", "RDPUDP_FLAG_ACK", "RDPUDP_FLAG_SYNEX", "0x8000"])
        #expect(synAck.synDataEx?.synExFlags == 0x0003)
        #expect(synAck.synDataEx?.version == RDPUDPProtocolVersion(rawValue: 7))
        #expect(synAck.synDataEx?.version?.name == "unknown RDP-UDP version 0x0007")
        #expect(try synAck.encode(padded: false) == bytes)
    }

    @Test("SYNDATAEX without VERSION_INFO_VALID has no version")
    func versionNotValid() throws {
        let bytes: [UInt8] = [
            0, 0, 0, 1, 0, 0x40, 0x10, 0x05, 0, 0, 0, 2, 0x04, 0xD0, 0x04, 0xD0,
            0x00, 0x00, 0x00, 0x02,
        ]
        let synAck = try RDPUDPSynDatagram.decodeSynAck(bytes[...])
        #expect(synAck.synDataEx != nil)
        #expect(synAck.synDataEx?.version == nil)
    }

    // MARK: - Malformed

    @Test(
        "every prefix of a SYN+ACK is refused",
        arguments: [
            Array(RDPEUDPTests.specSynAck.prefix(16)),
            [0, 0, 0, 1, 0, 0x40, 0x10, 0x05, 0, 0, 0, 2, 0x04, 0xD0, 0x04, 0xD0, 0x00, 0x01, 0x00, 0x02],
            [0, 0, 0, 1, 0, 0x40, 0x08, 0x05, 0, 0, 0, 2, 0x04, 0xD0, 0x04, 0xD0] + [UInt8](1...16) + [UInt8](repeating: 0, count: 16),
        ] as [[UInt8]])
    func everyPrefix(bytes: [UInt8]) throws {
        _ = try RDPUDPSynDatagram.decodeSynAck(bytes[...])
        expectEveryPrefixThrows(bytes) { prefix throws(WireError) in
            _ = try RDPUDPSynDatagram.decodeSynAck(prefix)
        }
    }

    @Test("every prefix of a version 3 SYN is refused")
    func everyPrefixOfSYN() throws {
        var syn = RDPUDPSynDatagram.clientSYN(initialSequenceNumber: 1, version: .version3)
        syn.synDataEx?.cookieHash = [UInt8](repeating: 0xAB, count: 32)
        expectEveryPrefixThrows(try syn.encode(padded: false)) { prefix throws(WireError) in
            _ = try RDPUDPSynDatagram.decodeSyn(prefix)
        }
    }

    @Test(
        "a datagram without SYN and ACK is not a SYN+ACK",
        arguments: [
            (0x0001, "RDPUDP_FLAG_SYN"),  // the client's own SYN reflected
            (0x0004, "RDPUDP_FLAG_ACK"),  // a bare ACK
            (0x000C, "RDPUDP_FLAG_ACK | RDPUDP_FLAG_DATA"),  // a data packet
            (0x0000, "no flags"),
        ] as [(UInt16, String)])
    func wrongFlags(flags: UInt16, names: String) {
        var bytes = Self.specSynAck
        bytes[6] = UInt8(flags >> 8)
        bytes[7] = UInt8(flags & 0xFF)
        #expect(
            throws: WireError(
                .invalidField(reason: "is \(hexString(flags)) (\(names)), expected RDPUDP_FLAG_SYN | RDPUDP_FLAG_ACK"),
                pdu: "RDP-UDP SYN+ACK datagram", field: "uFlags")
        ) {
            try RDPUDPSynDatagram.decodeSynAck(bytes[...])
        }
    }

    @Test("a SYN+ACK is not a SYN")
    func synAckIsNotSYN() {
        #expect(throws: WireError.self) { try RDPUDPSynDatagram.decodeSyn(Self.specSynAck[...]) }
    }

    @Test(
        "MTUs outside 1132...1232 are refused",
        arguments: [
            (UInt16(1500), UInt16(1232), "uUpStreamMtu"), (1232, 1131, "uDownStreamMtu"), (0, 1232, "uUpStreamMtu"),
        ] as [(UInt16, UInt16, String)])
    func mtuRange(up: UInt16, down: UInt16, field: String) throws {
        var bytes = Self.specSynAck
        bytes[12] = UInt8(up >> 8); bytes[13] = UInt8(up & 0xFF)
        bytes[14] = UInt8(down >> 8); bytes[15] = UInt8(down & 0xFF)
        let bad = field == "uUpStreamMtu" ? up : down
        #expect(
            throws: WireError(
                .invalidField(reason: "is \(bad), outside 1132...1232"),
                pdu: "RDP-UDP SYN+ACK datagram", field: field)
        ) {
            try RDPUDPSynDatagram.decodeSynAck(bytes[...])
        }
        let datagram = RDPUDPSynDatagram(
            sourceAck: 1, receiveWindowSize: 64, flags: [.syn, .ack],
            synData: RDPUDPSynData(initialSequenceNumber: 1, upStreamMTU: up, downStreamMTU: down))
        #expect(throws: WireError.self) { try datagram.encode() }
    }

    @Test("the encoder refuses a correlation id or cookie hash of the wrong size")
    func encoderChecks() {
        let short = RDPUDPSynDatagram.clientSYN(initialSequenceNumber: 1, correlationID: [UInt8](repeating: 1, count: 15))
        #expect(
            throws: WireError(
                .invalidField(reason: "has 15 bytes, expected 16"),
                pdu: "RDP-UDP SYN datagram", field: "uCorrelationId")
        ) { try short.encode() }
        var hash = RDPUDPSynDatagram.clientSYN(initialSequenceNumber: 1, version: .version3)
        hash.synDataEx?.cookieHash = [1, 2, 3]
        #expect(throws: WireError.self) { try hash.encode() }
    }

    @Test("the payload flags follow the payloads")
    func payloadFlagsFollowPayloads() {
        var syn = RDPUDPSynDatagram(
            sourceAck: 0, receiveWindowSize: 0, flags: [.syn, .correlationID, .synEx],
            synData: RDPUDPSynData(initialSequenceNumber: 0))
        #expect(syn.flags == [.syn])
        syn.synDataEx = RDPUDPSynDataEx(version: nil)
        #expect(syn.flags == [.syn, .synEx])
    }

    @Test("mutated SYN+ACKs decode or throw, never crash")
    func mutations() throws {
        let answer = RDPUDPSynDatagram.synAck(
            answering: .clientSYN(initialSequenceNumber: 5, correlationID: [UInt8](1...16)), initialSequenceNumber: 9)
        var seed = try answer.encode(padded: false)
        seed[6] |= 0x08  // add CORRELATION_ID (0x0800) so its payload is read too
        seed += [UInt8](repeating: 0x11, count: 32)
        forEachMutation(of: seed) { mutated in
            _ = try? RDPUDPSynDatagram.decodeSynAck(mutated[...])
            _ = try? RDPUDPSynDatagram.decodeSyn(mutated[...])
        }
    }
}
