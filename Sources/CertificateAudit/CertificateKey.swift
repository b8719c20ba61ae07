import RDPWire
import Crypto

/// Synchronous look-ups a connection state machine needs while a handshake
/// is under way (the full audit is asynchronous).
public enum CertificateKey {
    /// The SubjectPublicKey BIT STRING contents: what CredSSP's pubKeyAuth covers.
    public static func subjectPublicKey(ofDER der: [UInt8]) -> [UInt8]? {
        let key = CertificateInspector.inspect(der, index: 0, now: 0).summary.details?.subjectPublicKeyBytes
        return key?.isEmpty == false ? key : nil
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
