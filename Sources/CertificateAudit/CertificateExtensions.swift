import SwiftASN1

/// The extensions the audit reports on. Each is read on its own: a broken
/// one becomes a problem and leaves the others usable.
struct ExtensionFields {
    var hasSubjectAltName = false
    var dnsNames: [String] = []
    /// Raw iPAddress octets (4 or 16), for matching; `ipTexts` for display.
    var ipAddresses: [[UInt8]] = []
    var ipTexts: [String] = []
    var otherNames: [String] = []
    var extendedKeyUsage: ExtendedKeyUsageSummary?
    var isCA: Bool?
    /// keyUsage keyCertSign; nil when keyUsage is absent (any use allowed).
    var keyCertSign: Bool?
    /// OIDs of the extensions marked critical, dotted.
    var criticalOIDs: [String] = []
    var problems: [FieldError] = []

    static let subjectAltName = "2.5.29.17"
    static let extendedKeyUsageOID = "2.5.29.37"
    static let basicConstraints = "2.5.29.19"
    static let keyUsage = "2.5.29.15"

    init(_ extensionNodes: [ASN1Node]) {
        var seen = Set<String>()
        for node in extensionNodes {
            guard let (oid, critical, value) = Self.split(node) else {
                problems.append(
                    FieldError(
                        kind: .malformedExtension, field: "extensions",
                        detail: "an Extension is not SEQUENCE { OID, BOOLEAN?, OCTET STRING }"))
                continue
            }
            // RFC 5280 §4.2: an extension appears at most once; only the first is read.
            guard seen.insert(oid).inserted else {
                problems.append(FieldError(kind: .malformedExtension, field: oid, detail: "extension appears more than once"))
                continue
            }
            if critical { criticalOIDs.append(oid) }
            do throws(FieldError) {
                switch oid {
                case Self.subjectAltName: try readSubjectAltName(value)
                case Self.extendedKeyUsageOID: try readExtendedKeyUsage(value)
                case Self.basicConstraints: try readBasicConstraints(value)
                case Self.keyUsage: try readKeyUsage(value)
                default: break
                }
            } catch {
                problems.append(FieldError(kind: .malformedExtension, field: oid, detail: error.detail))
            }
        }
    }

    /// `Extension ::= SEQUENCE { extnID OID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }`.
    private static func split(_ node: ASN1Node) -> (String, Bool, ArraySlice<UInt8>)? {
        guard node.identifier == .sequence, let parts = node.children.map(Array.init),
            (2...3).contains(parts.count),
            let oid = try? ASN1ObjectIdentifier(derEncoded: parts[0]),
            let valueNode = parts.last, valueNode.identifier == .octetString,
            let value = valueNode.primitiveBytes
        else { return nil }
        // Any non-zero BOOLEAN octet counts as TRUE: BER writers use 0x01.
        let critical =
            parts.count == 3 && parts[1].identifier == .boolean
            && parts[1].primitiveBytes.map { $0.contains { $0 != 0 } } == true
        return (oid.description, critical, value)
    }

    private static func parseValue(_ value: ArraySlice<UInt8>, _ what: String) throws(FieldError) -> ASN1Node {
        do {
            return try DER.parse(value)
        } catch {
            throw FieldError(kind: .malformedExtension, detail: "\(what) value is not DER: \(RawCertificate.describe(error))")
        }
    }

    /// `GeneralNames ::= SEQUENCE OF GeneralName` (context tags per RFC 5280 §4.2.1.6).
    private mutating func readSubjectAltName(_ value: ArraySlice<UInt8>) throws(FieldError) {
        hasSubjectAltName = true
        let root = try Self.parseValue(value, "subjectAltName")
        guard root.identifier == .sequence, let names = root.children else {
            throw FieldError(kind: .malformedExtension, detail: "subjectAltName is not a SEQUENCE")
        }
        for name in names {
            guard name.identifier.tagClass == .contextSpecific else {
                throw FieldError(kind: .malformedExtension, detail: "subjectAltName entry is not a GeneralName")
            }
            let bytes = name.primitiveBytes
            switch name.identifier.tagNumber {
            case 2:
                guard let bytes, let text = ASN1Text.utf8(bytes) else {
                    throw FieldError(kind: .malformedExtension, detail: "dNSName is not text")
                }
                dnsNames.append(text)
            case 7:
                guard let bytes, bytes.count == 4 || bytes.count == 16 else {
                    throw FieldError(kind: .malformedExtension, detail: "iPAddress is not 4 or 16 octets")
                }
                ipAddresses.append(Array(bytes))
                ipTexts.append(IPAddress.text(Array(bytes)))
            case 1:
                otherNames.append("email:" + (bytes.flatMap(ASN1Text.utf8) ?? "?"))
            case 6:
                otherNames.append("URI:" + (bytes.flatMap(ASN1Text.utf8) ?? "?"))
            case 4:
                let rendered = name.firstChild.flatMap { try? DistinguishedNames.render($0) }
                otherNames.append("DirName:" + (rendered?.rfc4514 ?? "?"))
            case 0:
                let typeID = name.firstChild.flatMap { try? ASN1ObjectIdentifier(derEncoded: $0) }
                otherNames.append("othername:" + (typeID?.description ?? "?"))
            default:
                otherNames.append("[\(name.identifier.tagNumber)]")
            }
        }
    }

