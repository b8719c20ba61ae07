import RDPWire

// Security protocol negotiation carried in the X.224 connection request and
// confirm (MS-RDPBCGR 2.2.1.1.1, 2.2.1.2.1, 2.2.1.2.2).

/// requestedProtocols / selectedProtocol / clientRequestedProtocols.
/// Standard RDP security is the empty set (PROTOCOL_RDP = 0).
public struct SecurityProtocols: OptionSet, Hashable, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let rdp: SecurityProtocols = []
    public static let ssl = SecurityProtocols(rawValue: 0x01)
    public static let hybrid = SecurityProtocols(rawValue: 0x02)
    public static let rdstls = SecurityProtocols(rawValue: 0x04)
    public static let hybridEx = SecurityProtocols(rawValue: 0x08)
    public static let rdsaad = SecurityProtocols(rawValue: 0x10)

    /// Spec names of the bits, "PROTOCOL_RDP" for none.
    public var names: [String] {
        if rawValue == 0 { return ["PROTOCOL_RDP"] }
        let known: [(SecurityProtocols, String)] = [
            (.ssl, "PROTOCOL_SSL"), (.hybrid, "PROTOCOL_HYBRID"), (.rdstls, "PROTOCOL_RDSTLS"),
            (.hybridEx, "PROTOCOL_HYBRID_EX"), (.rdsaad, "PROTOCOL_RDSAAD"),
        ]
        var names = known.filter { contains($0.0) }.map(\.1)
        let unknown = rawValue & ~known.reduce(0) { $0 | $1.0.rawValue }
        if unknown != 0 { names.append(hexString(unknown)) }
        return names
    }
}

/// RDP_NEG_REQ flags (2.2.1.1.1).
public struct NegotiationRequestFlags: OptionSet, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let restrictedAdminModeRequired = NegotiationRequestFlags(rawValue: 0x01)
    public static let redirectedAuthenticationModeRequired = NegotiationRequestFlags(rawValue: 0x02)
    public static let correlationInfoPresent = NegotiationRequestFlags(rawValue: 0x08)
}

/// RDP_NEG_RSP flags (2.2.1.2.1).
public struct NegotiationResponseFlags: OptionSet, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let extendedClientDataSupported = NegotiationResponseFlags(rawValue: 0x01)
    public static let dynvcGFXProtocolSupported = NegotiationResponseFlags(rawValue: 0x02)
    public static let reserved = NegotiationResponseFlags(rawValue: 0x04)
    public static let restrictedAdminModeSupported = NegotiationResponseFlags(rawValue: 0x08)
    public static let redirectedAuthenticationModeSupported = NegotiationResponseFlags(rawValue: 0x10)
}

/// RDP_NEG_FAILURE failureCode (2.2.1.2.2).
/// Names come from the catalogue (negfailure.json), not from here.
public struct NegotiationFailureCode: RawRepresentable, Hashable, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let sslRequiredByServer = NegotiationFailureCode(rawValue: 0x01)
    public static let sslNotAllowedByServer = NegotiationFailureCode(rawValue: 0x02)
    public static let sslCertNotOnServer = NegotiationFailureCode(rawValue: 0x03)
    public static let inconsistentFlags = NegotiationFailureCode(rawValue: 0x04)
    public static let hybridRequiredByServer = NegotiationFailureCode(rawValue: 0x05)
    public static let sslWithUserAuthRequiredByServer = NegotiationFailureCode(rawValue: 0x06)
}

/// The type byte that starts each negotiation structure.
enum NegotiationType {
    static let request: UInt8 = 0x01
    static let response: UInt8 = 0x02
    static let failure: UInt8 = 0x03
    static let correlationInfo: UInt8 = 0x06
}
