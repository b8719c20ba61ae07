import RDPWire

// With HYBRID_EX the server sends, right after CredSSP, a 4-byte
// little-endian Early User Authorization Result PDU (MS-RDPBCGR 2.2.10.2):
// whether this user may log on remotely at all.

/// The server's early authorization verdict. Open: unknown values are kept.
public struct EarlyUserAuthorizationResult: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// AUTHZ_SUCCESS: the user is authorized.
    public static let success = EarlyUserAuthorizationResult(rawValue: 0x0000_0000)
    /// AUTHZ_ACCESS_DENIED: the user lacks the right to log on remotely.
    public static let accessDenied = EarlyUserAuthorizationResult(rawValue: 0x0000_0005)

    public static let encodedCount = 4

    /// Decodes exactly four bytes.
    public init(decoding bytes: [UInt8]) throws(CredSSPError) {
        guard bytes.count == Self.encodedCount else {
            throw .wrongLength(expected: Self.encodedCount, found: bytes.count)
        }
        rawValue = UInt32(bytes[0]) | UInt32(bytes[1]) << 8 | UInt32(bytes[2]) << 16 | UInt32(bytes[3]) << 24
    }

    public var encoded: [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: rawValue >> UInt32(8 * $0)) } }

    public var description: String {
        switch self {
        case .success: "AUTHZ_SUCCESS"
        case .accessDenied: "AUTHZ_ACCESS_DENIED"
        default: "authorization result 0x" + String(rawValue, radix: 16, uppercase: true)
        }
    }
}

extension EarlyUserAuthorizationResult: RawValueCodable {}
