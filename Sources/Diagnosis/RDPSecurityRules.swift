import ProbeCore

/// The MCS Connect Response's server data: version, encryption, key, channels.
enum RDPSecurityRules: DiagnosisRule {
    static func findings(_ input: RuleInput) -> [Finding] {
        let o = input.observations
        var findings: [Finding] = []
        let sources = [o.defaultClient, o.negotiation(requested: .rdp)].compactMap { $0 }
        guard let data = sources.compactMap(\.serverData).first else { return findings }
        if let version = data.rdpVersion {
            findings.append(
                Finding(
                    id: .mcsVersion, level: .info, section: .rdpSecurity,
                    title: "Server speaks \(Names.rdpVersion(version))",
                    detail: "From the server core data of the MCS Connect Response (0x\(String(version.rawValue, radix: 16)))."))
        }
        // Over TLS the RDP encryption fields are zero by design: judge them from a
        // connection that used standard RDP security.
        let plain = sources.first { $0.serverData != nil && $0.tls == nil }?.serverData
        if let method = plain?.encryptionMethod, let level = plain?.encryptionLevel {
            let weak = method == .bits40 || method == .bits56
            let none = method == .none && level == .none
            let severity: Finding.Level = none || weak ? .warn : .info
            findings.append(
                Finding(
                    id: none ? .rdpsecNoEncryption : weak ? .rdpsecWeakEncryption : .rdpsecEncryption,
                    level: severity, section: .rdpSecurity,
                    title: none
                        ? "Standard RDP security without any encryption"
                        : "Standard RDP security: \(Names.encryptionMethod(method)), level \(Names.encryptionLevel(level))",
                    detail: none
                        ? "The session, including the password typed at the logon screen, crosses the network in clear text."
                        : weak
                            ? "40- and 56-bit RC4 keys can be broken; anyone on the path can read the session."
                            : "\(method == .fips ? "3DES" : "RC4") with an unauthenticated server key: confidential against passive listeners only.",
                    fixes: severity == .info
                        ? []
                        : [
                            "Windows: Group Policy … > Remote Desktop Session Host > Security > \"Set client connection encryption level\" = High, and require the SSL security layer.",
                            "xrdp: security_layer=tls and crypt_level=high in /etc/xrdp/xrdp.ini.",
                        ]))
        }
        if case .proprietary(let bits)? = plain?.certificate, bits > 0 {
            findings.append(
                Finding(
                    id: .rdpsecProprietaryKey, level: bits < 2048 ? .warn : .info, section: .rdpSecurity,
                    title: "Proprietary server certificate with a \(bits)-bit RSA key",
                    detail: bits < 2048
                        ? "A key this short can be factored; standard RDP security's key exchange is only as strong as this key."
                        : "Used only by standard RDP security.",
                    fixes: bits < 2048 ? ["Prefer TLS (SecurityLayer = 2), which uses the TLS certificate instead."] : []))
        }
        if let exchange = o.sessionWalk?.session?.standardSecurity {
            findings += standardSecurityWalk(exchange)
        }
        if !data.channelIDs.isEmpty || data.ioChannel != nil {
            findings.append(
                Finding(
                    id: .mcsChannels, level: .info, section: .rdpSecurity,
                    title: "MCS channels",
                    detail:
                        "I/O channel \(data.ioChannel.map(String.init) ?? "?"), \(data.channelIDs.count) static channel\(data.channelIDs.count == 1 ? "" : "s")\(data.messageChannel.map { ", message channel \($0)" } ?? "")\(data.multitransportFlags.map { !$0.isEmpty ? ", UDP multitransport offered (flags 0x\(String($0.rawValue, radix: 16)))" : "" } ?? "")."
                ))
        }
        return findings
    }

    /// How far the default client's walk took standard RDP security's key exchange.
    static func standardSecurityWalk(_ exchange: StandardSecurityObservation) -> [Finding] {
        if exchange.notAttempted == .fipsNotImplemented {
            return [
                Finding(
                    id: .rdpsecFipsNotWalked, level: .info, section: .rdpSecurity,
                    title: "The walk stopped at the Security Exchange: FIPS encryption (3DES) is not implemented by rdpdoctor",
                    detail:
                        "The server chose FIPS encryption (3DES with SHA-1 HMAC). rdpdoctor joined the channels, then stopped before sending the Security Exchange PDU: a limit of rdpdoctor, not a failure of the server. Licensing and the logon screen were not tested."
                )
            ]
        }
        guard exchange.exchangeSent else { return [] }
        let key = exchange.serverKeyBits.map { "the server's \($0)-bit RSA key" } ?? "the server's RSA key"
        let decrypted = exchange.decryptedPDUs == 1 ? "1 encrypted server PDU" : "\(exchange.decryptedPDUs) encrypted server PDUs"
        return [
            Finding(
                id: .rdpsecExchange, level: .info, section: .rdpSecurity,
                title: exchange.decryptedPDUs > 0
                    ? "Security Exchange: the session keys work both ways"
                    : "Security Exchange: the server accepted the encrypted Client Info",
                detail:
                    "rdpdoctor sent its client random encrypted with \(key)\(exchange.serverKeyFromX509 ? " (the leaf of its X.509 chain)" : ""), derived \(exchange.keyBits.map { "\($0)-bit " } ?? "")RC4 session keys and sent its Client Info encrypted; "
                    + (exchange.decryptedPDUs > 0
                        ? "it decrypted \(decrypted) and each MAC matched\(exchange.saltedChecksums ? " (salted MACs)" : "")."
                        : "the server sent its own PDUs unencrypted, as its encryption level allows."))
        ]
    }
}
