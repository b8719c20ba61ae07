import SwiftASN1

/// Reads `AlgorithmIdentifier ::= SEQUENCE { algorithm OID, parameters ANY OPTIONAL }`.
struct AlgorithmIdentifierNode {
    var oid: ASN1ObjectIdentifier
    var parameters: ASN1Node?

    init(_ node: ASN1Node) throws(FieldError) {
        guard let parts = node.children.map(Array.init), (1...2).contains(parts.count),
            let oid = try? ASN1ObjectIdentifier(derEncoded: parts[0])
        else { throw FieldError.malformed("algorithm", "not an AlgorithmIdentifier") }
        self.oid = oid
        self.parameters = parts.count == 2 ? parts[1] : nil
    }
}

/// Names and strength of certificate signature algorithms.
enum SignatureAlgorithms {
    private struct Known {
        var name: String
        var weak: Bool
    }

    /// OpenSSL's names, which administrators will recognise from `openssl x509 -text`.
    private static let known: [String: Known] = [
        "1.2.840.113549.1.1.2": Known(name: "md2WithRSAEncryption", weak: true),
        "1.2.840.113549.1.1.4": Known(name: "md5WithRSAEncryption", weak: true),
        "1.2.840.113549.1.1.5": Known(name: "sha1WithRSAEncryption", weak: true),
        "1.3.14.3.2.29": Known(name: "sha1WithRSA", weak: true),
        "1.2.840.113549.1.1.14": Known(name: "sha224WithRSAEncryption", weak: false),
        "1.2.840.113549.1.1.11": Known(name: "sha256WithRSAEncryption", weak: false),
        "1.2.840.113549.1.1.12": Known(name: "sha384WithRSAEncryption", weak: false),
        "1.2.840.113549.1.1.13": Known(name: "sha512WithRSAEncryption", weak: false),
        "1.2.840.10045.4.1": Known(name: "ecdsa-with-SHA1", weak: true),
        "1.2.840.10045.4.3.1": Known(name: "ecdsa-with-SHA224", weak: false),
        "1.2.840.10045.4.3.2": Known(name: "ecdsa-with-SHA256", weak: false),
        "1.2.840.10045.4.3.3": Known(name: "ecdsa-with-SHA384", weak: false),
        "1.2.840.10045.4.3.4": Known(name: "ecdsa-with-SHA512", weak: false),
        "1.2.840.10040.4.3": Known(name: "dsaWithSHA1", weak: true),
        "2.16.840.1.101.3.4.3.2": Known(name: "dsa_with_SHA256", weak: false),
        "1.3.101.112": Known(name: "ED25519", weak: false),
        "1.3.101.113": Known(name: "ED448", weak: false),
    ]

    private static let hashNames: [String: Known] = [
        "1.2.840.113549.2.5": Known(name: "MD5", weak: true),
        "1.3.14.3.2.26": Known(name: "SHA-1", weak: true),
        "2.16.840.1.101.3.4.2.4": Known(name: "SHA-224", weak: false),
        "2.16.840.1.101.3.4.2.1": Known(name: "SHA-256", weak: false),
        "2.16.840.1.101.3.4.2.2": Known(name: "SHA-384", weak: false),
        "2.16.840.1.101.3.4.2.3": Known(name: "SHA-512", weak: false),
    ]

    static func summarize(_ node: ASN1Node) throws(FieldError) -> SignatureAlgorithmSummary {
        let algorithm = try AlgorithmIdentifierNode(node)
        let oid = algorithm.oid.description
        if oid == "1.2.840.113549.1.1.10" {
            let hash = pssHash(algorithm.parameters)
            return SignatureAlgorithmSummary(name: "rsassaPss (\(hash.name))", oid: oid, weakSignature: hash.weak)
        }
        let entry = known[oid] ?? Known(name: oid, weak: false)
        return SignatureAlgorithmSummary(name: entry.name, oid: oid, weakSignature: entry.weak)
    }

