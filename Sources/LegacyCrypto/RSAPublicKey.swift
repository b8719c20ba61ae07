// Raw RSA public-key encryption (c = m^e mod n) as standard RDP security
// uses it for the client random: numbers are little-endian byte strings, with
// no padding scheme. Bounded so a hostile server certificate cannot make us
// compute with huge numbers.

/// Why an RSA public key or message was refused.
public enum RSAError: Error, Sendable, Equatable {
    /// The modulus has more bits than ``RSAPublicKey/maximumModulusBits``.
    case modulusTooLarge(bits: Int)
    /// The modulus is zero or even, so it cannot be an RSA modulus.
    case modulusNotOdd
    /// The exponent is zero or longer than the modulus.
    case invalidExponent
    /// The message, read as a number, is not below the modulus.
    case messageNotBelowModulus
}

/// An RSA public key read from little-endian byte strings.
public struct RSAPublicKey: Sendable, Equatable {
    /// The largest modulus accepted.
    public static let maximumModulusBits = 4096

    private let modulus: BoundedUInt
    private let exponent: BoundedUInt
    /// The modulus length in bytes, which is also the ciphertext length.
    public let modulusByteCount: Int

    /// - Parameters:
    ///   - modulusLittleEndian: n, least significant byte first (trailing zero bytes allowed).
    ///   - exponentLittleEndian: e, least significant byte first.
    public init(modulusLittleEndian: [UInt8], exponentLittleEndian: [UInt8]) throws(RSAError) {
        // Check the raw length first so no work is done for absurd inputs.
        let significant = modulusLittleEndian.lastIndex(where: { $0 != 0 }).map { $0 + 1 } ?? 0
        if significant > Self.maximumModulusBits / 8 {
            let top = modulusLittleEndian[significant - 1]
            throw .modulusTooLarge(bits: (significant - 1) * 8 + (8 - top.leadingZeroBitCount))
        }
        let n = BoundedUInt(littleEndian: modulusLittleEndian[0..<significant])
        guard n.isOdd else { throw .modulusNotOdd }
        let e = BoundedUInt(littleEndian: exponentLittleEndian)
        guard !e.isZero, e.bitWidth <= n.bitWidth else { throw .invalidExponent }
        modulus = n
        exponent = e
        modulusByteCount = (n.bitWidth + 7) / 8
    }

    /// The usual form in RDP certificates: a 32-bit public exponent.
    public init(modulusLittleEndian: [UInt8], exponent: UInt32) throws(RSAError) {
        let bytes = (0..<4).map { UInt8(truncatingIfNeeded: exponent >> UInt32(8 * $0)) }
        try self.init(modulusLittleEndian: modulusLittleEndian, exponentLittleEndian: bytes)
    }

    /// m^e mod n, returned as ``modulusByteCount`` little-endian bytes.
    public func encrypt(littleEndian message: [UInt8]) throws(RSAError) -> [UInt8] {
        let m = BoundedUInt(littleEndian: message)
        guard BoundedUInt.compare(m.limbs, modulus.limbs) < 0 else { throw .messageNotBelowModulus }
        let c = MontgomeryModulus(odd: modulus).power(m, exponent)
        return c.littleEndianBytes(count: modulusByteCount)
    }
}
