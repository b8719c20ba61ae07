// RSA private-key decryption (m = c^d mod n) and the PKCS#1 v1.5 encryption
// padding (RFC 8017 §7.2.2), for reading the premaster secret of a captured
// TLS session with RSA key exchange. swift-crypto decrypts only OAEP. The
// capture is offline, so no constant-time care is taken.

/// Why a ciphertext did not decrypt.
public enum RSADecryptionError: Error, Sendable, Equatable {
    /// The ciphertext is not as long as the modulus, or not below it.
    case ciphertextLength(Int)
    /// The decrypted block is not `00 02 PS 00 M` with at least 8 padding bytes:
    /// most often the key is not the one the server used.
    case badPadding
}

/// An RSA private key: the modulus and the private exponent.
public struct RSAPrivateKey: Sendable, Equatable {
    private let modulus: BoundedUInt
    private let exponent: BoundedUInt
    /// The modulus length in bytes (the length of every ciphertext).
    public let modulusByteCount: Int

    /// Reads n and d as big-endian unsigned integers (PKCS#1's order); the
    /// same bounds as a public key (at most 4096 bits, an odd modulus).
    public init(modulusBigEndian: [UInt8], privateExponentBigEndian: [UInt8]) throws(RSAError) {
        let significant = modulusBigEndian.drop { $0 == 0 }
        if significant.count > RSAPublicKey.maximumModulusBits / 8 {
            throw .modulusTooLarge(bits: significant.count * 8 - (significant.first ?? 0).leadingZeroBitCount)
        }
        let n = BoundedUInt(littleEndian: significant.reversed())
        guard n.isOdd else { throw .modulusNotOdd }
        let d = BoundedUInt(littleEndian: privateExponentBigEndian.drop { $0 == 0 }.reversed())
        guard !d.isZero, d.bitWidth <= n.bitWidth else { throw .invalidExponent }
        modulus = n
        exponent = d
        modulusByteCount = (n.bitWidth + 7) / 8
    }

    /// c^d mod n as `modulusByteCount` big-endian bytes.
    public func rawDecrypt(bigEndian ciphertext: [UInt8]) throws(RSADecryptionError) -> [UInt8] {
        guard ciphertext.count == modulusByteCount else { throw .ciphertextLength(ciphertext.count) }
        let c = BoundedUInt(littleEndian: ciphertext.reversed())
        guard BoundedUInt.compare(c.limbs, modulus.limbs) < 0 else { throw .ciphertextLength(ciphertext.count) }
        let m = MontgomeryModulus(odd: modulus).power(c, exponent)
        return m.littleEndianBytes(count: modulusByteCount).reversed()
    }

    /// RSAES-PKCS1-v1_5 decryption: the message inside `00 02 PS 00 M`.
    public func decryptPKCS1v15(_ ciphertext: [UInt8]) throws(RSADecryptionError) -> [UInt8] {
        let block = try rawDecrypt(bigEndian: ciphertext)
        guard block.count >= 11, block[0] == 0, block[1] == 2,
            let separator = block[2...].firstIndex(of: 0), separator >= 10
        else { throw .badPadding }
        return Array(block[(separator + 1)...])
    }
}
