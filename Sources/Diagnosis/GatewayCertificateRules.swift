import Catalogue
import CertificateAudit
import ProbeCore

/// The RD Gateway's own certificate, audited for the gateway's name with the
/// same `CertificateAuditor` as the target's. Where a target's certificate
/// problem is a warning (the clients let the user accept it), a gateway's is a
/// failure: Microsoft's clients refuse an RD Gateway they cannot verify.
enum GatewayCertificateRules: DiagnosisRule {
    static let bindTrusted =
        "Bind a certificate from a CA the clients trust, issued to the gateway's external name, in RD Gateway Manager (Properties > SSL Certificate) and in IIS's binding for the Default Web Site."

    static func findings(_ input: RuleInput) -> [Finding] {
        guard let report = input.gatewayCertificate, let g = input.observations.gateway, let leaf = report.leaf else { return [] }
        let codes = input.catalogue.clientCodes(.gatewayCertificateUntrusted).keys
        let withheld =
            g.authentication == .withheldUntrustedCertificate
            ? " rdpdoctor sent nothing derived from the gateway password to it." : ""
        var findings: [Finding] = []
        let details = leaf.details
        let subject = details?.subjectCommonName ?? details?.subject ?? "(unreadable subject)"
        var facts = ["issuer \(details?.issuer ?? "?")"]
        if let d = details {
            let names = d.dnsNames + d.ipAddresses
            facts.append(names.isEmpty ? "no subject alternative names" : "SANs \(names.joined(separator: ", "))")
            facts.append("valid \(d.notBefore.iso8601) to \(d.notAfter.iso8601)")
        }
        facts.append("SHA-256 \(leaf.sha256Fingerprint)")
        findings.append(
            Finding(
                id: .gatewayCertificateSummary, level: .info, section: .gateway,
                title: "The gateway's certificate: \(subject)", detail: facts.joined(separator: "; ") + "."))

        if report.trust.isTrusted {
            findings.append(
                Finding(
                    id: .gatewayCertificateTrusted, level: .good, section: .gateway,
                    title: "The gateway's certificate chains to a trusted root",
                    detail: report.trust.validatedChain.joined(separator: " → ")))
        } else {
            let why =
                report.missingIssuer.map { "The gateway does not send the certificate that issued its own (\($0))." }
                ?? (leaf.selfSigned ? "It is self-signed." : "It does not chain to a root in the system store or --ca.")
            findings.append(
                Finding(
                    id: .gatewayCertificateUntrusted, level: .fail, section: .gateway,
                    title: "The gateway's certificate is not trusted",
                    detail:
                        "\(why)\(report.trust.reason.map { " Verifier: \($0)." } ?? "") Microsoft's clients refuse an RD Gateway whose chain they cannot verify, whatever the gateway would say next.\(withheld)",
                    fixes: [bindTrusted, "If the certificate is right and only this machine lacks the CA, pass it with --ca."],
                    codes: codes))
        }
        if !report.nameMatches {
            let names = details.map { ($0.dnsNames + $0.ipAddresses).joined(separator: ", ") } ?? ""
            findings.append(
                Finding(
                    id: .gatewayCertificateNameMismatch, level: .fail, section: .gateway,
                    title: "The gateway's certificate is not issued to \(report.expectedName)",
                    detail:
                        "It names \(names.isEmpty ? subject : names). The clients compare the name in their gateway setting (gatewayhostname) with the certificate and refuse a mismatch.\(withheld)",
                    fixes: [bindTrusted, "Or point the clients at the name the certificate carries."],
                    codes: codes))
        }
        if let validity = details?.validity {
            switch validity.state {
            case .expired:
                findings.append(
                    Finding(
                        id: .gatewayCertificateExpired, level: .fail, section: .gateway,
                        title: "The gateway's certificate expired \(-validity.daysLeft) day\(validity.daysLeft == -1 ? "" : "s") ago",
                        detail: "The clients refuse an RD Gateway with an expired certificate.", fixes: [bindTrusted], codes: codes))
            case .notYetValid:
                findings.append(
                    Finding(
                        id: .gatewayCertificateNotYetValid, level: .fail, section: .gateway,
                        title: "The gateway's certificate is not valid yet",
                        detail:
                            "Its validity starts \(details?.notBefore.iso8601 ?? "later"): the gateway's or this machine's clock is wrong, or it was issued for the future.",
                        fixes: ["Check both clocks (`w32tm /query /status`; `timedatectl`)."], codes: codes))
            case .valid where validity.daysLeft < CertificateRules.expiryWarningDays:
                findings.append(
                    Finding(
                        id: .gatewayCertificateExpiresSoon, level: .warn, section: .gateway,
                        title: "The gateway's certificate expires in \(validity.daysLeft) day\(validity.daysLeft == 1 ? "" : "s")",
                        detail: "Every client will refuse the gateway once it has expired.", fixes: [bindTrusted]))
            case .valid:
                break
            }
        }
        return findings
    }
}
