// The cipher suites whose records rdpdoctor can decrypt, as data: how the
// keys are exchanged (which decides what key material is needed), the bulk
// cipher and the MAC. Anything else is named by number and left encrypted.

public struct CipherSuite: Sendable, Equatable {
    public enum KeyExchange: String, Sendable, Equatable, Codable {
        /// The premaster secret travels encrypted with the server's RSA key: the key decrypts it.
        case rsa
        /// (EC)DHE: forward secrecy, only a key log helps.
        case ephemeral
        /// TLS 1.3: every suite; only a key log helps.
        case tls13
    }

    public enum Cipher: Sendable, Equatable {
        case rc4_128
        case aesCBC(keyBytes: Int)
        case aesGCM(keyBytes: Int)
        case chacha20Poly1305

        public var keyBytes: Int {
            switch self {
            case .rc4_128: 16
            case .aesCBC(let bytes), .aesGCM(let bytes): bytes
            case .chacha20Poly1305: 32
            }
        }

        /// The IV bytes from the key block (TLS 1.2 and earlier): CBC's first IV in
        /// TLS 1.0, GCM's 4-byte salt, ChaCha20's 12-byte nonce mask.
        public var fixedIVBytes: Int {
            switch self {
            case .rc4_128: 0
            case .aesCBC: 16
            case .aesGCM: 4
            case .chacha20Poly1305: 12
            }
        }

        var isAEAD: Bool {
            switch self {
            case .aesGCM, .chacha20Poly1305: true
            case .rc4_128, .aesCBC: false
            }
        }
    }

    public enum MAC: Sendable, Equatable {
        case md5, sha1, sha256, sha384, aead

        var bytes: Int {
            switch self {
            case .md5: 16
            case .sha1: 20
            case .sha256: 32
            case .sha384: 48
            case .aead: 0
            }
        }
    }

    public let id: UInt16
    public let name: String
    public let keyExchange: KeyExchange
    public let cipher: Cipher
    public let mac: MAC
    /// The PRF hash for TLS 1.2 (and the HKDF hash for TLS 1.3).
    public let usesSHA384: Bool

    public static func named(_ id: UInt16) -> CipherSuite? { known[id] }

    static let known: [UInt16: CipherSuite] = Dictionary(uniqueKeysWithValues: all.map { ($0.id, $0) })

    public static let all: [CipherSuite] = [
        .init(id: 0x0004, name: "TLS_RSA_WITH_RC4_128_MD5", keyExchange: .rsa, cipher: .rc4_128, mac: .md5, usesSHA384: false),
        .init(id: 0x0005, name: "TLS_RSA_WITH_RC4_128_SHA", keyExchange: .rsa, cipher: .rc4_128, mac: .sha1, usesSHA384: false),
        .init(id: 0x002F, name: "TLS_RSA_WITH_AES_128_CBC_SHA", keyExchange: .rsa, cipher: .aesCBC(keyBytes: 16), mac: .sha1, usesSHA384: false),
        .init(id: 0x0035, name: "TLS_RSA_WITH_AES_256_CBC_SHA", keyExchange: .rsa, cipher: .aesCBC(keyBytes: 32), mac: .sha1, usesSHA384: false),
        .init(id: 0x003C, name: "TLS_RSA_WITH_AES_128_CBC_SHA256", keyExchange: .rsa, cipher: .aesCBC(keyBytes: 16), mac: .sha256, usesSHA384: false),
        .init(id: 0x003D, name: "TLS_RSA_WITH_AES_256_CBC_SHA256", keyExchange: .rsa, cipher: .aesCBC(keyBytes: 32), mac: .sha256, usesSHA384: false),
        .init(id: 0x009C, name: "TLS_RSA_WITH_AES_128_GCM_SHA256", keyExchange: .rsa, cipher: .aesGCM(keyBytes: 16), mac: .aead, usesSHA384: false),
        .init(id: 0x009D, name: "TLS_RSA_WITH_AES_256_GCM_SHA384", keyExchange: .rsa, cipher: .aesGCM(keyBytes: 32), mac: .aead, usesSHA384: true),
        .init(id: 0x0033, name: "TLS_DHE_RSA_WITH_AES_128_CBC_SHA", keyExchange: .ephemeral, cipher: .aesCBC(keyBytes: 16), mac: .sha1, usesSHA384: false),
        .init(id: 0x0039, name: "TLS_DHE_RSA_WITH_AES_256_CBC_SHA", keyExchange: .ephemeral, cipher: .aesCBC(keyBytes: 32), mac: .sha1, usesSHA384: false),
        .init(id: 0x009E, name: "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", keyExchange: .ephemeral, cipher: .aesGCM(keyBytes: 16), mac: .aead, usesSHA384: false),
        .init(id: 0x009F, name: "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", keyExchange: .ephemeral, cipher: .aesGCM(keyBytes: 32), mac: .aead, usesSHA384: true),
        .init(id: 0xC013, name: "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", keyExchange: .ephemeral, cipher: .aesCBC(keyBytes: 16), mac: .sha1, usesSHA384: false),
        .init(id: 0xC014, name: "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", keyExchange: .ephemeral, cipher: .aesCBC(keyBytes: 32), mac: .sha1, usesSHA384: false),
        .init(
            id: 0xC027, name: "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", keyExchange: .ephemeral, cipher: .aesCBC(keyBytes: 16), mac: .sha256, usesSHA384: false),
        .init(
            id: 0xC028, name: "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", keyExchange: .ephemeral, cipher: .aesCBC(keyBytes: 32), mac: .sha384, usesSHA384: true),
        .init(
            id: 0xC02B, name: "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", keyExchange: .ephemeral, cipher: .aesGCM(keyBytes: 16), mac: .aead, usesSHA384: false),
        .init(
            id: 0xC02C, name: "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", keyExchange: .ephemeral, cipher: .aesGCM(keyBytes: 32), mac: .aead, usesSHA384: true),
        .init(id: 0xC02F, name: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", keyExchange: .ephemeral, cipher: .aesGCM(keyBytes: 16), mac: .aead, usesSHA384: false),
        .init(id: 0xC030, name: "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", keyExchange: .ephemeral, cipher: .aesGCM(keyBytes: 32), mac: .aead, usesSHA384: true),
        .init(
            id: 0xCCA8, name: "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", keyExchange: .ephemeral, cipher: .chacha20Poly1305, mac: .aead, usesSHA384: false),
        .init(
            id: 0xCCA9, name: "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", keyExchange: .ephemeral, cipher: .chacha20Poly1305, mac: .aead, usesSHA384: false
        ),
        .init(id: 0x1301, name: "TLS_AES_128_GCM_SHA256", keyExchange: .tls13, cipher: .aesGCM(keyBytes: 16), mac: .aead, usesSHA384: false),
        .init(id: 0x1302, name: "TLS_AES_256_GCM_SHA384", keyExchange: .tls13, cipher: .aesGCM(keyBytes: 32), mac: .aead, usesSHA384: true),
        .init(id: 0x1303, name: "TLS_CHACHA20_POLY1305_SHA256", keyExchange: .tls13, cipher: .chacha20Poly1305, mac: .aead, usesSHA384: false),
    ]

    /// The PRF of `version` (TLS 1.0/1.1 always MD5+SHA-1).
    public func prf(version: UInt16) -> TLSPRF {
        version < 0x0303 ? .md5sha1 : (usesSHA384 ? .sha384 : .sha256)
    }
}
