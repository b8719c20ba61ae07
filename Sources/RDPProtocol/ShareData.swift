import RDPWire

/// pduType2 in the share data header (MS-RDPBCGR 2.2.8.1.1.1.2).
public struct ShareDataPDUType: RawRepresentable, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let update = ShareDataPDUType(rawValue: 0x02)
    public static let control = ShareDataPDUType(rawValue: 0x14)
    public static let pointer = ShareDataPDUType(rawValue: 0x1B)
    public static let input = ShareDataPDUType(rawValue: 0x1C)
    public static let synchronize = ShareDataPDUType(rawValue: 0x1F)
    public static let refreshRect = ShareDataPDUType(rawValue: 0x21)
    public static let playSound = ShareDataPDUType(rawValue: 0x22)
    public static let suppressOutput = ShareDataPDUType(rawValue: 0x23)
    public static let shutdownRequest = ShareDataPDUType(rawValue: 0x24)
    public static let shutdownDenied = ShareDataPDUType(rawValue: 0x25)
    public static let saveSessionInfo = ShareDataPDUType(rawValue: 0x26)
    public static let fontList = ShareDataPDUType(rawValue: 0x27)
    public static let fontMap = ShareDataPDUType(rawValue: 0x28)
    public static let setKeyboardIndicators = ShareDataPDUType(rawValue: 0x29)
    public static let bitmapCachePersistentList = ShareDataPDUType(rawValue: 0x2B)
    public static let bitmapCacheError = ShareDataPDUType(rawValue: 0x2C)
    public static let setKeyboardIMEStatus = ShareDataPDUType(rawValue: 0x2D)
    public static let offscreenCacheError = ShareDataPDUType(rawValue: 0x2E)
    public static let setErrorInfo = ShareDataPDUType(rawValue: 0x2F)
    public static let drawNineGridError = ShareDataPDUType(rawValue: 0x30)
    public static let drawGDIPlusError = ShareDataPDUType(rawValue: 0x31)
    public static let autoReconnectStatus = ShareDataPDUType(rawValue: 0x32)
    public static let statusInfo = ShareDataPDUType(rawValue: 0x36)
    public static let monitorLayout = ShareDataPDUType(rawValue: 0x37)
}

/// TS_SHAREDATAHEADER after the share control header (2.2.8.1.1.1.2).
public struct ShareDataHeader: Equatable, Sendable {
    public var shareID: UInt32
    public var streamID: UInt8
    public var uncompressedLength: UInt16
    public var type: ShareDataPDUType
    public var compressedType: UInt8
    public var compressedLength: UInt16

    /// PACKET_COMPRESSED: the body needs bulk decompression, which is not done here.
    public var isCompressed: Bool { compressedType & 0x20 != 0 }

    static func decode(from reader: inout ByteReader) throws(WireError) -> ShareDataHeader {
        let shareID = try reader.u32LE("shareID")
        try reader.skip(1, "pad1")
        return ShareDataHeader(
            shareID: shareID,
            streamID: try reader.u8("streamID"),
            uncompressedLength: try reader.u16LE("uncompressedLength"),
            type: ShareDataPDUType(rawValue: try reader.u8("pduType2")),
            compressedType: try reader.u8("compressedType"),
            compressedLength: try reader.u16LE("compressedLength"))
    }
}

/// The server's errorInfo code (Set Error Info PDU, 2.2.5.1.1). The catalogue
/// explains the values; a few common ones are named for the state machine.
public struct ErrorInfoCode: RawRepresentable, Hashable, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let none = ErrorInfoCode(rawValue: 0x0000)
    public static let rpcInitiatedDisconnect = ErrorInfoCode(rawValue: 0x0001)
    public static let rpcInitiatedLogoff = ErrorInfoCode(rawValue: 0x0002)
    public static let idleTimeout = ErrorInfoCode(rawValue: 0x0003)
    public static let logonTimeout = ErrorInfoCode(rawValue: 0x0004)
    public static let disconnectedByOtherConnection = ErrorInfoCode(rawValue: 0x0005)
    public static let serverDeniedConnection = ErrorInfoCode(rawValue: 0x0007)
    public static let serverInsufficientPrivileges = ErrorInfoCode(rawValue: 0x0009)
    public static let serverFreshCredentialsRequired = ErrorInfoCode(rawValue: 0x000A)
    public static let rpcInitiatedDisconnectByUser = ErrorInfoCode(rawValue: 0x000B)
    public static let logoffByUser = ErrorInfoCode(rawValue: 0x000C)
}

/// A Data PDU body, after the share data header.
public enum ServerDataPDU: Equatable, Sendable {
    /// Set Error Info PDU (2.2.5.1.1): why the server is about to disconnect.
    case setErrorInfo(ErrorInfoCode)
    /// Save Session Info PDU (2.2.10.1): logon notifications.
    case saveSessionInfo(SaveSessionInfo)
    /// A compressed body, not decompressed here.
    case compressed(ShareDataPDUType)
    case other(ShareDataPDUType, [UInt8])

    static func decode(_ header: ShareDataHeader, from reader: inout ByteReader) throws(WireError) -> ServerDataPDU {
        if header.isCompressed {
            _ = reader.rest()
            return .compressed(header.type)
        }
        switch header.type {
        case .setErrorInfo:
            reader.pdu = "Set Error Info PDU"
            return .setErrorInfo(ErrorInfoCode(rawValue: try reader.u32LE("errorInfo")))
        case .saveSessionInfo:
            reader.pdu = "Save Session Info PDU"
            return .saveSessionInfo(try SaveSessionInfo.decode(from: &reader))
        default:
            return .other(header.type, Array(reader.rest()))
        }
    }
}
