import Catalogue
import CertificateAudit
import ProbeCore

/// The TLS certificate, as a Microsoft client would judge it.
enum CertificateRules: DiagnosisRule {
    /// Warn this many days before expiry.
    static let expiryWarningDays = 30

    static let regenerate =
        "Windows, self-signed RDP certificate: delete it from the \"Remote Desktop\" certificate store (certlm.msc > Remote Desktop > Certificates) and run `Restart-Service TermService -Force`; a new one is made."
    static let installProper =
        "Install a certificate from a CA the clients trust, for the name they type, and bind it: `$hash = (Get-ChildItem Cert:\\LocalMachine\\My | Where Subject -like '*HOST*').Thumbprint; Set-CimInstance -InputObject (Get-CimInstance -Namespace root/cimv2/TerminalServices -ClassName Win32_TSGeneralSetting -Filter \"TerminalName='RDP-tcp'\") -Property @{SSLCertificateSHA1Hash=$hash}`."

    /// What to do when the server leaves out the certificate that issued its own.
    static func sendIssuer(_ issuer: String) -> String {
        "If \(issuer) is an intermediate CA, configure the server to send it (Windows: import it into the computer's Intermediate Certification Authorities store — `Import-Certificate -FilePath issuer.cer -CertStoreLocation Cert:\\LocalMachine\\CA`; xrdp: put the intermediate after the server certificate in the certificate= file); if it is your own root CA, deploy it to clients or pass it with --ca."
    }

