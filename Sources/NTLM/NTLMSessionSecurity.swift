// Message confidentiality and integrity after authentication (MS-NLMP 3.4.3,
// 3.4.4.2) with extended session security, connection-oriented: each
// direction has one RC4 keystream that runs on across messages, and a
// sequence number that counts them. The checksum is RC4-encrypted with the
// same keystream, right after the message, when key exchange was negotiated.
import LegacyCrypto
import RDPWire

/// Sealing and signing state for one side of an NTLM session.
public struct NTLMSessionSecurity: Sendable {
    /// Which side this state belongs to: it sends with its own keys and
    /// receives with the peer's.
    public enum Role: Sendable { case client, server }

    public let keys: NTLMSessionKeys
    private let flags: NegotiateFlags
    private var sendHandle: RC4
    private var receiveHandle: RC4
    private let sendSigningKey: [UInt8]
    private let receiveSigningKey: [UInt8]
    public private(set) var sendSequenceNumber: UInt32 = 0
    public private(set) var receiveSequenceNumber: UInt32 = 0

    /// The signature layout's size: version 1, 8-byte checksum, sequence number.
    public static let signatureCount = 16

    public init(exportedSessionKey: [UInt8], flags: NegotiateFlags, role: Role = .client) throws(NTLMError) {
        guard flags.contains(.negotiateExtendedSessionSecurity) else {
            throw .unsupported("extended session security (NEGOTIATE_EXTENDED_SESSIONSECURITY)")
        }
        guard exportedSessionKey.count == 16 else { throw .invalidParameter("session key must be 16 bytes") }
        keys = NTLMSessionKeys(exportedSessionKey: exportedSessionKey, flags: flags)
        self.flags = flags
        let client = (RC4(key: keys.clientSealingKey), keys.clientSigningKey)
        let server = (RC4(key: keys.serverSealingKey), keys.serverSigningKey)
        (sendHandle, sendSigningKey) = role == .client ? client : server
        (receiveHandle, receiveSigningKey) = role == .client ? server : client
    }

    /// SEAL: encrypts `message` and returns it with its 16-byte signature.
    public mutating func seal(_ message: [UInt8]) -> (sealed: [UInt8], signature: [UInt8]) {
        let sealed = sendHandle.process(message)
        let signature = Self.mac(&sendHandle, signingKey: sendSigningKey, sequence: sendSequenceNumber, message, flags)
        sendSequenceNumber &+= 1
        return (sealed, signature)
    }

    /// UNSEAL: decrypts a message from the peer and checks its signature.
    public mutating func unseal(_ sealed: [UInt8], signature: [UInt8]) throws(NTLMError) -> [UInt8] {
        let message = receiveHandle.process(sealed)
        try verifyAndCount(message, signature: signature)
        return message
    }

    /// SIGN without sealing (the keystream still advances for the checksum).
    public mutating func sign(_ message: [UInt8]) -> [UInt8] {
        defer { sendSequenceNumber &+= 1 }
        return Self.mac(&sendHandle, signingKey: sendSigningKey, sequence: sendSequenceNumber, message, flags)
    }

    /// VERIFY a plain message's signature from the peer.
    public mutating func verify(_ message: [UInt8], signature: [UInt8]) throws(NTLMError) {
        try verifyAndCount(message, signature: signature)
    }

    private mutating func verifyAndCount(_ message: [UInt8], signature: [UInt8]) throws(NTLMError) {
        let expected = Self.mac(&receiveHandle, signingKey: receiveSigningKey, sequence: receiveSequenceNumber, message, flags)
        receiveSequenceNumber &+= 1
        guard signature == expected else { throw .signatureMismatch }
    }

    /// NTLMSSP_MESSAGE_SIGNATURE with extended session security:
    /// Version 1, HMAC_MD5(SigningKey, SeqNum + Message)[0..<8] (RC4-ed under
    /// key exchange), SeqNum.
    private static func mac(
        _ handle: inout RC4, signingKey: [UInt8], sequence: UInt32, _ message: [UInt8], _ flags: NegotiateFlags
    ) -> [UInt8] {
        var sequenceWriter = ByteWriter(capacity: 4)
        sequenceWriter.u32LE(sequence)
        let sequenceBytes = sequenceWriter.bytes
        var checksum = Array(NTLMHash.hmacMD5(key: signingKey, sequenceBytes, message).prefix(8))
        if flags.contains(.negotiateKeyExchange) {
            checksum = handle.process(checksum)
        }
        var signature: [UInt8] = [1, 0, 0, 0]
        signature += checksum
        signature += sequenceBytes
        return signature
    }
}
