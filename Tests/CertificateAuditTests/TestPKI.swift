import Crypto
import Foundation
import SwiftASN1
import X509

/// Makes P-256 certificates for the tests with swift-certificates, at fixed
/// dates around `TestPKI.now`, so every expectation is deterministic.
enum TestPKI {
    /// 2025-06-01T00:00:00Z: the instant every audit in these tests is judged at.
    static let nowSeconds: Int64 = 1_748_736_000
    static let now = Date(timeIntervalSince1970: TimeInterval(nowSeconds))
    static let day: TimeInterval = 86_400

    struct Issued {
        var der: [UInt8]
        var key: P256.Signing.PrivateKey
        var name: DistinguishedName
    }

    static func name(_ commonName: String) throws -> DistinguishedName {
        try DistinguishedName { CommonName(commonName) }
    }

    /// A certificate for `subject`, signed by `issuer` (self-signed when nil).
    static func issue(
        subject: DistinguishedName,
        issuer: Issued? = nil,
        key: P256.Signing.PrivateKey = P256.Signing.PrivateKey(),
        signingKey: P256.Signing.PrivateKey? = nil,
        notBefore: Date = now.addingTimeInterval(-30 * day),
        notAfter: Date = now.addingTimeInterval(365 * day),
        serial: [UInt8] = [0x01, 0x23, 0x45],
        extensions: Certificate.Extensions = Certificate.Extensions()
    ) throws -> Issued {
        let certificate = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(bytes: serial),
            publicKey: Certificate.PublicKey(key.publicKey),
            notValidBefore: notBefore,
            notValidAfter: notAfter,
            issuer: issuer?.name ?? subject,
            subject: subject,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: extensions,
            issuerPrivateKey: Certificate.PrivateKey(signingKey ?? issuer?.key ?? key))
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        return Issued(der: serializer.serializedBytes, key: key, name: subject)
    }

    static func caExtensions() throws -> Certificate.Extensions {
        try Certificate.Extensions {
            Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
        }
    }

    static func sanExtensions(dns: [String], ips: [[UInt8]] = []) throws -> Certificate.Extensions {
        let names = dns.map { GeneralName.dnsName($0) } + ips.map { GeneralName.ipAddress(ASN1OctetString(contentBytes: $0[...])) }
        return try Certificate.Extensions { SubjectAlternativeNames(names) }
    }

    static func base64(_ text: String) -> [UInt8] {
        Array(Data(base64Encoded: text)!)
    }

    static func hex<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        bytes.map { String(format: "%02X", $0) }.joined()
    }
}
