import Crypto
import RDPProtocol
import RDPWire

/// The RC4 key strength standard RDP security negotiated (the server's
/// encryptionMethod, MS-RDPBCGR 2.2.1.4.3). FIPS is not among them: it uses
/// 3DES, which rdpdoctor does not implement.
public enum KeyStrength: Sendable, Equatable {
    case bits40, bits56, bits128

    /// nil for ENCRYPTION_METHOD_NONE, FIPS, or anything that is not exactly one method.
    public init?(method: EncryptionMethods) {
        switch method {
        case .bits40: self = .bits40
        case .bits56: self = .bits56
        case .bits128: self = .bits128
        default: return nil
        }
    }

    public var bits: Int {
        switch self {
        case .bits40: 40
        case .bits56: 56
        case .bits128: 128
        }
    }
}

/// The session keys of standard RDP security (MS-RDPBCGR 5.3.5.1, non-FIPS),
/// from the client's point of view: it encrypts with the key the server
/// decrypts with, and the other way round.
public struct SessionKeys: Sendable, Equatable {
    public let strength: KeyStrength
    /// MACKeyN: 16 bytes for 128-bit, 8 bytes for 40 and 56 bits.
    public let macKey: [UInt8]
    /// InitialClientEncryptKeyN (= the server's decrypt key): client-to-server RC4.
    public let encryptKey: [UInt8]
    /// InitialClientDecryptKeyN (= the server's encrypt key): server-to-client RC4.
    public let decryptKey: [UInt8]

    static let randomLength = 32

    /// Derives the keys from the two 32-byte randoms.
    public init(clientRandom: [UInt8], serverRandom: [UInt8], strength: KeyStrength) throws(WireError) {
        guard clientRandom.count == Self.randomLength else {
            throw WireError(
                .invalidField(reason: "is \(clientRandom.count) bytes, expected 32"),
                pdu: "Security Exchange PDU", field: "clientRandom")
        }
        guard serverRandom.count == Self.randomLength else {
            throw WireError(
                .invalidField(reason: "is \(serverRandom.count) bytes, expected 32"),
                pdu: "Server Security Data", field: "serverRandom")
        }
        // PreMasterSecret = First192Bits(ClientRandom) + First192Bits(ServerRandom)
        let preMaster = Array(clientRandom.prefix(24)) + Array(serverRandom.prefix(24))
        // MasterSecret = PreMasterHash('A') + PreMasterHash('BB') + PreMasterHash('CCC')
        let master = Self.hash48(preMaster, salts: [0x41, 0x42, 0x43], clientRandom, serverRandom)
        // SessionKeyBlob = MasterHash('X') + MasterHash('YY') + MasterHash('ZZZ')
        let blob = Self.hash48(master, salts: [0x58, 0x59, 0x5A], clientRandom, serverRandom)
        let mac128 = Array(blob[0..<16])
        // The server encrypts with FinalHash(Second128Bits), so the client decrypts with it.
        let decrypt128 = Self.finalHash(Array(blob[16..<32]), clientRandom, serverRandom)
        let encrypt128 = Self.finalHash(Array(blob[32..<48]), clientRandom, serverRandom)
        self.strength = strength
        macKey = Self.reduce(mac128, to: strength)
        encryptKey = Self.reduce(encrypt128, to: strength)
        decryptKey = Self.reduce(decrypt128, to: strength)
    }

    /// SaltedHash(S, I) = MD5(S + SHA-1(I + S + ClientRandom + ServerRandom)).
    static func saltedHash(_ secret: [UInt8], _ input: [UInt8], _ clientRandom: [UInt8], _ serverRandom: [UInt8]) -> [UInt8] {
        var sha = Insecure.SHA1()
        sha.update(data: input)
        sha.update(data: secret)
        sha.update(data: clientRandom)
        sha.update(data: serverRandom)
        var md5 = Insecure.MD5()
        md5.update(data: secret)
        md5.update(data: Array(sha.finalize()))
        return Array(md5.finalize())
    }

    /// Three salted hashes with the salt letter repeated once, twice and three times: 48 bytes.
    static func hash48(_ secret: [UInt8], salts: [UInt8], _ clientRandom: [UInt8], _ serverRandom: [UInt8]) -> [UInt8] {
        salts.enumerated().flatMap { index, letter in
            saltedHash(secret, [UInt8](repeating: letter, count: index + 1), clientRandom, serverRandom)
        }
    }

    /// FinalHash(K) = MD5(K + ClientRandom + ServerRandom).
    static func finalHash(_ key: [UInt8], _ clientRandom: [UInt8], _ serverRandom: [UInt8]) -> [UInt8] {
        var md5 = Insecure.MD5()
        md5.update(data: key)
        md5.update(data: clientRandom)
        md5.update(data: serverRandom)
        return Array(md5.finalize())
    }

    /// 40 bits: 0xD1269E + Last40Bits(First64Bits(K)); 56 bits: 0xD1 + Last56Bits(First64Bits(K)).
    static func reduce(_ key128: [UInt8], to strength: KeyStrength) -> [UInt8] {
        switch strength {
        case .bits128: key128
        case .bits56: [0xD1] + key128[1..<8]
        case .bits40: [0xD1, 0x26, 0x9E] + key128[3..<8]
        }
    }
}
