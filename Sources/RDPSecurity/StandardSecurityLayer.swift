import Crypto
import LegacyCrypto
import RDPProtocol
import RDPWire

/// Encryption and MACs of standard RDP security with RC4 (MS-RDPBCGR 5.3.6.1),
/// for one connection seen from the client. Each direction keeps its own RC4
/// keystream and packet count; a value type, so a copy forks both.
public struct StandardSecurityLayer: Sendable {
    public let keys: SessionKeys
    private var encryptor: RC4
    private var decryptor: RC4
    /// Packets encrypted / decrypted with the current keys (the salted MAC's count).
    public private(set) var encryptedCount: UInt32 = 0
    public private(set) var decryptedCount: UInt32 = 0
    /// Sign what we send with the salted MAC (5.3.6.1.1), as the server does
    /// once it sets SEC_SECURE_CHECKSUM.
    public var saltedChecksums = false

    /// The keys change after this many packets (5.3.7). A probe sends and reads
    /// a handful, so it refuses to go past instead of updating them.
    public static let keyUpdateInterval: UInt32 = 4096

    public init(keys: SessionKeys) {
        self.keys = keys
        encryptor = RC4(key: keys.encryptKey)
        decryptor = RC4(key: keys.decryptKey)
    }

    /// The non-FIPS security header (flags with SEC_ENCRYPT, the MAC) and the
    /// encrypted `data`: the userData of a Send Data Request.
    public mutating func seal(_ data: [UInt8], flags: SecurityFlags, pdu: String) throws(WireError) -> [UInt8] {
        guard encryptedCount < Self.keyUpdateInterval else {
            throw WireError(.unsupported(reason: "a session key update (MS-RDPBCGR 5.3.7)"), pdu: pdu, field: "encryption count")
        }
        var headerFlags = flags.union(.encrypt)
        if saltedChecksums { headerFlags.insert(.secureChecksum) }
        let signature = Self.signature(
            macKey: keys.macKey, data: data[...],
            count: saltedChecksums ? encryptedCount : nil)
        encryptedCount += 1
        var w = ByteWriter(capacity: data.count + 12)
        w.append(SecurityHeader(flags: headerFlags).encodeBasic())
        w.append(signature)
        w.append(encryptor.process(data))
        return w.bytes
    }

    /// Decrypts what followed a header with SEC_ENCRYPT and checks its MAC
    /// (salted when the header has SEC_SECURE_CHECKSUM).
    public mutating func open(_ ciphertext: ArraySlice<UInt8>, header: SecurityHeader, pdu: String) throws(WireError) -> [UInt8] {
        guard let sent = header.dataSignature, header.flags.contains(.encrypt) else {
            throw WireError(.invalidField(reason: "has no SEC_ENCRYPT signature"), pdu: pdu, field: "security header")
        }
        guard decryptedCount < Self.keyUpdateInterval else {
            throw WireError(.unsupported(reason: "a session key update (MS-RDPBCGR 5.3.7)"), pdu: pdu, field: "encryption count")
        }
        let plaintext = decryptor.process(ciphertext)
        let salted = header.flags.contains(.secureChecksum)
        let expected = Self.signature(macKey: keys.macKey, data: plaintext[...], count: salted ? decryptedCount : nil)
        decryptedCount += 1
        guard expected == sent else {
            throw WireError(
                .invalidField(reason: "does not match the \(salted ? "salted " : "")MAC of the decrypted data (wrong session keys, or the PDU was altered)"),
                pdu: pdu, field: "dataSignature")
        }
        return plaintext
    }

    static let pad1 = [UInt8](repeating: 0x36, count: 40)
    static let pad2 = [UInt8](repeating: 0x5C, count: 48)

    /// MACSignature = First64Bits(MD5(MACKeyN + Pad2 + SHA-1(MACKeyN + Pad1 + DataLength + Data [+ EncryptionCount]))).
    /// With `count`, the salted form (5.3.6.1.1).
    public static func signature(macKey: [UInt8], data: ArraySlice<UInt8>, count: UInt32? = nil) -> [UInt8] {
        var sha = Insecure.SHA1()
        sha.update(data: macKey)
        sha.update(data: pad1)
        sha.update(data: littleEndian(UInt32(truncatingIfNeeded: data.count)))
        sha.update(data: data)
        if let count { sha.update(data: littleEndian(count)) }
        var md5 = Insecure.MD5()
        md5.update(data: macKey)
        md5.update(data: pad2)
        md5.update(data: Array(sha.finalize()))
        return Array(md5.finalize().prefix(8))
    }

    static func littleEndian(_ value: UInt32) -> [UInt8] {
        (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * UInt32($0))) }
    }
}
