import RDPWire

/// TS_SECURITY_HEADER flags (MS-RDPBCGR 2.2.8.1.1.2.1).
public struct SecurityFlags: OptionSet, Hashable, Sendable {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let exchangePacket = SecurityFlags(rawValue: 0x0001)
    public static let transportRequest = SecurityFlags(rawValue: 0x0002)
    public static let transportResponse = SecurityFlags(rawValue: 0x0004)
    public static let encrypt = SecurityFlags(rawValue: 0x0008)
    public static let resetSequenceNumber = SecurityFlags(rawValue: 0x0010)
    public static let ignoreSequenceNumber = SecurityFlags(rawValue: 0x0020)
    public static let infoPacket = SecurityFlags(rawValue: 0x0040)
    public static let licensePacket = SecurityFlags(rawValue: 0x0080)
    public static let licenseEncrypt = SecurityFlags(rawValue: 0x0200)
    public static let redirectionPacket = SecurityFlags(rawValue: 0x0400)
    public static let secureChecksum = SecurityFlags(rawValue: 0x0800)
    public static let autodetectRequest = SecurityFlags(rawValue: 0x1000)
    public static let autodetectResponse = SecurityFlags(rawValue: 0x2000)
    public static let heartbeat = SecurityFlags(rawValue: 0x4000)
    public static let flagsHiValid = SecurityFlags(rawValue: 0x8000)
}

/// The security header in front of slow-path PDUs (2.2.8.1.1.2): the basic
/// form (2.2.8.1.1.2.1) and, when SEC_ENCRYPT is set, the MAC of the non-FIPS
/// form (2.2.8.1.1.2.2) or the FIPS form (2.2.8.1.1.2.3). Decryption itself is
/// not done here.
public struct SecurityHeader: Equatable, Sendable {
    public var flags: SecurityFlags
    public var flagsHi: UInt16
    /// The 8-byte MAC, present when `flags` has `.encrypt`.
    public var dataSignature: [UInt8]?
    /// FIPS only: padding bytes added before encryption.
    public var fipsPadLength: UInt8?

    public init(flags: SecurityFlags, flagsHi: UInt16 = 0) {
        self.flags = flags
        self.flagsHi = flagsHi
    }

    static let pdu = "security header"

    /// Reads the header; `fips` selects the FIPS layout when encrypted
    /// (encryption method FIPS was negotiated).
    public static func decode(from reader: inout ByteReader, fips: Bool = false) throws(WireError) -> SecurityHeader {
        let previous = reader.pdu
        reader.pdu = pdu
        defer { reader.pdu = previous }
        var header = SecurityHeader(
            flags: SecurityFlags(rawValue: try reader.u16LE("flags")),
            flagsHi: try reader.u16LE("flagsHi"))
        if header.flags.contains(.encrypt) {
            if fips {
                let length = try reader.u16LE("FIPS length")
                guard length == 0x10 else {
                    throw reader.error(.invalidField(reason: "is \(length), expected 16"), field: "FIPS length")
                }
                try reader.skip(1, "FIPS version")
                header.fipsPadLength = try reader.u8("padlen")
            }
            header.dataSignature = Array(try reader.bytes(8, "dataSignature"))
        }
        return header
    }

    /// The basic header only (what enhanced security uses).
    public func encodeBasic() -> [UInt8] {
        var w = ByteWriter(capacity: 4)
        w.u16LE(flags.rawValue)
        w.u16LE(flagsHi)
        return w.bytes
    }
}