    private static let serverAuthOID = "1.3.6.1.5.5.7.3.1"
    private static let remoteDesktopOID = "1.3.6.1.4.1.311.54.1.2"
    private static let anyUsageOID = "2.5.29.37.0"
    private static let usageNames: [String: String] = [
        serverAuthOID: "serverAuth",
        "1.3.6.1.5.5.7.3.2": "clientAuth",
        "1.3.6.1.5.5.7.3.3": "codeSigning",
        "1.3.6.1.5.5.7.3.4": "emailProtection",
        "1.3.6.1.5.5.7.3.8": "timeStamping",
        "1.3.6.1.5.5.7.3.9": "OCSPSigning",
        anyUsageOID: "anyExtendedKeyUsage",
        remoteDesktopOID: "Remote Desktop Authentication",
        "1.3.6.1.4.1.311.20.2.2": "smartcardLogon",
        "1.3.6.1.5.2.3.5": "KDC Authentication",
    ]

    /// `ExtKeyUsageSyntax ::= SEQUENCE SIZE (1..MAX) OF KeyPurposeId`.
    private mutating func readExtendedKeyUsage(_ value: ArraySlice<UInt8>) throws(FieldError) {
        let root = try Self.parseValue(value, "extendedKeyUsage")
        guard root.identifier == .sequence, let items = root.children else {
            throw FieldError(kind: .malformedExtension, detail: "extendedKeyUsage is not a SEQUENCE")
        }
        var oids: [String] = []
        for item in items {
            guard let oid = try? ASN1ObjectIdentifier(derEncoded: item) else {
                throw FieldError(kind: .malformedExtension, detail: "extendedKeyUsage entry is not an OID")
            }
            oids.append(oid.description)
        }
        extendedKeyUsage = ExtendedKeyUsageSummary(
            oids: oids,
            names: oids.map { Self.usageNames[$0] ?? $0 },
            serverAuth: oids.contains(Self.serverAuthOID),
            remoteDesktopAuthentication: oids.contains(Self.remoteDesktopOID),
            anyExtendedKeyUsage: oids.contains(Self.anyUsageOID))
    }

    /// `KeyUsage ::= BIT STRING { digitalSignature (0), ..., keyCertSign (5), ... }`.
    /// Read from the raw octets: writers differ in how they trim trailing zero bits.
    private mutating func readKeyUsage(_ value: ArraySlice<UInt8>) throws(FieldError) {
        let root = try Self.parseValue(value, "keyUsage")
        guard root.identifier == .bitString, let bytes = root.primitiveBytes, let unused = bytes.first, unused < 8 else {
            throw FieldError(kind: .malformedExtension, detail: "keyUsage is not a BIT STRING")
        }
        let bits = bytes.dropFirst()
        keyCertSign = bits.first.map { $0 & 0x04 != 0 } ?? false
    }

    /// `BasicConstraints ::= SEQUENCE { cA BOOLEAN DEFAULT FALSE, pathLenConstraint INTEGER OPTIONAL }`.
    private mutating func readBasicConstraints(_ value: ArraySlice<UInt8>) throws(FieldError) {
        let root = try Self.parseValue(value, "basicConstraints")
        guard root.identifier == .sequence, root.children != nil else {
            throw FieldError(kind: .malformedExtension, detail: "basicConstraints is not a SEQUENCE")
        }
        isCA = false
        if let first = root.firstChild, first.identifier == .boolean {
            guard let flag = try? Bool(derEncoded: first) else {
                throw FieldError(kind: .malformedExtension, detail: "basicConstraints cA is not a BOOLEAN")
            }
            isCA = flag
        }
    }
}
