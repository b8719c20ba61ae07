import LegacyCrypto
import Testing

/// RSASSA-PKCS1-v1_5 verification against signatures made by OpenSSL 3.0 with
/// a throwaway 1024-bit key:
///
///   openssl genrsa -out pk.key 1024
///   printf abc | openssl dgst -sha256 -sign pk.key | xxd -p     (and -sha1, -sha384, -sha512)
///
/// The private exponent is kept so the tests can sign encoded messages of their
/// own (raw RSA with d) and check that only the exact RFC 8017 encoding passes.
@Suite("PKCS#1 v1.5 signature verification")
struct PKCS1SignatureTests {
    static let n = hex(
        """
        f86de10fb8aa85d40acf6aa1d76274c64c54efad68805d5e36d9a2e9954bd5dcfa619d58b10abce70869671b5260cb88ae31a3122c51b6
        ec2d8f60ce1545d372d82f9c2819a9f36648eab77ee13ee5857b7fdde8e69dc4d51c086bc08a8f6122c39eada9573f3a5005bbe9595cc8
        d33db2133bb8d1ab9ed367c89e687797f937
        """)
    static let e = hex("010001")
    static let d = hex(
        """
        6c42f62173c85c29dbcc281bff50d8b2d1f0f1c210186097fe2f39dfb1402b22f1ba3867be3f7fb2eee7801757fef6b3c9b5b7eae38578
        c1d3d8f7c6d75e669679f2b468298118032f4d53b4a39f22e12e41ab9c7077fe0993770d79c901eecefdcdff3e104e134355df72597963
        e082e6c3362ad073697347fc4ad0a28ca881
        """)

    struct Vector: Sendable, CustomTestStringConvertible {
        let algorithm: PKCS1DigestAlgorithm
        /// The digest of "abc" (FIPS 180 examples).
        let digest: String
        let signature: String
        var testDescription: String { "\(algorithm)" }
    }

    static let vectors = [
        Vector(
            algorithm: .sha1, digest: "a9993e364706816aba3e25717850c26c9cd0d89d",
            signature: """
                3a3d94682df7bb56d30a313d531695d6bb45e75576883012e7fe65904edd9b8e89ef28e6f178e44a26db18d1c55fa8d554d67ef845babd
                2e125658da64231d91f4d132c3387db5bd19c1c2f4969999255a7b602b923c216b1f98098d5866b39cadeee6810b6a52c14c873f75a380
                14370bd1519b4a5d886af7468eb86144ede8
                """),
        Vector(
            algorithm: .sha256, digest: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
            signature: """
                3505372c1da2812897d3175c128fab5ebddfbc483129a00f88852797d665ee945fb12fda676a0b20116562b34f400095134909fa77909f
                3632f01e819142cd62cb370cec82105419e28dfe20c036a462d0589fa751795067b74aca0a638e6d1bbb506dd2c4448642ae3c59ee320b
                1e1b886a0a79a25aefc8e1560759610ed851
                """),
        Vector(
            algorithm: .sha384,
            digest: "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7",
            signature: """
                2f468753bcd7d5fd876107460f2bf7e70aa8f9faa8db137d5059a0b8504cfb2d9377ff1e04cff4b0e888ec2d4ccaec016104d614c73fec
                81848c0141771d2bb4cae3a1ad36788ff725cd116acdc62c258032dbfa6c2cfea66ef3e3cfdbf006398a2204308d9084c4f1ee56fb3149
                7e0224d8c1dec1ce674cecf981350c5e363c
                """),
        Vector(
            algorithm: .sha512,
            digest: "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
            signature: """
                9415a5f45338836217f6604e61792a366e3201f6086c7aaebf8874e652ab3a6077e92fb9c51a6658d08695a1c6e58f71f3c4c08e17ebe7
                caea6acacf956144b867c48e2641133c4b97f722986e3901fcb8d53c668643e366be10a0a7842744a02c7fe54e34a1758bcae444a8b83e
                b9e41a641a2389f7e3b3267ccc5a689ccd1f
                """),
    ]

    static func publicKey() throws -> RSAPublicKey {
        try RSAPublicKey(modulusBigEndian: n, exponentBigEndian: e)
    }

    /// Signs an arbitrary 128-byte encoded message with the private exponent.
    static func sign(encodedMessage: [UInt8]) throws -> [UInt8] {
        let privateKey = try RSAPublicKey(modulusBigEndian: n, exponentBigEndian: d)
        return Array(try privateKey.encrypt(littleEndian: encodedMessage.reversed()).reversed())
    }

    /// 00 01 FF.. 00 || prefix || digest, padded to 128 bytes.
    static func encode(_ prefix: [UInt8], _ digest: [UInt8], blockType: UInt8 = 0x01) -> [UInt8] {
        let t = prefix + digest
        return [0x00, blockType] + [UInt8](repeating: 0xff, count: 128 - t.count - 3) + [0x00] + t
    }

    static let sha256Prefix = hex("3031300d060960864801650304020105000420")

