import Crypto
import RDPWire

/// Synchronous look-ups a connection state machine needs while a handshake
/// is under way (the full audit is asynchronous).
public enum CertificateKey {
    /// The SubjectPublicKey BIT STRING contents: what CredSSP's pubKeyAuth covers.
    public static func subjectPublicKey(ofDER der: [UInt8]) -> [UInt8]? {
        // Only the key is read: a full inspection (names, signature check) is
        // not needed for it, and a name that cannot be rendered must not hide it.
        guard case .success(let frame) = DERFraming.outerSequence(der),
            let certificate = try? RawCertificate(der: frame.element), !certificate.subjectPublicKey.isEmpty
        else { return nil }
        return Array(certificate.subjectPublicKey)
    }

    /// The modulus and public exponent (big-endian) of the certificate's
    /// rsaEncryption key; nil for another algorithm or a key that cannot be read.
    /// Standard RDP security encrypts the client random with it.
    public static func rsaPublicKey(ofDER der: [UInt8]) -> (modulus: [UInt8], exponent: [UInt8])? {
        guard let certificate = try? RawCertificate(der: der[...]),
            (try? AlgorithmIdentifierNode(certificate.publicKeyAlgorithm))?.oid.description == "1.2.840.113549.1.1.1",
            case let .success(parts) = SignatureCheck.rsaKeyParts(certificate.subjectPublicKey)
        else { return nil }
        return (Array(parts.modulus), Array(parts.exponent))
    }

    /// SHA-256 over the certificate's DER, for pinning.
    public static func sha256(ofDER der: [UInt8]) -> [UInt8] {
        Array(SHA256.hash(data: der))
    }

    /// A digest as the report writes fingerprints: uppercase hex with colons.
    public static func fingerprint(_ digest: [UInt8]) -> String {
        Hex.string(digest, separator: ":")
    }
}
