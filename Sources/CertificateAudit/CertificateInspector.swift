import Crypto
import RDPWire
import SwiftASN1
import X509

/// One presented certificate after reading: the public summary plus what the
/// chain-wide checks (name, trust) need.
struct InspectedCertificate {
    var summary: CertificateSummary
    var problems: [CertificateProblem]
    /// Its own DER (without trailing bytes).
    var der: [UInt8]
    /// swift-certificates' view, when it accepts the certificate; needed to
    /// verify signatures.
    var x509: Certificate?
    var extensions: ExtensionFields?
    /// The fields as read by swift-asn1 alone: names, signed bytes and key for
    /// rdpdoctor's own path check when swift-certificates refuses the certificate.
    var raw: RawCertificate?
}

/// Reads one certificate: every field it can, never throwing.
enum CertificateInspector {
    static func inspect(_ bytes: [UInt8], index: Int, now: Int64) -> InspectedCertificate {
        var problems: [CertificateProblem] = []
        func note(_ error: FieldError) {
            problems.append(CertificateProblem(kind: error.kind, certificateIndex: index, field: error.field, detail: error.detail))
        }

        // Fingerprints cover the certificate itself, as openssl computes them;
        // for bytes that frame no certificate, they cover what was given.
        let frame = DERFraming.outerSequence(bytes)
        let element = (try? frame.get())?.element ?? bytes[...]
        var summary = CertificateSummary(
            index: index, byteCount: bytes.count,
            sha1Fingerprint: Hex.string(Insecure.SHA1.hash(data: element), separator: ":"),
            sha256Fingerprint: Hex.string(SHA256.hash(data: element), separator: ":"),
            details: nil, selfSigned: false, selfSignature: .notSelfIssued)
        var inspected = InspectedCertificate(
            summary: summary, problems: [], der: Array(element), x509: nil, extensions: nil,
            raw: nil)

        switch frame {
        case .failure(let error):
            note(error)
            inspected.problems = problems
            return inspected
        case .success(let frame) where frame.trailingByteCount > 0:
            note(FieldError(kind: .trailingData, detail: "\(frame.trailingByteCount) bytes after the certificate were ignored"))
        case .success:
            break
        }

        do throws(FieldError) {
            let raw = try RawCertificate(der: element)
            inspected.raw = raw
            let extensions = ExtensionFields(raw.extensions)
            extensions.problems.forEach(note)
            inspected.extensions = extensions
            let subject = try DistinguishedNames.render(raw.subject)
            let issuer = try DistinguishedNames.render(raw.issuer)
            let signature = try SignatureAlgorithms.summarize(raw.signatureAlgorithm)
            if raw.innerSignatureAlgorithm.encodedBytes != raw.signatureAlgorithm.encodedBytes {
                note(.malformed("signature", "TBSCertificate's signature algorithm differs from the outer one"))
            }
            let (key, keyProblem) = try PublicKeys.summarize(algorithm: raw.publicKeyAlgorithm, key: raw.subjectPublicKey)
            if let keyProblem { note(keyProblem) }
            summary.details = CertificateDetails(
                version: raw.version,
                subject: subject.rfc4514, subjectCommonName: subject.commonName,
                issuer: issuer.rfc4514, issuerCommonName: issuer.commonName,
                serialNumber: serialHex(raw.serialNumber),
                notBefore: CertificateTime(secondsSinceEpoch: raw.notBefore),
                notAfter: CertificateTime(secondsSinceEpoch: raw.notAfter),
                validity: validity(notBefore: raw.notBefore, notAfter: raw.notAfter, now: now),
                publicKey: key,
                subjectPublicKeyBytes: Array(raw.subjectPublicKey),
                signatureAlgorithm: signature,
                dnsNames: extensions.dnsNames, ipAddresses: extensions.ipTexts, otherNames: extensions.otherNames,
                hasSubjectAltName: extensions.hasSubjectAltName,
                extendedKeyUsage: extensions.extendedKeyUsage, isCA: extensions.isCA)

            // Self-issued when the names are equal, byte for byte or as text.
            let selfIssued =
                raw.subject.encodedBytes == raw.issuer.encodedBytes
                || subject.rfc4514.lowercased() == issuer.rfc4514.lowercased()
            do {
                if let reason = RSAKeyAdmission.refusal(raw.subjectPublicKeyInfo) { throw RSAKeyRefused(reason: reason) }
                let certificate = try Certificate(derEncoded: Array(element))
                inspected.x509 = certificate
                if selfIssued {
                    let valid = certificate.publicKey.isValidSignature(certificate.signature, for: certificate)
                    summary.selfSignature = valid ? .verified : .invalid
                }
            } catch {
                note(
                    FieldError(
                        kind: .notVerifiable,
                        detail:
                            "swift-certificates cannot load it (\(RawCertificate.describe(error))); fields were read directly and RSA PKCS#1 v1.5 signatures are checked by rdpdoctor's own code"
                    ))
                if selfIssued {
                    switch SignatureCheck.verify(raw, issuedBy: raw) {
                    case .valid: summary.selfSignature = .verified
                    case .invalid: summary.selfSignature = .invalid
                    case .unsupported: summary.selfSignature = .notChecked
                    }
                }
            }
            summary.selfSigned = selfIssued && summary.selfSignature != .invalid
        } catch {
            note(error)
        }
        inspected.summary = summary
        inspected.problems = problems
        return inspected
    }

    /// Content octets without the sign-padding zeros, as openssl prints serials.
    static func serialHex(_ serial: ArraySlice<UInt8>) -> String {
        let significant = serial.drop(while: { $0 == 0 })
        return significant.isEmpty ? "00" : Hex.string(significant)
    }

    /// RFC 5280 §4.1.2.5: valid from notBefore through notAfter inclusive.
    static func validity(notBefore: Int64, notAfter: Int64, now: Int64) -> ValidityStatus {
        let state: ValidityStatus.State = now < notBefore ? .notYetValid : (now > notAfter ? .expired : .valid)
        let days = CivilTime.floorDiv(notAfter - now, CivilTime.secondsPerDay)
        return ValidityStatus(state: state, daysLeft: Int(clamping: days))
    }
}
