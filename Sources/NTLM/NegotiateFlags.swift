import RDPWire

// NTLM negotiate flags (MS-NLMP 2.2.2.5). Open: bits this code does not name
// are kept and shown, because a server's unusual flags are diagnostic facts.

/// The NegotiateFlags field of every NTLM message.
public struct NegotiateFlags: OptionSet, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// NTLMSSP_NEGOTIATE_UNICODE (A): strings are UTF-16LE.
    public static let negotiateUnicode = NegotiateFlags(rawValue: 0x0000_0001)
    /// NTLM_NEGOTIATE_OEM (B): strings are in the OEM code page.
    public static let negotiateOEM = NegotiateFlags(rawValue: 0x0000_0002)
    /// NTLMSSP_REQUEST_TARGET (C): the server must send its target name.
    public static let requestTarget = NegotiateFlags(rawValue: 0x0000_0004)
    /// NTLMSSP_NEGOTIATE_SIGN (D).
    public static let negotiateSign = NegotiateFlags(rawValue: 0x0000_0010)
    /// NTLMSSP_NEGOTIATE_SEAL (E).
    public static let negotiateSeal = NegotiateFlags(rawValue: 0x0000_0020)
    /// NTLMSSP_NEGOTIATE_DATAGRAM (F).
    public static let negotiateDatagram = NegotiateFlags(rawValue: 0x0000_0040)
    /// NTLMSSP_NEGOTIATE_LM_KEY (G).
    public static let negotiateLMKey = NegotiateFlags(rawValue: 0x0000_0080)
    /// NTLMSSP_NEGOTIATE_NTLM (H).
    public static let negotiateNTLM = NegotiateFlags(rawValue: 0x0000_0200)
    /// NTLMSSP_ANONYMOUS (J): anonymous connection.
    public static let anonymous = NegotiateFlags(rawValue: 0x0000_0800)
    /// NTLMSSP_NEGOTIATE_OEM_DOMAIN_SUPPLIED (K).
    public static let negotiateOEMDomainSupplied = NegotiateFlags(rawValue: 0x0000_1000)
    /// NTLMSSP_NEGOTIATE_OEM_WORKSTATION_SUPPLIED (L).
    public static let negotiateOEMWorkstationSupplied = NegotiateFlags(rawValue: 0x0000_2000)
    /// NTLMSSP_NEGOTIATE_ALWAYS_SIGN (M).
    public static let negotiateAlwaysSign = NegotiateFlags(rawValue: 0x0000_8000)
    /// NTLMSSP_TARGET_TYPE_DOMAIN (N): the target name is a domain.
    public static let targetTypeDomain = NegotiateFlags(rawValue: 0x0001_0000)
    /// NTLMSSP_TARGET_TYPE_SERVER (O): the target name is a server.
    public static let targetTypeServer = NegotiateFlags(rawValue: 0x0002_0000)
    /// NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY (P).
    public static let negotiateExtendedSessionSecurity = NegotiateFlags(rawValue: 0x0008_0000)
    /// NTLMSSP_NEGOTIATE_IDENTIFY (Q).
    public static let negotiateIdentify = NegotiateFlags(rawValue: 0x0010_0000)
    /// NTLMSSP_REQUEST_NON_NT_SESSION_KEY (R).
    public static let requestNonNTSessionKey = NegotiateFlags(rawValue: 0x0040_0000)
    /// NTLMSSP_NEGOTIATE_TARGET_INFO (S): the CHALLENGE carries AV pairs.
    public static let negotiateTargetInfo = NegotiateFlags(rawValue: 0x0080_0000)
    /// NTLMSSP_NEGOTIATE_VERSION (T): the Version field is meaningful.
    public static let negotiateVersion = NegotiateFlags(rawValue: 0x0200_0000)
    /// NTLMSSP_NEGOTIATE_128 (U).
    public static let negotiate128 = NegotiateFlags(rawValue: 0x2000_0000)
    /// NTLMSSP_NEGOTIATE_KEY_EXCH (V): the client sends an encrypted random session key.
    public static let negotiateKeyExchange = NegotiateFlags(rawValue: 0x4000_0000)
    /// NTLMSSP_NEGOTIATE_56 (W).
    public static let negotiate56 = NegotiateFlags(rawValue: 0x8000_0000)

    /// What a CredSSP client asks for: NTLMv2 with extended session security,
    /// 128-bit keys, key exchange, signing and sealing.
    public static let clientDefault: NegotiateFlags = [
        .negotiateUnicode, .negotiateOEM, .requestTarget, .negotiateSign, .negotiateSeal,
        .negotiateNTLM, .negotiateAlwaysSign, .negotiateExtendedSessionSecurity,
        .negotiateVersion, .negotiate128, .negotiateKeyExchange, .negotiate56,
    ]

    static let names: [(NegotiateFlags, String)] = [
        (.negotiateUnicode, "NEGOTIATE_UNICODE"), (.negotiateOEM, "NEGOTIATE_OEM"),
        (.requestTarget, "REQUEST_TARGET"), (.negotiateSign, "NEGOTIATE_SIGN"),
        (.negotiateSeal, "NEGOTIATE_SEAL"), (.negotiateDatagram, "NEGOTIATE_DATAGRAM"),
        (.negotiateLMKey, "NEGOTIATE_LM_KEY"), (.negotiateNTLM, "NEGOTIATE_NTLM"),
        (.anonymous, "ANONYMOUS"), (.negotiateOEMDomainSupplied, "NEGOTIATE_OEM_DOMAIN_SUPPLIED"),
        (.negotiateOEMWorkstationSupplied, "NEGOTIATE_OEM_WORKSTATION_SUPPLIED"),
        (.negotiateAlwaysSign, "NEGOTIATE_ALWAYS_SIGN"), (.targetTypeDomain, "TARGET_TYPE_DOMAIN"),
        (.targetTypeServer, "TARGET_TYPE_SERVER"),
        (.negotiateExtendedSessionSecurity, "NEGOTIATE_EXTENDED_SESSIONSECURITY"),
        (.negotiateIdentify, "NEGOTIATE_IDENTIFY"), (.requestNonNTSessionKey, "REQUEST_NON_NT_SESSION_KEY"),
        (.negotiateTargetInfo, "NEGOTIATE_TARGET_INFO"), (.negotiateVersion, "NEGOTIATE_VERSION"),
        (.negotiate128, "NEGOTIATE_128"), (.negotiateKeyExchange, "NEGOTIATE_KEY_EXCH"),
        (.negotiate56, "NEGOTIATE_56"),
    ]

    /// The hex value, then the names of the set bits; unnamed bits are shown in hex.
    public var description: String {
        var parts: [String] = []
        var rest = rawValue
        for (flag, name) in Self.names where contains(flag) {
            parts.append(name)
            rest &= ~flag.rawValue
        }
        if rest != 0 { parts.append(hexString(rest)) }
        return hexString(rawValue) + " [" + parts.joined(separator: " | ") + "]"
    }
}
