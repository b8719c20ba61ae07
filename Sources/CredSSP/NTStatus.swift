import RDPWire

// TSRequest.errorCode carries an NTSTATUS (MS-CSSP 2.2.1, version 3 and
// later): the server's reason for refusing the logon. Open type: any value is
// kept; the catalogue, not this code, explains what each means.

/// A Windows NTSTATUS value.
public struct NTStatus: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let success = NTStatus(rawValue: 0x0000_0000)
    public static let accessDenied = NTStatus(rawValue: 0xC000_0022)
    public static let noSuchUser = NTStatus(rawValue: 0xC000_0064)
    public static let wrongPassword = NTStatus(rawValue: 0xC000_006A)
    public static let logonFailure = NTStatus(rawValue: 0xC000_006D)
    public static let accountRestriction = NTStatus(rawValue: 0xC000_006E)
    public static let passwordExpired = NTStatus(rawValue: 0xC000_0071)
    public static let accountDisabled = NTStatus(rawValue: 0xC000_0072)
    public static let logonTypeNotGranted = NTStatus(rawValue: 0xC000_015B)
    public static let accountExpired = NTStatus(rawValue: 0xC000_0193)
    public static let passwordMustChange = NTStatus(rawValue: 0xC000_0224)
    public static let accountLockedOut = NTStatus(rawValue: 0xC000_0234)

    /// "0xC000006D": the form the catalogue is keyed by.
    public var description: String {
        let digits = String(rawValue, radix: 16, uppercase: true)
        return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
    }
}

extension NTStatus: RawValueCodable {}
