// The record CertificateAuditor produces: plain values only, so Diagnosis can
// reason over it and Reporting can render it as text or JSON (Codable).

/// What the audit found about a presented certificate chain.
public struct CertificateReport: Sendable, Codable, Equatable {
    /// The name the user typed (DNS name or IP literal), as given.
    public var expectedName: String
    /// The instant the certificates were judged at (the caller's "now").
    public var evaluatedAt: CertificateTime
    /// One entry per presented certificate, leaf first, in the order given.
    public var certificates: [CertificateSummary]
    /// Whether the leaf certificate names `expectedName` (RFC 6125 rules).
    public var nameMatches: Bool
    /// Which leaf name matched, as written in the certificate.
    public var matchedName: String?
    /// Where the names compared against came from.
    public var nameSource: NameSource
    /// Whether the chain leads to one of the given trust anchors.
    public var trust: TrustAssessment
    /// Everything that could not be read or checked, for every certificate.
    public var problems: [CertificateProblem]
    /// When the chain is untrusted because the server stops short of its
    /// issuer: that issuer's name (RFC 4514). Set when, following issuer names
    /// from the leaf, the last presented certificate is not self-issued and
    /// neither a presented certificate nor an anchor has its issuer's name —
    /// a missing intermediate, or a private root the clients do not have.
    public var missingIssuer: String?

    public init(
        expectedName: String, evaluatedAt: CertificateTime, certificates: [CertificateSummary],
        nameMatches: Bool, matchedName: String?, nameSource: NameSource,
        trust: TrustAssessment, problems: [CertificateProblem], missingIssuer: String? = nil
    ) {
        self.expectedName = expectedName
        self.evaluatedAt = evaluatedAt
        self.certificates = certificates
        self.nameMatches = nameMatches
        self.matchedName = matchedName
        self.nameSource = nameSource
        self.trust = trust
        self.problems = problems
        self.missingIssuer = missingIssuer
    }

    /// The server's own certificate, when one was presented.
    public var leaf: CertificateSummary? { certificates.first }
}

/// Where the expected name was looked for.
public enum NameSource: String, Sendable, Codable, Equatable {
    /// The leaf has a subjectAltName extension; only it counts.
    case subjectAltName
    /// No subjectAltName: the subject's common name was used (legacy rule).
    case commonName
    /// Nothing to compare against (no leaf, no SAN and no CN).
    case none
}

/// A point in time as whole seconds since 1970-01-01T00:00:00Z, with its
/// ISO 8601 text (UTC) so renderings need no calendar code.
public struct CertificateTime: Sendable, Codable, Equatable, Comparable {
    public var secondsSinceEpoch: Int64
    public var iso8601: String

    public init(secondsSinceEpoch: Int64) {
        self.secondsSinceEpoch = secondsSinceEpoch
        self.iso8601 = CivilTime.iso8601(secondsSinceEpoch: secondsSinceEpoch)
    }

    public static func < (lhs: CertificateTime, rhs: CertificateTime) -> Bool {
        lhs.secondsSinceEpoch < rhs.secondsSinceEpoch
    }
}

/// One presented certificate. `details` is nil when not even the basic
/// fields could be read; the reasons are then in the report's `problems`.
public struct CertificateSummary: Sendable, Codable, Equatable {
    /// Position in the presented chain (0 = leaf).
    public var index: Int
    /// Size of the bytes given for this certificate.
    public var byteCount: Int
    /// SHA-1 over the certificate's DER, uppercase hex with colons (as `openssl x509 -fingerprint -sha1`).
    public var sha1Fingerprint: String
    /// SHA-256 over the certificate's DER, same format.
    public var sha256Fingerprint: String
    /// The fields, when they could be read.
    public var details: CertificateDetails?
    /// Subject equals issuer and (when the key can be parsed) the certificate's
    /// own key verifies its signature.
    public var selfSigned: Bool
    /// How the self-signature was checked.
    public var selfSignature: SelfSignatureCheck

    public init(
        index: Int, byteCount: Int, sha1Fingerprint: String, sha256Fingerprint: String,
        details: CertificateDetails?, selfSigned: Bool, selfSignature: SelfSignatureCheck
    ) {
        self.index = index
        self.byteCount = byteCount
        self.sha1Fingerprint = sha1Fingerprint
        self.sha256Fingerprint = sha256Fingerprint
        self.details = details
        self.selfSigned = selfSigned
        self.selfSignature = selfSignature
    }
}