    /// RSASSA-PSS-params `hashAlgorithm [0]` defaults to SHA-1 (RFC 4055).
    private static func pssHash(_ parameters: ASN1Node?) -> Known {
        let sha1 = hashNames["1.3.14.3.2.26"]!
        guard let fields = parameters?.children,
            let tagged = fields.first(where: { $0.isContextTag(0) }),
            let inner = tagged.firstChild,
            let hash = try? AlgorithmIdentifierNode(inner)
        else { return sha1 }
        return hashNames[hash.oid.description] ?? Known(name: hash.oid.description, weak: false)
    }
}

/// Key type and size from SubjectPublicKeyInfo.
enum PublicKeys {
    private static let curves: [String: (name: String, bits: Int)] = [
        "1.2.840.10045.3.1.7": ("P-256", 256),
        "1.3.132.0.34": ("P-384", 384),
        "1.3.132.0.35": ("P-521", 521),
        "1.3.132.0.10": ("secp256k1", 256),
        "1.2.840.10045.3.1.1": ("P-192", 192),
        "1.3.132.0.33": ("P-224", 224),
    ]

    /// Returns the summary; a key whose size cannot be read still gets its
    /// algorithm, with `bits` nil and a problem.
    static func summarize(algorithm node: ASN1Node, key: ArraySlice<UInt8>) throws(FieldError)
        -> (PublicKeySummary, FieldError?)
    {
        let algorithm = try AlgorithmIdentifierNode(node)
        let oid = algorithm.oid.description
        switch oid {
        case "1.2.840.113549.1.1.1", "1.2.840.113549.1.1.10":
            let kind: PublicKeySummary.Algorithm = oid.hasSuffix(".1") ? .rsa : .rsaPSS
            let bits = rsaModulusBits(key)
            return (
                PublicKeySummary(algorithm: kind, algorithmOID: oid, bits: bits, curve: nil),
                bits == nil ? .malformed("subjectPublicKey", "RSA key is not an RSAPublicKey SEQUENCE") : nil
            )
        case "1.2.840.10045.2.1":
            guard let curveNode = algorithm.parameters, let curve = try? ASN1ObjectIdentifier(derEncoded: curveNode) else {
                // Explicit curve parameters: size from an uncompressed point (04 || X || Y).
                let bits = key.first == 0x04 ? (key.count - 1) / 2 * 8 : nil
                return (PublicKeySummary(algorithm: .ec, algorithmOID: oid, bits: bits, curve: nil), nil)
            }
            let named = curves[curve.description]
            return (
                PublicKeySummary(
                    algorithm: .ec, algorithmOID: oid, bits: named?.bits,
                    curve: named?.name ?? curve.description), nil
            )
        case "1.3.101.112":
            return (PublicKeySummary(algorithm: .ed25519, algorithmOID: oid, bits: 256, curve: nil), nil)
        case "1.3.101.113":
            return (PublicKeySummary(algorithm: .ed448, algorithmOID: oid, bits: 448, curve: nil), nil)
        case "1.2.840.10040.4.1":
            // Dss-Parms ::= SEQUENCE { p, q, g }: the size is p's.
            let p = algorithm.parameters?.firstChild?.primitiveBytes
            return (PublicKeySummary(algorithm: .dsa, algorithmOID: oid, bits: p.map(bitLength), curve: nil), nil)
        default:
            return (PublicKeySummary(algorithm: .other, algorithmOID: oid, bits: nil, curve: nil), nil)
        }
    }

    /// `RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }`.
    static func rsaModulusBits(_ key: ArraySlice<UInt8>) -> Int? {
        guard let root = try? DER.parse(key), root.identifier == .sequence,
            let fields = root.children.map(Array.init), fields.count == 2,
            fields[0].identifier == .integer, let modulus = fields[0].primitiveBytes
        else { return nil }
        return bitLength(modulus)
    }

    /// Bits of an unsigned big-endian magnitude, leading zero octets ignored.
    static func bitLength(_ bytes: ArraySlice<UInt8>) -> Int {
        guard let first = bytes.firstIndex(where: { $0 != 0 }) else { return 0 }
        return (bytes.endIndex - first) * 8 - bytes[first].leadingZeroBitCount
    }
}
