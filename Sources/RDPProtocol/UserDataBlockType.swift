import RDPWire

/// The type in a GCC user data header (TS_UD_HEADER, MS-RDPBCGR 2.2.1.3.1 and
/// 2.2.1.4.1): client blocks are 0xC0xx, server blocks 0x0Cxx.
public struct UserDataBlockType: RawRepresentable, Hashable, Sendable {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let clientCore = UserDataBlockType(rawValue: 0xC001)
    public static let clientSecurity = UserDataBlockType(rawValue: 0xC002)
    public static let clientNetwork = UserDataBlockType(rawValue: 0xC003)
    public static let clientCluster = UserDataBlockType(rawValue: 0xC004)
    public static let clientMonitor = UserDataBlockType(rawValue: 0xC005)
    public static let clientMessageChannel = UserDataBlockType(rawValue: 0xC006)
    public static let clientMonitorExtended = UserDataBlockType(rawValue: 0xC008)
    public static let clientMultitransport = UserDataBlockType(rawValue: 0xC00A)

    public static let serverCore = UserDataBlockType(rawValue: 0x0C01)
    public static let serverSecurity = UserDataBlockType(rawValue: 0x0C02)
    public static let serverNetwork = UserDataBlockType(rawValue: 0x0C03)
    public static let serverMessageChannel = UserDataBlockType(rawValue: 0x0C04)
    public static let serverMultitransport = UserDataBlockType(rawValue: 0x0C08)
}

extension ByteWriter {
    /// Writes a block with its TS_UD_HEADER; the length includes the header.
    mutating func userDataBlock(_ type: UserDataBlockType, _ body: [UInt8]) {
        u16LE(type.rawValue)
        u16LE(UInt16(truncatingIfNeeded: body.count + 4))
        append(body)
    }
}

/// RDP protocol versions in TS_UD_CS_CORE / TS_UD_SC_CORE (2.2.1.3.2, 2.2.1.4.2).
public struct RDPVersion: RawRepresentable, Hashable, Comparable, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let rdp4 = RDPVersion(rawValue: 0x0008_0001)
    public static let rdp5Plus = RDPVersion(rawValue: 0x0008_0004)
    public static let rdp10_0 = RDPVersion(rawValue: 0x0008_0005)
    public static let rdp10_1 = RDPVersion(rawValue: 0x0008_0006)
    public static let rdp10_2 = RDPVersion(rawValue: 0x0008_0007)
    public static let rdp10_3 = RDPVersion(rawValue: 0x0008_0008)
    public static let rdp10_4 = RDPVersion(rawValue: 0x0008_0009)
    public static let rdp10_5 = RDPVersion(rawValue: 0x0008_000A)
    public static let rdp10_6 = RDPVersion(rawValue: 0x0008_000B)
    public static let rdp10_7 = RDPVersion(rawValue: 0x0008_000C)
    public static let rdp10_8 = RDPVersion(rawValue: 0x0008_000D)
    public static let rdp10_9 = RDPVersion(rawValue: 0x0008_000E)
    public static let rdp10_10 = RDPVersion(rawValue: 0x0008_000F)
    public static let rdp10_11 = RDPVersion(rawValue: 0x0008_0010)
    public static let rdp10_12 = RDPVersion(rawValue: 0x0008_0011)

    public static func < (lhs: RDPVersion, rhs: RDPVersion) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// Standard RDP security encryption methods (2.2.1.3.3, 2.2.1.4.3).
public struct EncryptionMethods: OptionSet, Hashable, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let none: EncryptionMethods = []
    public static let bits40 = EncryptionMethods(rawValue: 0x01)
    public static let bits128 = EncryptionMethods(rawValue: 0x02)
    public static let bits56 = EncryptionMethods(rawValue: 0x08)
    public static let fips = EncryptionMethods(rawValue: 0x10)
    public static let all: EncryptionMethods = [.bits40, .bits128, .bits56, .fips]
}

/// Standard RDP security encryption level chosen by the server (2.2.1.4.3).
public struct EncryptionLevel: RawRepresentable, Hashable, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let none = EncryptionLevel(rawValue: 0)
    public static let low = EncryptionLevel(rawValue: 1)
    public static let clientCompatible = EncryptionLevel(rawValue: 2)
    public static let high = EncryptionLevel(rawValue: 3)
    public static let fips = EncryptionLevel(rawValue: 4)
}