    static func findings(_ input: RuleInput) -> [Finding] {
        guard let report = input.certificate else { return [] }
        let target = input.observations.target
        var findings: [Finding] = []
        guard let leaf = report.leaf else {
            return [
                Finding(
                    id: .certNone, level: .warn, section: .certificate, title: "No certificate could be read",
                    detail: report.problems.map(\.detail).joined(separator: "; "))
            ]
        }
        let details = leaf.details
        let subject = details?.subjectCommonName ?? details?.subject ?? "(unreadable subject)"
        var facts = ["subject \(details?.subject ?? "?")", "issuer \(details?.issuer ?? "?")"]
        if let d = details {
            let sans = d.dnsNames + d.ipAddresses
            facts.append(sans.isEmpty ? "no subject alternative names" : "SANs \(sans.joined(separator: ", "))")
            facts.append("valid \(d.notBefore.iso8601) to \(d.notAfter.iso8601)")
            facts.append(
                "key \(d.publicKey.algorithm.rawValue.uppercased())\(d.publicKey.bits.map { " \($0)-bit" } ?? "")\(d.publicKey.curve.map { " \($0)" } ?? "")")
            facts.append("signature \(d.signatureAlgorithm.name)")
            if let eku = d.extendedKeyUsage { facts.append("EKU \(eku.names.joined(separator: ", "))") }
        }
        facts.append("SHA-256 \(leaf.sha256Fingerprint)")
        findings.append(
            Finding(
                id: .certSummary, level: .info, section: .certificate,
                title: "Certificate \(subject)", detail: facts.joined(separator: "; ") + "."))

        if let validity = details?.validity {
            switch validity.state {
            case .expired:
                findings.append(
                    Finding(
                        id: .certExpired, level: .warn, section: .certificate,
                        title: "The certificate expired \(-validity.daysLeft) day\(validity.daysLeft == -1 ? "" : "s") ago",
                        detail: "Microsoft clients warn and, where policy says \"do not connect\" on authentication failure (authentication level 1), refuse.",
                        fixes: [regenerate, installProper], codes: [CatalogueKey(.sspi, 0x80090328), CatalogueKey(.disconnect, 0x1B07)]))
            case .notYetValid:
                findings.append(
                    Finding(
                        id: .certNotYetValid, level: .warn, section: .certificate, title: "The certificate is not valid yet",
                        detail:
                            "Its validity starts \(details?.notBefore.iso8601 ?? "later"): the server's or this machine's clock is wrong, or it was issued for the future.",
                        fixes: ["Check both clocks (`w32tm /query /status`; `timedatectl`)."]))
            case .valid where validity.daysLeft < expiryWarningDays:
                findings.append(
                    Finding(
                        id: .certExpiresSoon, level: .warn, section: .certificate,
                        title: validity.daysLeft == 0
                            ? "The certificate expires today" : "The certificate expires in \(validity.daysLeft) day\(validity.daysLeft == 1 ? "" : "s")",
                        detail: "Renew it before clients start warning.", fixes: [installProper]))
            case .valid:
                findings.append(
                    Finding(
                        id: .certValid, level: .good, section: .certificate,
                        title: "The certificate is within its validity period (\(validity.daysLeft) days left)", detail: ""))
            }
        }
        if report.trust.isTrusted {
            findings.append(
                Finding(
                    id: .certTrusted, level: .good, section: .certificate,
                    title: "The certificate chains to a trusted root",
                    detail: report.trust.validatedChain.joined(separator: " → ")))
        } else if let issuer = report.missingIssuer {
            // A specific fix: the certificate the server leaves out is named.
            findings.append(
                Finding(
                    id: .certMissingIntermediate, level: .warn, section: .certificate,
                    title: "The server does not send the certificate that issued its own",
                    detail: (["The server sends its certificate without the one that issued it (\(issuer))."]
                        + (report.trust.reason.map { ["Verifier: \($0)."] } ?? [])).joined(separator: " "),
                    fixes: [sendIssuer(issuer)],
                    codes: [CatalogueKey(.sspi, 0x80090325)]))
        } else {
            let selfSigned = leaf.selfSigned
            findings.append(
                Finding(
                    id: selfSigned ? .certSelfSigned : .certUntrusted, level: .warn, section: .certificate,
                    title: selfSigned ? "Self-signed certificate: clients cannot verify the server" : "The certificate is not trusted",
                    detail: (selfSigned
                        ? "Every client shows an identity warning, and a man in the middle would look the same to users who click through it. " : "")
                        + (report.trust.reason.map { "Verifier: \($0)." } ?? ""),
                    fixes: [installProper, "Or trust it explicitly: deploy the issuing CA to clients, or pass it to rdpdoctor with --ca FILE."],
                    codes: [CatalogueKey(.sspi, 0x80090325)]))
        }
        if !report.nameMatches {
            findings.append(
                Finding(
                    id: .certNameMismatch, level: .warn, section: .certificate,
                    title: "The certificate is not for \(target.host)",
                    detail:
                        "It names \(((details?.dnsNames ?? []) + (details?.ipAddresses ?? [])).joined(separator: ", ").nonEmpty ?? details?.subjectCommonName ?? "nothing usable"); clients typing \(target.host) get a name warning.",
                    fixes: [installProper, "Or connect using a name the certificate carries."],
                    codes: [CatalogueKey(.sspi, 0x80090322)]))
        }
        if let key = details?.publicKey, key.algorithm == .rsa, let bits = key.bits, bits < 2048 {
            findings.append(
                Finding(
                    id: .certWeakKey, level: .warn, section: .certificate,
                    title: "\(bits)-bit RSA key",
                    detail: "Keys under 2048 bits are considered breakable and are refused by current TLS stacks' policies.",
                    fixes: [installProper]))
        }
        if let signature = details?.signatureAlgorithm, signature.weakSignature, !leaf.selfSigned {
            findings.append(
                Finding(
                    id: .certWeakSignature, level: .warn, section: .certificate,
                    title: "Signed with \(signature.name)",
                    detail: "SHA-1 and MD5 signatures can be forged; modern clients distrust them.",
                    fixes: [installProper]))
        }
        if let eku = details?.extendedKeyUsage, !eku.serverAuth, !eku.remoteDesktopAuthentication, !eku.anyExtendedKeyUsage {
            findings.append(
                Finding(
                    id: .certEku, level: .fail, section: .certificate,
                    title: "The certificate is not for server authentication",
                    detail:
                        "Its extended key usage (\(eku.names.joined(separator: ", "))) has neither Server Authentication nor Remote Desktop Authentication; Windows clients reject it.",
                    fixes: [installProper], codes: [CatalogueKey(.sspi, 0x80090349)]))
        }
        for problem in report.problems where problem.kind != .notVerifiable {
            findings.append(
                Finding(
                    id: problemID(problem.kind), level: .warn, section: .certificate,
                    title: "Certificate \(problem.certificateIndex.map { "#\($0 + 1) " } ?? "")could not be read entirely",
                    detail: problem.detail))
        }
        return findings
    }

    static func problemID(_ kind: CertificateProblem.Kind) -> FindingID {
        switch kind {
        case .emptyChain: .certProblemEmptyChain
        case .notDER: .certProblemNotDER
        case .truncated: .certProblemTruncated
        case .trailingData: .certProblemTrailingData
        case .malformedCertificate: .certProblemMalformedCertificate
        case .malformedField: .certProblemMalformedField
        case .malformedExtension: .certProblemMalformedExtension
        case .notVerifiable: .certProblemNotVerifiable
        }
    }
}

extension String {
    var nonEmpty: String? { isEmpty ? nil : self }
}
