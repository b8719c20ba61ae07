import Foundation
import LegacyCrypto
import Testing

@testable import TLSDecryption

/// The PRF, HKDF-Expand-Label and the RSA key against OpenSSL 3.0's own
/// implementations (`openssl kdf TLS1-PRF`, `openssl kdf HKDF`, `openssl
/// pkeyutl -encrypt`), computed once and written here.
@Suite("TLS key material")
struct KeyMaterialTests {
    static let secret = Array(0..<48).map { UInt8($0) }
    static let seed = hex("a0ba9f936cda311827a6f796ffd5198c")

    @Test("the TLS 1.0/1.1 PRF (P_MD5 XOR P_SHA1) equals OpenSSL's MD5-SHA1 TLS1-PRF")
    func prfTLS10() {
        let ours = TLSPRF.md5sha1.bytes(secret: Self.secret, label: "test label", seed: Self.seed, count: 64)
        #expect(
            ours
                == hex(
                    """
                    1DB0E9B58E74FBE46C841FDE3444D8D311D170250BA27B8A7A08A7CF005797BF\
                    5CF664AD872787C9BDB428EEBC9542BAC4B1CD0E500DAD88A7F2D7AF16E43A71
                    """))
    }

    @Test("the TLS 1.2 PRF with SHA-256 and SHA-384 equals OpenSSL's")
    func prfTLS12() {
        #expect(
            TLSPRF.sha256.bytes(secret: Self.secret, label: "test label", seed: Self.seed, count: 64)
                == hex(
                    """
                    0F85B3CDB47CB52AD1FC88C11668E73F053C92C1F24CE4444D3F312B83B77C97\
                    4233C8D6846933B06F3368F268FCFC9690FF8EF67E0F342B23751DA3F8A3FEF5
                    """))
        #expect(
            TLSPRF.sha384.bytes(secret: Self.secret, label: "test label", seed: Self.seed, count: 64)
                == hex(
                    """
                    A0F7B55FDE633EFC52EA5451308B4C4C83F912B86B7822762F9C0227720FEFDA\
                    EC4FF9610FCBC09229D584A0AA22D423B5BBBB80A4326977CFFEDBAD87C8ED17
                    """))
    }

    @Test("HKDF-Expand-Label builds the label as RFC 8446 7.1 says (OpenSSL's HKDF expand over the same info)")
    func expandLabel() {
        let key = KeySchedule.expandLabel(Array(Self.secret.prefix(32)), "key", count: 16, sha384: false)
        #expect(key == hex("9C9783CF77EA32D44F369DA41F19F3CC"))
    }

    @Test("a PKCS#1 and a PKCS#8 key decrypt what openssl pkeyutl encrypted; another key does not")
    func rsaPremaster() throws {
        let pkcs1 = try ServerPrivateKey(der: der(Self.pkcs1PEM))
        let pkcs8 = try ServerPrivateKey(der: der(Self.pkcs8PEM))
        #expect(pkcs1 == pkcs8)
        #expect(pkcs1.key.modulusByteCount == 128)
        let expected = [3, 1] + Array(0..<46).map { UInt8($0) }
        #expect(try pkcs1.key.decryptPKCS1v15(Self.ciphertext) == expected)
        #expect(try pkcs8.key.decryptPKCS1v15(Self.ciphertext) == expected)
        // The same ciphertext, one byte changed: the padding no longer reads.
        var damaged = Self.ciphertext
        damaged[5] ^= 1
        #expect(throws: RSADecryptionError.badPadding) { try pkcs1.key.decryptPKCS1v15(damaged) }
        #expect(throws: RSADecryptionError.ciphertextLength(127)) { try pkcs1.key.decryptPKCS1v15(Array(Self.ciphertext.dropFirst())) }
    }

    @Test("key files that are not RSA private keys are typed errors")
    func badKeys() {
        #expect(throws: ServerKeyError.self) { try ServerPrivateKey(der: []) }
        #expect(throws: ServerKeyError.self) { try ServerPrivateKey(der: [0x30, 0x82, 0xFF, 0xFF, 0x02]) }
        var truncated = der(Self.pkcs1PEM)
        truncated.removeLast(200)
        #expect(throws: ServerKeyError.self) { try ServerPrivateKey(der: truncated) }
        // A PKCS#8 key whose algorithm is not rsaEncryption (here: id-ecPublicKey).
        var ec = der(Self.pkcs8PEM)
        if let at = ec.firstIndex(of: 0x2A) { ec.replaceSubrange(at..<(at + 9), with: [0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01, 0x05, 0x00]) }
        #expect(throws: ServerKeyError.notRSA) { try ServerPrivateKey(der: ec) }
    }

    static let ciphertext = hex(
        """
        68cd6415501c03ae2953b068558d2388e01315bb5930f8e366db27888b945e143ec25cd8bd1358dfc90c1524ff57c0b51811e37a6f7d14f2\
        a7a3cc1254d3085b60207760d83cec210adc50d3111185c125ef7e0121192fb48f6db9bd35a9b1e5c63866e680cbbfa33768f647ebb9a18c\
        dc017e19a87e1e0f9daeaacc433b773d
        """)

    /// `openssl genrsa -traditional 1024`, a test key made for this file.
    static let pkcs1PEM = """
        MIICXAIBAAKBgQCowgqeW9qkc9ET2m4h2A1KErg5B7bUaPecXUECig5u93pHiUtT
        WfgWjcwGYJlsHism+/epGPfKk0qF2+G7zVYPWK9Phrwn1r2dQQ8FKotKF2vJgMJC
        0/0ZHcWLhdlVVMbqu/PoVP9e0upxLg57/TD9H4hSA6iVqU/rBvtoaKNGFwIDAQAB
        AoGAfb4Xq2dFwsOJRgG7jfwt6sOIAPZ+hEayORBDIGE93/EGa8chGTowYJ3HJ/lS
        V/0iqimUn6q693ZIUPVFfWnCdPZEFM2VNeKCVZO7QT7CvAe9fTNvWDs/8KBzyzzw
        jlkxmR+DU5yC9PVIP6cEHL38LBOLX0yupdL+pWRg7pYN5gECQQDf7/6h7wQMUVBI
        4PRRWEgT7BgCWyOU7a47zcHAhDSo3iOF/kJxgQgXr4bGuRoUYIfvhUs5KJOj/KP3
        G4ybKMw1AkEAwOuL2i4WE/E1CDJRTJiycOlbAlz+0DZxbFiGE4e7S0fNKQ+M5Lee
        6Ion5CBZ2JQt+bPpz3WtdjQdRjH2BTFamwJAC3ziUShTytX5CmQP5IRk3jDEYoqO
        Xrt6rrK1d8zQbsFGjT8n5W67HYvxnAwu3FC/aHgsDbiZKlZxiuGs6uDC6QJAUwwS
        5BU6w9Lt9V1Tyhlhl2GdH+NQfekx4mYpMXcYlUuPccGT8VFqQshWa8nRY35GXFuq
        pvgNd/jvMSyIr6uTSQJBAM0yNFT+3KkeMVWmjB+1ufmtjz/67c4RxqMPoezJcjWM
        EPurrQzxp/U08czYTUZLci9ba8Z5MZPaIIiv58dLZSs=
        """

    /// The same key through `openssl pkey` (PKCS#8).
    static let pkcs8PEM = """
        MIICdgIBADANBgkqhkiG9w0BAQEFAASCAmAwggJcAgEAAoGBAKjCCp5b2qRz0RPa
        biHYDUoSuDkHttRo95xdQQKKDm73ekeJS1NZ+BaNzAZgmWweKyb796kY98qTSoXb
        4bvNVg9Yr0+GvCfWvZ1BDwUqi0oXa8mAwkLT/RkdxYuF2VVUxuq78+hU/17S6nEu
        Dnv9MP0fiFIDqJWpT+sG+2hoo0YXAgMBAAECgYB9vherZ0XCw4lGAbuN/C3qw4gA
        9n6ERrI5EEMgYT3f8QZrxyEZOjBgnccn+VJX/SKqKZSfqrr3dkhQ9UV9acJ09kQU
        zZU14oJVk7tBPsK8B719M29YOz/woHPLPPCOWTGZH4NTnIL09Ug/pwQcvfwsE4tf
        TK6l0v6lZGDulg3mAQJBAN/v/qHvBAxRUEjg9FFYSBPsGAJbI5TtrjvNwcCENKje
        I4X+QnGBCBevhsa5GhRgh++FSzkok6P8o/cbjJsozDUCQQDA64vaLhYT8TUIMlFM
        mLJw6VsCXP7QNnFsWIYTh7tLR80pD4zkt57oiifkIFnYlC35s+nPda12NB1GMfYF
        MVqbAkALfOJRKFPK1fkKZA/khGTeMMRiio5eu3qusrV3zNBuwUaNPyflbrsdi/Gc
        DC7cUL9oeCwNuJkqVnGK4azq4MLpAkBTDBLkFTrD0u31XVPKGWGXYZ0f41B96THi
        ZikxdxiVS49xwZPxUWpCyFZrydFjfkZcW6qm+A13+O8xLIivq5NJAkEAzTI0VP7c
        qR4xVaaMH7W5+a2PP/rtzhHGow+h7MlyNYwQ+6utDPGn9TTxzNhNRktyL1trxnkx
        k9ogiK/nx0tlKw==
        """
}

func hex(_ text: String) -> [UInt8] {
    KeyLog.hex(Array(text.utf8.filter { $0 != UInt8(ascii: "\n") && $0 != UInt8(ascii: " ") })[...]) ?? []
}

func der(_ base64: String) -> [UInt8] {
    [UInt8](Data(base64Encoded: base64.filter { !$0.isWhitespace }) ?? Data())
}
