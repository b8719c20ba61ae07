import RDPWire

/// Logon notification errors in TS_LOGON_ERRORS_INFO (MS-RDPBCGR 2.2.10.1.1.4.1.1).
public struct LogonErrorType: RawRepresentable, Hashable, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let failedBadPassword = LogonErrorType(rawValue: 0x0000_0000)
    public static let failedUpdatePassword = LogonErrorType(rawValue: 0x0000_0001)
    public static let failedOther = LogonErrorType(rawValue: 0x0000_0002)
    public static let warning = LogonErrorType(rawValue: 0x0000_0003)
    public static let sessionBusyOptions = LogonErrorType(rawValue: 0xFFFF_FFF8)
    public static let disconnectRefused = LogonErrorType(rawValue: 0xFFFF_FFF9)
    public static let noPermission = LogonErrorType(rawValue: 0xFFFF_FFFA)
    public static let bumpOptions = LogonErrorType(rawValue: 0xFFFF_FFFB)
    public static let reconnectOptions = LogonErrorType(rawValue: 0xFFFF_FFFC)
    public static let sessionTerminate = LogonErrorType(rawValue: 0xFFFF_FFFD)
    public static let sessionContinue = LogonErrorType(rawValue: 0xFFFF_FFFE)
}

/// TS_LOGON_ERRORS_INFO: a type and, for failures, an NTSTATUS-like detail.
public struct LogonError: Equatable, Sendable {
    public var type: LogonErrorType
    public var data: UInt32

    public init(type: LogonErrorType, data: UInt32) {
        self.type = type
        self.data = data
    }
}

/// Save Session Info PDU data (TS_SAVE_SESSION_INFO_PDU_DATA, 2.2.10.1.1).
public enum SaveSessionInfo: Equatable, Sendable {
    /// INFOTYPE_LOGON (TS_LOGON_INFO, 2.2.10.1.1.1): the user logged on.
    case logon(domain: String, userName: String, sessionID: UInt32)
    /// INFOTYPE_LOGON_LONG (TS_LOGON_INFO_VERSION_2, 2.2.10.1.1.2).
    case logonLong(domain: String, userName: String, sessionID: UInt32)
    /// INFOTYPE_LOGON_PLAINNOTIFY (2.2.10.1.1.3): logon happened, no details.
    case plainNotify
    /// INFOTYPE_LOGON_EXTENDED_INFO (2.2.10.1.1.4): logon errors and/or an
    /// auto-reconnect cookie.
    case extended(logonError: LogonError?, hasAutoReconnectCookie: Bool)
    case unknown(infoType: UInt32)

    static func decode(from reader: inout ByteReader) throws(WireError) -> SaveSessionInfo {
        let infoType = try reader.u32LE("infoType")
        switch infoType {
        case 0:
            let domainLength = Int(try reader.u32LE("cbDomain"))
            let domain = try reader.bytes(52, "Domain")
            let userLength = Int(try reader.u32LE("cbUserName"))
            let user = try reader.bytes(512, "UserName")
            let session = try reader.u32LE("SessionId")
            return .logon(
                domain: UTF16LE.decodeUntilNUL(domain.prefix(domainLength)),
                userName: UTF16LE.decodeUntilNUL(user.prefix(userLength)), sessionID: session)
        case 1:
            try reader.skip(2 + 4, "Version and Size")
            let session = try reader.u32LE("SessionId")
            let domainLength = Int(try reader.u32LE("cbDomain"))
            let userLength = Int(try reader.u32LE("cbUserName"))
            try reader.skip(558, "Pad")
            try reader.check(declaredLength: domainLength, "cbDomain")
            let domain = UTF16LE.decodeUntilNUL(try reader.bytes(domainLength, "Domain"))
            try reader.check(declaredLength: userLength, "cbUserName")
            let user = UTF16LE.decodeUntilNUL(try reader.bytes(userLength, "UserName"))
            return .logonLong(domain: domain, userName: user, sessionID: session)
        case 2:
            return .plainNotify
        case 3:
            let length = Int(try reader.u16LE("Length"))
            // Length counts itself, FieldsPresent and the fields.
            guard length >= 6 else {
                throw reader.error(.invalidField(reason: "\(length) is shorter than its own header"), field: "Length")
            }
            var fields = try reader.subReader(length: length - 2, "Length")
            let present = try fields.u32LE("FieldsPresent")
            var hasCookie = false
            var logonError: LogonError?
            if present & 0x01 != 0 {
                let size = Int(try fields.u32LE("cbFieldData"))
                try fields.skip(size, "autoReconnect cookie")
                hasCookie = true
            }
            if present & 0x02 != 0 {
                let size = Int(try fields.u32LE("cbFieldData"))
                var errors = try fields.subReader(length: size, "cbFieldData")
                logonError = LogonError(
                    type: LogonErrorType(rawValue: try errors.u32LE("ErrorNotificationType")),
                    data: try errors.u32LE("ErrorNotificationData"))
            }
            return .extended(logonError: logonError, hasAutoReconnectCookie: hasCookie)
        default:
            return .unknown(infoType: infoType)
        }
    }
}