/// The outcome of checking a certificate's signature with its own key.
public enum SelfSignatureCheck: String, Sendable, Codable, Equatable {
    /// Subject differs from issuer: not self-issued, nothing to check.
    case notSelfIssued
    /// Subject equals issuer and the own key verifies the signature.
    case verified
    /// Subject equals issuer but the own key does not verify the signature.
    case invalid
    /// Subject equals issuer; the key or algorithm could not be used to check.
    case notChecked
}

/// The fields of one certificate.
public struct CertificateDetails: Sendable, Codable, Equatable {
    /// X.509 version as written in the certificate (1, 2 or 3).
    public var version: Int
    /// Subject as an RFC 4514 string (most specific RDN first).
    public var subject: String
    /// The subject's (last) common name, when it has one.
    public var subjectCommonName: String?
    /// Issuer as an RFC 4514 string.
    public var issuer: String
    public var issuerCommonName: String?
    /// Serial number as uppercase hex of its content octets.
    public var serialNumber: String
    public var notBefore: CertificateTime
    public var notAfter: CertificateTime
    public var validity: ValidityStatus
    public var publicKey: PublicKeySummary
    /// The contents of subjectPublicKeyInfo's BIT STRING: the bytes CredSSP's
    /// pubKeyAuth is computed over (for RSA, the DER RSAPublicKey).
    public var subjectPublicKeyBytes: [UInt8]
    public var signatureAlgorithm: SignatureAlgorithmSummary
    /// DNS names from subjectAltName, as written.
    public var dnsNames: [String]
    /// IP addresses from subjectAltName, as text (IPv4 dotted, IPv6 RFC 5952).
    public var ipAddresses: [String]
    /// Other subjectAltName entries, described (e.g. "email:a@b", "URI:...").
    public var otherNames: [String]
    /// Whether a subjectAltName extension is present at all.
    public var hasSubjectAltName: Bool
    /// Extended key usage; nil when the extension is absent (any use allowed).
    public var extendedKeyUsage: ExtendedKeyUsageSummary?
    /// basicConstraints cA flag; nil when the extension is absent.
    public var isCA: Bool?

    public init(
        version: Int, subject: String, subjectCommonName: String?, issuer: String, issuerCommonName: String?,
        serialNumber: String, notBefore: CertificateTime, notAfter: CertificateTime, validity: ValidityStatus,
        publicKey: PublicKeySummary, subjectPublicKeyBytes: [UInt8], signatureAlgorithm: SignatureAlgorithmSummary,
        dnsNames: [String], ipAddresses: [String], otherNames: [String], hasSubjectAltName: Bool,
        extendedKeyUsage: ExtendedKeyUsageSummary?, isCA: Bool?
    ) {
        self.version = version
        self.subject = subject
        self.subjectCommonName = subjectCommonName
        self.issuer = issuer
        self.issuerCommonName = issuerCommonName
        self.serialNumber = serialNumber
        self.notBefore = notBefore
        self.notAfter = notAfter
        self.validity = validity
        self.publicKey = publicKey
        self.subjectPublicKeyBytes = subjectPublicKeyBytes
        self.signatureAlgorithm = signatureAlgorithm
        self.dnsNames = dnsNames
        self.ipAddresses = ipAddresses
        self.otherNames = otherNames
        self.hasSubjectAltName = hasSubjectAltName
        self.extendedKeyUsage = extendedKeyUsage
        self.isCA = isCA
    }
}

/// Validity at the evaluation instant.
public struct ValidityStatus: Sendable, Codable, Equatable {
    public enum State: String, Sendable, Codable, Equatable {
        case valid, expired, notYetValid
    }

    public var state: State
    /// Whole days from the evaluation instant to notAfter, rounded down:
    /// negative once expired (-1 within the first day after expiry).
    public var daysLeft: Int

    public init(state: State, daysLeft: Int) {
        self.state = state
        self.daysLeft = daysLeft
    }
}

/// The subject's public key.
public struct PublicKeySummary: Sendable, Codable, Equatable {
    public enum Algorithm: String, Sendable, Codable, Equatable {
        case rsa, rsaPSS, ec, ed25519, ed448, dsa, other
    }

    public var algorithm: Algorithm
    /// The SubjectPublicKeyInfo algorithm OID, dotted.
    public var algorithmOID: String
    /// Key size: RSA modulus bits, EC curve size, Ed25519 = 256, DSA p bits.
    /// nil when it could not be determined.
    public var bits: Int?
    /// EC curve name ("P-256", ...) or the curve OID when unnamed.
    public var curve: String?

