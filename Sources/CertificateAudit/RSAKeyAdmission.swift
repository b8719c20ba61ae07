import SwiftASN1

/// Whether an RSA public key may be handed to swift-crypto.
///
/// swift-crypto (3.12) reads an RSA public key by asking BoringSSL for the
/// SubjectPublicKeyInfo form, then for the PKCS#1 form; when BoringSSL refuses
/// both, its initializer frees the key and throws, and the object's deinit frees
/// it again: the process aborts. swift-certificates calls that reader for every
/// certificate with an rsaEncryption key, so a server that presents a
/// certificate whose RSA key BoringSSL refuses (an even modulus, a 34-bit
/// exponent, parameters other than NULL…) would stop rdpdoctor. Found by the
/// `cert-audit` fuzz target (docs/FUZZING.md).
///
/// So an rsaEncryption key reaches swift-crypto only when it passes the checks
/// BoringSSL makes (`EVP_parse_public_key`, `rsa_pub_decode`,
/// `RSA_parse_public_key`, `rsa_check_public_key`), written out here; otherwise
/// the certificate is read by rdpdoctor's own code and the refusal is reported.
enum RSAKeyAdmission {
    static let rsaEncryption = "1.2.840.113549.1.1.1"

    /// Why BoringSSL would refuse this SubjectPublicKeyInfo's RSA key, or nil
    /// when it is not an rsaEncryption key or BoringSSL takes it.
    static func refusal(_ spki: ASN1Node) -> String? {
        guard let parts = spki.children.map(Array.init), parts.count == 2, parts[0].identifier == .sequence,
            parts[1].identifier == .bitString
        else { return "the subjectPublicKeyInfo is not an algorithm and a BIT STRING" }
        guard let algorithm = try? AlgorithmIdentifierNode(parts[0]) else { return "the key's algorithm cannot be read" }
        guard algorithm.oid.description == rsaEncryption else { return nil }
        // RFC 3279 2.3.1: the parameters are NULL, and BoringSSL insists.
        guard let parameters = algorithm.parameters, parameters.identifier == .null,
            case .primitive(let nullContent) = parameters.content, nullContent.isEmpty
        else { return "the rsaEncryption parameters are not NULL" }
        guard let bitString = try? ASN1BitString(derEncoded: parts[1]), bitString.paddingBits == 0 else {
            return "the key's BIT STRING does not hold whole bytes"
        }
        return refusal(rsaPublicKey: bitString.bytes)
    }

    /// The same for the RSAPublicKey (PKCS#1) inside the BIT STRING.
    static func refusal(rsaPublicKey bytes: ArraySlice<UInt8>) -> String? {
        guard let root = try? DER.parse(bytes), root.encodedBytes.count == bytes.count, root.identifier == .sequence,
            let fields = root.children.map(Array.init), fields.count == 2,
            fields.allSatisfy({ $0.identifier == .integer }),
            case .primitive(let modulus) = fields[0].content, case .primitive(let exponent) = fields[1].content
        else { return "the key is not an RSAPublicKey of two INTEGERs" }
        for (name, value) in [("modulus", modulus), ("exponent", exponent)] {
            guard let first = value.first, first & 0x80 == 0 else { return "the \(name) is negative or empty" }
            if first == 0, value.count > 1, value[value.startIndex + 1] & 0x80 == 0 {
                return "the \(name) is not minimally encoded"
            }
        }
        let modulusBits = PublicKeys.bitLength(modulus)
        guard (512...16384).contains(modulusBits) else { return "the modulus has \(modulusBits) bits (512 to 16384 are read)" }
        guard modulus.last.map({ $0 & 1 == 1 }) == true else { return "the modulus is even" }
        let exponentBits = PublicKeys.bitLength(exponent)
        guard (2...33).contains(exponentBits), exponent.last.map({ $0 & 1 == 1 }) == true else {
            return "the public exponent is not an odd number of 2 to 33 bits"
        }
        return nil
    }

    /// Why the certificate should not go to swift-certificates, read with
    /// swift-asn1 alone; nil when it is safe to parse. A certificate whose
    /// fields cannot be read one by one is not handed over either.
    static func refusal(certificate der: [UInt8]) -> String? {
        guard let raw = try? RawCertificate(der: der[...]) else { return "its fields cannot be read" }
        return refusal(raw.subjectPublicKeyInfo)
    }
}

/// swift-certificates is not asked to load a certificate whose RSA key would
/// stop swift-crypto (`RSAKeyAdmission`).
struct RSAKeyRefused: Error, CustomStringConvertible {
    let reason: String
    var description: String { "BoringSSL would refuse its RSA key: \(reason)" }
}
