import RDPProtocol
import RDPWire
import Testing

@Suite("MCS domain PDUs")
struct MCSDomainPDUTests {
    @Test("Erect Domain Request matches MS-RDPBCGR 4.1.5")
    func erectDomain() {
        #expect(
            MCSRequest.erectDomain() == [
                0x03, 0x00, 0x00, 0x0C,  // TPKT length 12
                0x02, 0xF0, 0x80,  // X.224 data
                0x04,  // erectDomainRequest (1) << 2
                0x01, 0x00,  // subHeight: length 1, value 0
                0x01, 0x00,  // subInterval: length 1, value 0
            ])
    }

    @Test("Attach User Request matches MS-RDPBCGR 4.1.6")
    func attachUser() {
        #expect(
            MCSRequest.attachUser() == [
                0x03, 0x00, 0x00, 0x08,  // TPKT length 8
                0x02, 0xF0, 0x80,  // X.224 data
                0x28,  // attachUserRequest (10) << 2
            ])
    }

    static let attachUserConfirm: [UInt8] = [
        0x03, 0x00, 0x00, 0x0B,  // TPKT length 11
        0x02, 0xF0, 0x80,  // X.224 data
        0x2E,  // attachUserConfirm (11) << 2, initiator present, result bit 3
        0x00,  // result bits 2–0 (rt-successful), padding
        0x00, 0x06,  // initiator 6 + 1001 = 1007
    ]

    @Test("Attach User Confirm of MS-RDPBCGR 4.1.7 gives the user channel")
    func attachUserConfirmDecode() throws {
        let pdu = try MCSDomainPDU.decode(frame: Self.attachUserConfirm[...])
        #expect(pdu == .attachUserConfirm(result: .successful, initiator: 1007))
    }

    @Test("a refused attach has no initiator")
    func attachRefused() throws {
        let frame = X224Data.frame([
            0x2D,  // attachUserConfirm, no initiator, result bit 3 = 1
            0xC0,  // result bits 2–0 = 110: 14 rt-unspecified-failure
        ])
        #expect(try MCSDomainPDU.decode(frame: frame[...]) == .attachUserConfirm(result: .unspecifiedFailure, initiator: nil))
    }

    @Test("Channel Join Request matches MS-RDPBCGR 4.1.8.2.1")
    func channelJoin() {
        #expect(
            MCSRequest.channelJoin(userID: 1007, channelID: 1003) == [
                0x03, 0x00, 0x00, 0x0C,  // TPKT length 12
                0x02, 0xF0, 0x80,  // X.224 data
                0x38,  // channelJoinRequest (14) << 2
                0x00, 0x06,  // initiator 1007 - 1001
                0x03, 0xEB,  // channelId 1003
            ])
    }

    static let channelJoinConfirm: [UInt8] = [
        0x03, 0x00, 0x00, 0x0F,  // TPKT length 15
        0x02, 0xF0, 0x80,  // X.224 data
        0x3E,  // channelJoinConfirm (15) << 2, channelId present
        0x00,  // result rt-successful, padding
        0x00, 0x06,  // initiator 1007
        0x03, 0xEF,  // requested 1007
        0x03, 0xEF,  // channelId 1007
    ]

    @Test("Channel Join Confirm of MS-RDPBCGR 4.1.8.1.2")
    func channelJoinConfirmDecode() throws {
        let pdu = try MCSDomainPDU.decode(frame: Self.channelJoinConfirm[...])
        #expect(pdu == .channelJoinConfirm(result: .successful, initiator: 1007, requested: 1007, channelID: 1007))
    }

    static let disconnect: [UInt8] = [
        0x03, 0x00, 0x00, 0x09,  // TPKT length 9
        0x02, 0xF0, 0x80,  // X.224 data
        0x21,  // disconnectProviderUltimatum (8) << 2, reason bits 2–1
        0x80,  // reason bit 0: 011 = rn-user-requested
    ]

    @Test("Disconnect Provider Ultimatum of MS-RDPBCGR 4.2.3, both ways")
    func disconnectProviderUltimatum() throws {
        #expect(MCSRequest.disconnectProviderUltimatum() == Self.disconnect)
        #expect(try MCSDomainPDU.decode(frame: Self.disconnect[...]) == .disconnectProviderUltimatum(.userRequested))
        for reason in UInt8(0)...4 {
            let frame = MCSRequest.disconnectProviderUltimatum(reason: MCSDisconnectReason(rawValue: reason))
            #expect(try MCSDomainPDU.decode(frame: frame[...]) == .disconnectProviderUltimatum(MCSDisconnectReason(rawValue: reason)))
        }
        #expect(MCSDisconnectReason.providerInitiated.name == "rn-provider-initiated")
    }

    @Test("Send Data Request round-trips, with a two-byte length")
    func sendData() throws {
        let small = try MCSRequest.sendData(userID: 1007, channelID: 1003, userData: [0xAA, 0xBB])
        #expect(
            small == [
                0x03, 0x00, 0x00, 0x10,  // TPKT length 16
                0x02, 0xF0, 0x80,  // X.224 data
                0x64,  // sendDataRequest (25) << 2
                0x00, 0x06,  // initiator 1007
                0x03, 0xEB,  // channelId 1003
                0x70,  // priority high, segmentation begin | end
                0x02,  // userData length 2
                0xAA, 0xBB,  // userData
            ])
        let payload = Array(repeating: UInt8(0x11), count: 300)
        let large = try MCSRequest.sendData(userID: 1007, channelID: 1003, userData: payload)
        #expect(Array(large[13..<15]) == [0x81, 0x2C])  // PER length 300 in two bytes
        guard case let .sendDataRequest(data) = try MCSDomainPDU.decode(frame: large[...]) else {
            Issue.record("expected a send data request")
            return
        }
        #expect(data.initiator == 1007 && data.channelID == 1003 && Array(data.userData) == payload)
        #expect(throws: WireError.self) {
            _ = try MCSRequest.sendData(userID: 1007, channelID: 1003, userData: Array(repeating: 0, count: 0x4000))
        }
    }

    /// The Send Data Indication header of MS-RDPBCGR 4.1.11, with its 28 bytes.
    static let licenseIndication: [UInt8] = [
        0x03, 0x00, 0x00, 0x2A,  // TPKT length 42
        0x02, 0xF0, 0x80,  // X.224 data
        0x68,  // sendDataIndication (26) << 2
        0x00, 0x01,  // initiator 1 + 1001 = 1002
        0x03, 0xEB,  // channelId 1003
        0x70,  // priority high, segmentation begin | end
        0x1C,  // userData length 28
        0x88, 0x02,  // security flags SEC_ENCRYPT | SEC_LICENSE_PKT | SEC_LICENSE_ENCRYPT
        0x02, 0x03,  // flagsHi (ignored)
        0x8D, 0x43, 0x9A, 0xAB, 0xD5, 0x2A, 0x31, 0x39,  // dataSignature
        0x62, 0x4D, 0xC1, 0xEC, 0x0D, 0x99, 0x88, 0xE6,  // encrypted licensing packet
        0xDA, 0xAB, 0x2C, 0x02, 0x72, 0x4D, 0x49, 0x90,
    ]

    @Test("Send Data Indication of MS-RDPBCGR 4.1.11 exposes its user data")
    func sendDataIndication() throws {
        guard case let .sendDataIndication(data) = try MCSDomainPDU.decode(frame: Self.licenseIndication[...]) else {
            Issue.record("expected a send data indication")
            return
        }
        #expect(data.initiator == 1002)
        #expect(data.channelID == 1003)
        #expect(data.userData.count == 28)
        var reader = ByteReader(data.userData, pdu: "test")
        let header = try SecurityHeader.decode(from: &reader)
        #expect(header.flags == [.encrypt, .licensePacket, .licenseEncrypt])
        #expect(header.dataSignature == [0x8D, 0x43, 0x9A, 0xAB, 0xD5, 0x2A, 0x31, 0x39])
        #expect(reader.remaining == 16)
    }

    @Test("other domain PDUs are kept by type")
    func other() throws {
        let frame = X224Data.frame([0x30, 0x00, 0x06])  // detachUserRequest (12)
        #expect(try MCSDomainPDU.decode(frame: frame[...]) == .other(MCSDomainPDUType(rawValue: 12), [0x00, 0x06][...]))
    }

    @Test("a non-data X.224 TPDU is named")
    func disconnectRequestTPDU() {
        let frame: [UInt8] = [0x03, 0x00, 0x00, 0x0B, 0x06, 0x80, 0x00, 0x00, 0x12, 0x34, 0x00]
        #expect {
            _ = try MCSDomainPDU.decode(frame: frame[...])
        } throws: { error in
            "\(error)".contains("disconnect request")
        }
    }

    @Test("every truncation is refused, and a user data length past the end too")
    func malformed() {
        for vector in [Self.attachUserConfirm, Self.channelJoinConfirm, Self.disconnect, Self.licenseIndication] {
            expectEveryPrefixThrows(vector) { bytes throws(WireError) in _ = try MCSDomainPDU.decode(frame: bytes) }
            forEachTruncatedFrame(vector) { frame in
                #expect(throws: WireError.self) { _ = try MCSDomainPDU.decode(frame: frame[...]) }
            }
            forEachMutation(of: vector) { bytes in _ = try? MCSDomainPDU.decode(frame: bytes[...]) }
        }
        var long = Self.licenseIndication
        long[13] = 0x7F
        #expect(
            throws: WireError(
                .lengthExceedsAvailable(declared: 127, available: 28),
                pdu: "MCS Send Data Indication", field: "userData length")
        ) {
            _ = try MCSDomainPDU.decode(frame: long[...])
        }
        #expect(throws: WireError.self) { _ = try MCSDomainPDU.decode([][...]) }
    }
}