    public init(algorithm: Algorithm, algorithmOID: String, bits: Int?, curve: String?) {
        self.algorithm = algorithm
        self.algorithmOID = algorithmOID
        self.bits = bits
        self.curve = curve
    }
}

/// The algorithm the issuer signed the certificate with.
public struct SignatureAlgorithmSummary: Sendable, Codable, Equatable {
    /// OpenSSL-style name ("sha256WithRSAEncryption", "ecdsa-with-SHA256"), or the OID.
    public var name: String
    public var oid: String
    /// Based on SHA-1, MD5 or MD2: collisions are practical, clients may refuse it.
    public var weakSignature: Bool

    public init(name: String, oid: String, weakSignature: Bool) {
        self.name = name
        self.oid = oid
        self.weakSignature = weakSignature
    }
}

/// The extendedKeyUsage extension.
public struct ExtendedKeyUsageSummary: Sendable, Codable, Equatable {
    /// Every purpose OID, dotted, in certificate order.
    public var oids: [String]
    /// Readable names for the OIDs (the OID itself when unknown), same order.
    public var names: [String]
    /// TLS server authentication (1.3.6.1.5.5.7.3.1).
    public var serverAuth: Bool
    /// Microsoft "Remote Desktop Authentication" (1.3.6.1.4.1.311.54.1.2).
    public var remoteDesktopAuthentication: Bool
    /// anyExtendedKeyUsage (2.5.29.37.0).
    public var anyExtendedKeyUsage: Bool

    public init(oids: [String], names: [String], serverAuth: Bool, remoteDesktopAuthentication: Bool, anyExtendedKeyUsage: Bool) {
        self.oids = oids
        self.names = names
        self.serverAuth = serverAuth
        self.remoteDesktopAuthentication = remoteDesktopAuthentication
        self.anyExtendedKeyUsage = anyExtendedKeyUsage
    }
}

/// Whether the chain is trusted by the given anchors.
public struct TrustAssessment: Sendable, Codable, Equatable {
    public enum Status: String, Sendable, Codable, Equatable {
        case trusted, untrusted
    }

    public var status: Status
    /// Why it is untrusted (or how trust was established in a special case).
    public var reason: String?
    /// Subjects of the validated chain, leaf to anchor; empty when untrusted.
    public var validatedChain: [String]
    /// How many trust anchors were given.
    public var anchorCount: Int
    /// How many of the anchors that name an issuer of the chain could not be
    /// loaded (anchors that cannot have issued it are not read at all).
    public var unusableAnchorCount: Int

    public init(status: Status, reason: String?, validatedChain: [String], anchorCount: Int, unusableAnchorCount: Int) {
        self.status = status
        self.reason = reason
        self.validatedChain = validatedChain
        self.anchorCount = anchorCount
        self.unusableAnchorCount = unusableAnchorCount
    }

    public var isTrusted: Bool { status == .trusted }
}

/// Something in the input that could not be read or checked. Never fatal:
/// the rest of the report stays valid.
public struct CertificateProblem: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable, Equatable {
        /// No certificate was presented.
        case emptyChain
        /// The bytes do not start with a DER SEQUENCE header.
        case notDER
        /// The DER header announces more bytes than were given.
        case truncated
        /// Bytes follow the certificate; they were ignored.
        case trailingData
        /// The certificate's outer structure is not Certificate/TBSCertificate.
        case malformedCertificate
        /// One field could not be read; `field` names it.
        case malformedField
        /// One extension could not be read (or appears twice); `field` names its OID.
        case malformedExtension
        /// swift-certificates cannot load it (e.g. RSA key under 2048 bits): fields
        /// were read directly, and only RSA PKCS#1 v1.5 signatures are checked
        /// (by rdpdoctor's own code).
        case notVerifiable
    }

    public var kind: Kind
    /// The certificate's position in the chain; nil for chain-wide problems.
    public var certificateIndex: Int?
    /// The field or extension concerned, when there is one.
    public var field: String?
    /// Human-readable detail.
    public var detail: String

    public init(kind: Kind, certificateIndex: Int?, field: String? = nil, detail: String) {
        self.kind = kind
        self.certificateIndex = certificateIndex
        self.field = field
        self.detail = detail
    }
}