    @Test("OpenSSL's signatures verify", arguments: vectors)
    func opensslSignatures(vector: Vector) throws {
        let key = try Self.publicKey()
        #expect(key.modulusByteCount == 128)
        #expect(key.isValidPKCS1v15Signature(hex(vector.signature), digest: hex(vector.digest), algorithm: vector.algorithm))
    }

    @Test("a changed digest, signature byte or algorithm fails", arguments: vectors)
    func alterations(vector: Vector) throws {
        let key = try Self.publicKey()
        var digest = hex(vector.digest)
        digest[digest.count - 1] ^= 0x01
        #expect(!key.isValidPKCS1v15Signature(hex(vector.signature), digest: digest, algorithm: vector.algorithm))
        var signature = hex(vector.signature)
        signature[40] ^= 0x80
        #expect(!key.isValidPKCS1v15Signature(signature, digest: hex(vector.digest), algorithm: vector.algorithm))
        // Every other algorithm has another digest size, so this also checks the length guard.
        for other in PKCS1DigestAlgorithm.allCases where other != vector.algorithm {
            #expect(!key.isValidPKCS1v15Signature(hex(vector.signature), digest: hex(vector.digest), algorithm: other))
        }
    }

    @Test("signing the exact encoding with d reproduces OpenSSL's signature (PKCS#1 v1.5 is deterministic)")
    func forgeryHelperIsFaithful() throws {
        let vector = Self.vectors[1]
        let signature = try Self.sign(encodedMessage: Self.encode(Self.sha256Prefix, hex(vector.digest)))
        #expect(signature == hex(vector.signature))
    }

    @Test("only the exact encoded message passes")
    func encodingVariants() throws {
        let key = try Self.publicKey()
        let digest = hex(Self.vectors[1].digest)
        let correct = Self.encode(Self.sha256Prefix, digest)
        #expect(key.isValidPKCS1v15Signature(try Self.sign(encodedMessage: correct), digest: digest, algorithm: .sha256))

        var variants: [(String, [UInt8])] = []
        // AlgorithmIdentifier without the NULL parameters (30 2f 30 0b 06 09 ... 04 20).
        variants.append(("DigestInfo without NULL", Self.encode(hex("302f300b0609608648016503040201") + [0x04, 0x20], digest)))
        // SHA-384's OID in front of a SHA-256 digest.
        variants.append(("wrong hash OID", Self.encode(hex("3031300d060960864801650304020205000420"), digest)))
        variants.append(("block type 2", Self.encode(Self.sha256Prefix, digest, blockType: 0x02)))
        var badPadding = correct
        badPadding[20] = 0xfe
        variants.append(("a padding byte not 0xFF", badPadding))
        // DigestInfo || digest followed by 4 garbage bytes, padding shortened to fit.
        let t = Self.sha256Prefix + digest + [0xde, 0xad, 0xbe, 0xef]
        variants.append(("trailing garbage", [0x00, 0x01] + [UInt8](repeating: 0xff, count: 128 - t.count - 3) + [0x00] + t))
        var noSeparator = correct
        noSeparator[128 - 51 - 1] = 0xff
        variants.append(("no zero separator", noSeparator))
        for (name, message) in variants {
            #expect(message.count == 128, "\(name)")
            #expect(!key.isValidPKCS1v15Signature(try Self.sign(encodedMessage: message), digest: digest, algorithm: .sha256), "\(name)")
        }
    }

    @Test("signatures of the wrong length or not below n fail without trapping")
    func malformedSignatures() throws {
        let key = try Self.publicKey()
        let vector = Self.vectors[1]
        let signature = hex(vector.signature)
        let digest = hex(vector.digest)
        #expect(!key.isValidPKCS1v15Signature(Array(signature.dropFirst()), digest: digest, algorithm: .sha256))
        #expect(!key.isValidPKCS1v15Signature([0] + signature, digest: digest, algorithm: .sha256))
        #expect(!key.isValidPKCS1v15Signature(Self.n, digest: digest, algorithm: .sha256))
        #expect(!key.isValidPKCS1v15Signature([UInt8](repeating: 0xff, count: 128), digest: digest, algorithm: .sha256))
        #expect(!key.isValidPKCS1v15Signature([], digest: digest, algorithm: .sha256))
        #expect(!key.isValidPKCS1v15Signature(signature, digest: [], algorithm: .sha256))
    }

    @Test("a modulus too small for the DigestInfo is refused, not overrun")
    func tinyModulus() throws {
        // 497 = 0x01f1: two bytes, far below 19 + 32 + 11.
        let key = try RSAPublicKey(modulusBigEndian: [0x01, 0xf1], exponentBigEndian: [0x0d])
        #expect(!key.isValidPKCS1v15Signature([0x00, 0x04], digest: [UInt8](repeating: 0, count: 32), algorithm: .sha256))
    }

    @Test("big-endian and little-endian constructors agree; a leading zero octet is allowed")
    func byteOrder() throws {
        let big = try RSAPublicKey(modulusBigEndian: [0x00] + Self.n, exponentBigEndian: Self.e)
        let little = try RSAPublicKey(modulusLittleEndian: Self.n.reversed(), exponentLittleEndian: Self.e.reversed())
        #expect(big == little)
        #expect(big.modulusByteCount == 128)
    }
}
