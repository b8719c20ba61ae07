// SIGNKEY and SEALKEY (MS-NLMP 3.4.5.2, 3.4.5.3) with extended session
// security: one signing and one sealing key per direction, derived from the
// exported session key and a magic string naming the direction.

/// Which way a message travels.
public enum NTLMDirection: Sendable, Hashable {
    case clientToServer
    case serverToClient

    var name: String { self == .clientToServer ? "client-to-server" : "server-to-client" }
}

/// The four keys of an NTLM session with extended session security.
public struct NTLMSessionKeys: Sendable, Hashable {
    public let clientSigningKey: [UInt8]
    public let clientSealingKey: [UInt8]
    public let serverSigningKey: [UInt8]
    public let serverSealingKey: [UInt8]

    public init(exportedSessionKey: [UInt8], flags: NegotiateFlags) {
        clientSigningKey = Self.signingKey(exportedSessionKey, .clientToServer)
        clientSealingKey = Self.sealingKey(exportedSessionKey, flags: flags, .clientToServer)
        serverSigningKey = Self.signingKey(exportedSessionKey, .serverToClient)
        serverSealingKey = Self.sealingKey(exportedSessionKey, flags: flags, .serverToClient)
    }

    /// SIGNKEY = MD5(key + "session key to <direction> signing key magic constant\0").
    public static func signingKey(_ exportedSessionKey: [UInt8], _ direction: NTLMDirection) -> [UInt8] {
        NTLMHash.md5(exportedSessionKey, magic("session key to \(direction.name) signing key magic constant"))
    }

    /// SEALKEY = MD5(key' + "session key to <direction> sealing key magic constant\0"),
    /// where key' is the whole key with NEGOTIATE_128, 7 bytes with
    /// NEGOTIATE_56, and 5 bytes otherwise.
    public static func sealingKey(_ exportedSessionKey: [UInt8], flags: NegotiateFlags, _ direction: NTLMDirection) -> [UInt8] {
        let length = flags.contains(.negotiate128) ? exportedSessionKey.count : flags.contains(.negotiate56) ? 7 : 5
        let key = Array(exportedSessionKey.prefix(length))
        return NTLMHash.md5(key, magic("session key to \(direction.name) sealing key magic constant"))
    }

    private static func magic(_ text: String) -> [UInt8] { Array(text.utf8) + [0] }
}
