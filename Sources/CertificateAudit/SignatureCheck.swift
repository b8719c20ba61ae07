import Crypto
import LegacyCrypto
import SwiftASN1
import _CryptoExtras

/// Checks one certificate's signature with its issuer's key, from the raw
/// fields. Only RSA PKCS#1 v1.5 with SHA-1/256/384/512: what the RSA keys
/// swift-certificates refuses (under 2048 bits) were ever used with.
enum SignatureCheck {
    enum Outcome: Equatable {
        /// `weak`: the hash is SHA-1, whose collisions are practical.
        case valid(weak: Bool)
        case invalid(String)
        /// rdpdoctor cannot check this algorithm or key; says which.
        case unsupported(String)
    }

    private static let rsaEncryption = "1.2.840.113549.1.1.1"
    private static let digests: [String: PKCS1DigestAlgorithm] = [
        "1.2.840.113549.1.1.5": .sha1, "1.3.14.3.2.29": .sha1,
        "1.2.840.113549.1.1.11": .sha256, "1.2.840.113549.1.1.12": .sha384, "1.2.840.113549.1.1.13": .sha512,
    ]

    static func verify(_ certificate: RawCertificate, issuedBy issuer: RawCertificate) -> Outcome {
        guard let algorithm = try? AlgorithmIdentifierNode(certificate.signatureAlgorithm) else {
            return .invalid("its signature algorithm cannot be read")
        }
        guard let hash = digests[algorithm.oid.description] else {
            let name = (try? SignatureAlgorithms.summarize(certificate.signatureAlgorithm).name) ?? algorithm.oid.description
            return .unsupported("it is signed with \(name); rdpdoctor's own check knows RSA PKCS#1 v1.5 with SHA-1, SHA-256, SHA-384 or SHA-512 only")
        }
        // RFC 4055 §5: the parameters are NULL (some writers omit them).
        if let parameters = algorithm.parameters, parameters.identifier != .null || parameters.primitiveBytes?.isEmpty != true {
            return .invalid("its signature algorithm has parameters other than NULL")
        }
        // RFC 5280 §4.1.1.2: the signed algorithm must be the one announced outside.
        guard certificate.innerSignatureAlgorithm.encodedBytes == certificate.signatureAlgorithm.encodedBytes else {
            return .invalid("the signed and the outer signature algorithms differ")
        }
        guard let signature = certificate.signatureValue else { return .invalid("its signature BIT STRING cannot be read") }
        guard (try? AlgorithmIdentifierNode(issuer.publicKeyAlgorithm))?.oid.description == rsaEncryption else {
            return .unsupported("the issuer's key is not an rsaEncryption key")
        }

        let parts: (modulus: ArraySlice<UInt8>, exponent: ArraySlice<UInt8>)
        switch rsaKeyParts(issuer.subjectPublicKey) {
        case .success(let parsed): parts = parsed
        case .failure(let why): return .unsupported("the issuer's RSA key cannot be read: \(why)")
        }
        let bits = PublicKeys.bitLength(parts.modulus)
        let valid: Bool
        if bits >= 2048 {
            // swift-crypto's own checks for the sizes it accepts.
            if let reason = RSAKeyAdmission.refusal(issuer.subjectPublicKeyInfo) {
                return .unsupported("swift-crypto cannot read the issuer's RSA key: \(reason)")
            }
            guard let key = try? _RSA.Signing.PublicKey(derRepresentation: issuer.subjectPublicKeyInfo.encodedBytes) else {
                return .unsupported("swift-crypto refuses the issuer's \(bits)-bit RSA key")
            }
            let rsaSignature = _RSA.Signing.RSASignature(rawRepresentation: signature)
            let tbs = certificate.tbsCertificate
            valid =
                switch hash {
                case .sha1: key.isValidSignature(rsaSignature, for: Insecure.SHA1.hash(data: tbs), padding: .insecurePKCS1v1_5)
                case .sha256: key.isValidSignature(rsaSignature, for: SHA256.hash(data: tbs), padding: .insecurePKCS1v1_5)
                case .sha384: key.isValidSignature(rsaSignature, for: SHA384.hash(data: tbs), padding: .insecurePKCS1v1_5)
                case .sha512: key.isValidSignature(rsaSignature, for: SHA512.hash(data: tbs), padding: .insecurePKCS1v1_5)
                }
        } else {
            // Windows has refused RSA keys under 1024 bits since 2012 (KB 2661254).
            guard bits >= 1024 else { return .unsupported("the issuer's RSA key has only \(bits) bits") }
            // Windows' CryptoAPI keeps e in 32 bits; a longer one would only
            // make a hostile chain expensive to check.
            guard PublicKeys.bitLength(parts.exponent) <= 32 else {
                return .unsupported("the issuer's public exponent is longer than 32 bits")
            }
            // swift-crypto refuses these sizes; LegacyCrypto's bounded raw RSA
            // checks the PKCS#1 v1.5 encoding byte for byte instead.
            let key: RSAPublicKey
            do {
                key = try RSAPublicKey(modulusBigEndian: Array(parts.modulus), exponentBigEndian: Array(parts.exponent))
            } catch {
                return .unsupported("the issuer's RSA key cannot be used: \(error)")
            }
            valid = key.isValidPKCS1v15Signature(Array(signature), digest: digest(hash, certificate.tbsCertificate), algorithm: hash)
        }
        return valid ? .valid(weak: hash == .sha1) : .invalid("its signature does not verify with the issuer's key")
    }

    private static func digest(_ hash: PKCS1DigestAlgorithm, _ data: ArraySlice<UInt8>) -> [UInt8] {
        switch hash {
        case .sha1: Array(Insecure.SHA1.hash(data: data))
        case .sha256: Array(SHA256.hash(data: data))
        case .sha384: Array(SHA384.hash(data: data))
        case .sha512: Array(SHA512.hash(data: data))
        }
    }

    struct KeyError: Error, CustomStringConvertible {
        var description: String
    }

    /// `RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }`:
    /// both positive, the exponent odd and at least 3 (e = 1 would make any
    /// padded message its own signature).
    static func rsaKeyParts(_ bytes: ArraySlice<UInt8>)
        -> Result<(modulus: ArraySlice<UInt8>, exponent: ArraySlice<UInt8>), KeyError>
    {
        guard let root = try? DER.parse(bytes), root.identifier == .sequence,
            let fields = root.children.map(Array.init), fields.count == 2,
            fields.allSatisfy({ $0.identifier == .integer }),
            let modulus = fields[0].primitiveBytes, let exponent = fields[1].primitiveBytes,
            modulus.first.map({ $0 & 0x80 == 0 }) == true, exponent.first.map({ $0 & 0x80 == 0 }) == true
        else { return .failure(KeyError(description: "not an RSAPublicKey of two positive INTEGERs")) }
        guard exponent.last.map({ $0 & 1 == 1 }) == true, PublicKeys.bitLength(exponent) >= 2 else {
            return .failure(KeyError(description: "the public exponent is not an odd number of at least 3"))
        }
        return .success((modulus, exponent))
    }
}
