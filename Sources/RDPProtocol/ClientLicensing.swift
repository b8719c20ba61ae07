import RDPWire

/// The two licensing messages a client without a stored license sends
/// (MS-RDPELE 2.2.2.2 Client New License Request, 2.2.2.5 Client Platform
/// Challenge Response). A probe has no license to protect, so the encrypted
/// parts carry zeros of the right size: enough for a server that only
/// counts the exchange, and an honest "no license" to one that checks.
public enum ClientLicensing {
    enum MessageType {
        static let newLicenseRequest: UInt8 = 0x13
        static let platformChallengeResponse: UInt8 = 0x15
    }
    /// PREAMBLE_VERSION_3_0 with EXTENDED_ERROR_MSG_SUPPORTED.
    static let preambleFlags: UInt8 = 0x83

    enum BlobType {
        static let random: UInt16 = 0x0002
        static let encryptedData: UInt16 = 0x0009
        static let clientUserName: UInt16 = 0x000F
        static let clientMachineName: UInt16 = 0x0010
    }

    /// Security header (SEC_LICENSE_PKT) + Client New License Request.
    public static func newLicenseRequest(
        userName: String = "rdpdoctor", machineName: String = "rdpdoctor",
        modulusLength: Int = 64
    ) -> [UInt8] {
        var body = ByteWriter(capacity: 200)
        body.u32LE(0x0000_0001)  // PreferredKeyExchangeAlg: RSA
        body.u32LE(0x0401_0000)  // PlatformId: Windows NT, Microsoft image
        body.zeros(32)  // ClientRandom
        blob(&body, BlobType.random, [UInt8](repeating: 0, count: modulusLength + 8))  // EncryptedPreMasterSecret
        blob(&body, BlobType.clientUserName, Array(userName.utf8) + [0])
        blob(&body, BlobType.clientMachineName, Array(machineName.utf8) + [0])
        return message(MessageType.newLicenseRequest, body.bytes)
    }

    /// Security header (SEC_LICENSE_PKT) + Client Platform Challenge Response.
    public static func platformChallengeResponse() -> [UInt8] {
        var body = ByteWriter(capacity: 80)
        blob(&body, BlobType.encryptedData, [UInt8](repeating: 0, count: 18))  // EncryptedPlatformChallengeResponse
        blob(&body, BlobType.encryptedData, [UInt8](repeating: 0, count: 20))  // EncryptedHWID
        body.zeros(16)  // MACData
        return message(MessageType.platformChallengeResponse, body.bytes)
    }

    private static func message(_ type: UInt8, _ body: [UInt8]) -> [UInt8] {
        var w = ByteWriter(capacity: body.count + 8)
        w.append(SecurityHeader(flags: .licensePacket).encodeBasic())
        w.u8(type)
        w.u8(preambleFlags)
        w.u16LE(UInt16(body.count + 4))  // wMsgSize includes the preamble
        w.append(body)
        return w.bytes
    }

    private static func blob(_ w: inout ByteWriter, _ type: UInt16, _ data: [UInt8]) {
        w.u16LE(type)
        w.u16LE(UInt16(data.count))
        w.append(data)
    }
}
