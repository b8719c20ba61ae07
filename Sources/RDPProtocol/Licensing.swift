import RDPWire

/// bMsgType of a licensing PDU (MS-RDPBCGR 2.2.1.12.1.1).
public struct LicenseMessageType: RawRepresentable, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    // Server to client.
    public static let licenseRequest = LicenseMessageType(rawValue: 0x01)
    public static let platformChallenge = LicenseMessageType(rawValue: 0x02)
    public static let newLicense = LicenseMessageType(rawValue: 0x03)
    public static let upgradeLicense = LicenseMessageType(rawValue: 0x04)
    // Client to server.
    public static let licenseInfo = LicenseMessageType(rawValue: 0x12)
    public static let newLicenseRequest = LicenseMessageType(rawValue: 0x13)
    public static let platformChallengeResponse = LicenseMessageType(rawValue: 0x15)
    // Both.
    public static let errorAlert = LicenseMessageType(rawValue: 0xFF)
}

/// dwErrorCode of a licensing error message (2.2.1.12.1.3).
public struct LicenseErrorCode: RawRepresentable, Hashable, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let invalidServerCertificate = LicenseErrorCode(rawValue: 0x01)
    public static let noLicense = LicenseErrorCode(rawValue: 0x02)
    public static let invalidMAC = LicenseErrorCode(rawValue: 0x03)
    public static let invalidScope = LicenseErrorCode(rawValue: 0x04)
    public static let noLicenseServer = LicenseErrorCode(rawValue: 0x06)
    public static let validClient = LicenseErrorCode(rawValue: 0x07)
    public static let invalidClient = LicenseErrorCode(rawValue: 0x08)
    public static let invalidProductID = LicenseErrorCode(rawValue: 0x0B)
    public static let invalidMessageLength = LicenseErrorCode(rawValue: 0x0C)
}

/// dwStateTransition of a licensing error message (2.2.1.12.1.3).
public struct LicenseStateTransition: RawRepresentable, Hashable, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let totalAbort = LicenseStateTransition(rawValue: 1)
    public static let noTransition = LicenseStateTransition(rawValue: 2)
    public static let resetPhaseToStart = LicenseStateTransition(rawValue: 3)
    public static let resendLastMessage = LicenseStateTransition(rawValue: 4)
}

/// LICENSE_ERROR_MESSAGE (2.2.1.12.1.3).
public struct LicenseErrorMessage: Equatable, Sendable {
    public var errorCode: LicenseErrorCode
    public var stateTransition: LicenseStateTransition
    public var blobType: UInt16
    public var blob: [UInt8]

    public init(
        errorCode: LicenseErrorCode, stateTransition: LicenseStateTransition,
        blobType: UInt16 = 0x0004, blob: [UInt8] = []
    ) {
        self.errorCode = errorCode
        self.stateTransition = stateTransition
        self.blobType = blobType
        self.blob = blob
    }

    /// STATUS_VALID_CLIENT with ST_NO_TRANSITION: licensing is done and the
    /// server goes on to the capability exchange.
    public var isValidClient: Bool {
        errorCode == .validClient && stateTransition == .noTransition
    }
}

/// A server licensing PDU after its security header (2.2.1.12): the preamble
/// (2.2.1.12.1.1) and, for error alerts, the decoded message.
public struct ServerLicensingPDU: Equatable, Sendable {
    public enum Message: Equatable, Sendable {
        case errorAlert(LicenseErrorMessage)
        /// Any other message, recognised by type and kept undecoded.
        case other(LicenseMessageType, [UInt8])
    }

    public var messageType: LicenseMessageType
    /// Low nibble: PREAMBLE_VERSION_2_0 (2) or 3_0 (3); 0x80: EXTENDED_ERROR_MSG_SUPPORTED.
    public var flags: UInt8
    public var message: Message

    public var preambleVersion: UInt8 { flags & 0x0F }

    static let pdu = "Server licensing PDU"

    /// Decodes the licensing PDU that follows the security header.
    public static func decode(_ bytes: ArraySlice<UInt8>) throws(WireError) -> ServerLicensingPDU {
        var reader = ByteReader(bytes, pdu: pdu)
        let type = LicenseMessageType(rawValue: try reader.u8("bMsgType"))
        let flags = try reader.u8("flags")
        let size = Int(try reader.u16LE("wMsgSize"))
        guard size >= 4 else {
            throw reader.error(.invalidField(reason: "\(size) is shorter than the 4-byte preamble"), field: "wMsgSize")
        }
        var body = try reader.subReader(length: size - 4, "wMsgSize")
        guard type == .errorAlert else {
            return ServerLicensingPDU(messageType: type, flags: flags, message: .other(type, Array(body.rest())))
        }
        body.pdu = "Licensing Error Message"
        let code = LicenseErrorCode(rawValue: try body.u32LE("dwErrorCode"))
        let transition = LicenseStateTransition(rawValue: try body.u32LE("dwStateTransition"))
        let blobType = try body.u16LE("wBlobType")
        let blobLength = Int(try body.u16LE("wBlobLen"))
        try body.check(declaredLength: blobLength, "wBlobLen")
        let blob = Array(try body.bytes(blobLength, "blobData"))
        let message = LicenseErrorMessage(errorCode: code, stateTransition: transition, blobType: blobType, blob: blob)
        return ServerLicensingPDU(messageType: type, flags: flags, message: .errorAlert(message))
    }
}
