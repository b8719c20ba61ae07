import RDPProtocol
import RDPWire
import Testing

@Suite("Security header and licensing")
struct LicensingTests {
    /// The decrypted licensing packet of MS-RDPBCGR 4.1.11.
    static let validClient: [UInt8] = [
        0xFF,  // bMsgType ERROR_ALERT
        0x03,  // flags: PREAMBLE_VERSION_3_0
        0x10, 0x00,  // wMsgSize 16
        0x07, 0x00, 0x00, 0x00,  // dwErrorCode STATUS_VALID_CLIENT
        0x02, 0x00, 0x00, 0x00,  // dwStateTransition ST_NO_TRANSITION
        0x04, 0x00,  // wBlobType BB_ERROR_BLOB
        0x00, 0x00,  // wBlobLen 0
    ]

    @Test("STATUS_VALID_CLIENT with ST_NO_TRANSITION is success")
    func validClient() throws {
        let pdu = try ServerLicensingPDU.decode(Self.validClient[...])
        #expect(pdu.messageType == .errorAlert)
        #expect(pdu.preambleVersion == 3)
        guard case let .errorAlert(message) = pdu.message else {
            Issue.record("expected an error alert")
            return
        }
        #expect(message.isValidClient)
        #expect(message.blobType == 0x0004)
        #expect(message.blob.isEmpty)
    }

    @Test("an enhanced-security licensing PDU: basic header, then the packet")
    func enhancedSecurity() throws {
        let userData: [UInt8] =
            [
                0x80, 0x00,  // flags SEC_LICENSE_PKT
                0x00, 0x00,  // flagsHi
            ] + Self.validClient
        var reader = ByteReader(userData, pdu: "test")
        let header = try SecurityHeader.decode(from: &reader)
        #expect(header.flags == .licensePacket)
        #expect(header.dataSignature == nil)
        let pdu = try ServerLicensingPDU.decode(reader.rest())
        #expect(pdu.messageType == .errorAlert)
    }

    @Test("a FIPS header reads its length, version and padding")
    func fips() throws {
        let bytes: [UInt8] = [
            0x08, 0x00, 0x00, 0x00,  // flags SEC_ENCRYPT, flagsHi
            0x10, 0x00,  // length 16
            0x01,  // version TSFIPS_VERSION1
            0x05,  // padlen 5
            1, 2, 3, 4, 5, 6, 7, 8,  // dataSignature
        ]
        var reader = ByteReader(bytes, pdu: "test")
        let header = try SecurityHeader.decode(from: &reader, fips: true)
        #expect(header.fipsPadLength == 5)
        #expect(header.dataSignature == [1, 2, 3, 4, 5, 6, 7, 8])
        #expect(reader.isAtEnd)
        #expect(SecurityHeader(flags: [.infoPacket]).encodeBasic() == [0x40, 0x00, 0x00, 0x00])
    }

    @Test("a licence refusal keeps its code, transition and blob")
    func refusal() throws {
        let bytes: [UInt8] = [
            0xFF, 0x83,  // ERROR_ALERT, version 3 | EXTENDED_ERROR_MSG_SUPPORTED
            0x13, 0x00,  // wMsgSize 19
            0x06, 0x00, 0x00, 0x00,  // ERR_NO_LICENSE_SERVER
            0x01, 0x00, 0x00, 0x00,  // ST_TOTAL_ABORT
            0x04, 0x00, 0x03, 0x00,  // BB_ERROR_BLOB, 3 bytes
            0xAA, 0xBB, 0xCC,
        ]
        guard case let .errorAlert(message) = try ServerLicensingPDU.decode(bytes[...]).message else {
            Issue.record("expected an error alert")
            return
        }
        #expect(message.errorCode == .noLicenseServer)
        #expect(message.stateTransition == .totalAbort)
        #expect(message.blob == [0xAA, 0xBB, 0xCC])
        #expect(!message.isValidClient)
    }

    @Test(
        "other licensing messages are recognised by type",
        arguments: [
            (UInt8(0x01), LicenseMessageType.licenseRequest),
            (UInt8(0x02), LicenseMessageType.platformChallenge),
            (UInt8(0x03), LicenseMessageType.newLicense),
            (UInt8(0x04), LicenseMessageType.upgradeLicense),
            (UInt8(0x42), LicenseMessageType(rawValue: 0x42)),
        ])
    func recognised(raw: UInt8, type: LicenseMessageType) throws {
        let pdu = try ServerLicensingPDU.decode([raw, 0x03, 0x06, 0x00, 0xDE, 0xAD][...])
        #expect(pdu.messageType == type)
        #expect(pdu.message == .other(type, [0xDE, 0xAD]))
    }

    @Test("malformed licensing PDUs are refused")
    func malformed() {
        expectEveryPrefixThrows(Self.validClient) { bytes throws(WireError) in _ = try ServerLicensingPDU.decode(bytes) }
        #expect(throws: WireError.self) { _ = try ServerLicensingPDU.decode([0xFF, 0x03, 0x02, 0x00][...]) }
        var bigSize = Self.validClient
        bigSize[2] = 0xFF
        #expect(throws: WireError.self) { _ = try ServerLicensingPDU.decode(bigSize[...]) }
        var bigBlob = Self.validClient
        bigBlob[14] = 0x01
        #expect(throws: WireError.self) { _ = try ServerLicensingPDU.decode(bigBlob[...]) }
        forEachMutation(of: Self.validClient) { bytes in _ = try? ServerLicensingPDU.decode(bytes[...]) }
        var reader = ByteReader([0x08, 0x00, 0x00, 0x00, 1, 2, 3], pdu: "test")
        #expect(throws: WireError.self) { _ = try SecurityHeader.decode(from: &reader) }
    }
}
