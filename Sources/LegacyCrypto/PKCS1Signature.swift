// RSASSA-PKCS1-v1_5 signature verification (RFC 8017 §8.2.2) on top of the
// raw RSA operation, for keys swift-crypto refuses (under 2048 bits) that old
// RDP hosts and their CAs still use. Hashing is the caller's: this module
// has no SHA-2, so the digest comes in and only its DigestInfo is built here.

/// The hash functions a PKCS#1 v1.5 certificate signature may name, with the
/// DER DigestInfo prefix of each (RFC 8017 §9.2, note 1).
public enum PKCS1DigestAlgorithm: Sendable, Equatable, CaseIterable {
    case sha1, sha256, sha384, sha512

    /// Digest size in bytes.
    public var digestCount: Int {
        switch self {
        case .sha1: 20
        case .sha256: 32
        case .sha384: 48
        case .sha512: 64
        }
    }

    /// `DigestInfo ::= SEQUENCE { AlgorithmIdentifier { OID, NULL }, OCTET STRING }`
    /// up to the digest itself. Only this exact form (parameters NULL) is accepted.
    var digestInfoPrefix: [UInt8] {
        switch self {
        case .sha1:
            [0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14]
        case .sha256:
            [0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20]
        case .sha384:
            [0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30]
        case .sha512:
            [0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40]
        }
    }
}

extension RSAPublicKey {
    /// Reads n and e as big-endian unsigned integers (X.509's RSAPublicKey
    /// order); a leading sign octet of zero is allowed.
    public init(modulusBigEndian: [UInt8], exponentBigEndian: [UInt8]) throws(RSAError) {
        try self.init(modulusLittleEndian: modulusBigEndian.reversed(), exponentLittleEndian: exponentBigEndian.reversed())
    }

    /// True when `signature` is a valid RSASSA-PKCS1-v1_5 signature over a
    /// message whose `algorithm` digest is `digest`. The encoded message must
    /// equal `00 01 FF..FF 00 || DigestInfo || digest` byte for byte, so no
    /// other padding, DigestInfo form or trailing data passes.
    public func isValidPKCS1v15Signature(_ signature: [UInt8], digest: [UInt8], algorithm: PKCS1DigestAlgorithm) -> Bool {
        let k = modulusByteCount
        // §8.2.2 step 1: the signature is exactly k octets.
        guard signature.count == k, digest.count == algorithm.digestCount else { return false }
        let t = algorithm.digestInfoPrefix + digest
        // §9.2 step 3: at least 8 octets of 0xFF padding.
        guard k >= t.count + 11 else { return false }
        // §8.2.2 step 2: m = s^e mod n, which requires s < n.
        guard let message = try? encrypt(littleEndian: signature.reversed()) else { return false }
        let expected = [0x00, 0x01] + [UInt8](repeating: 0xff, count: k - t.count - 3) + [0x00] + t
        return Array(message.reversed()) == expected
    }
}
