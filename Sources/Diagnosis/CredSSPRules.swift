import Catalogue
import ProbeCore

/// What the NTLM challenge reveals without credentials: names, version, clock.
enum CredSSPRules: DiagnosisRule {
    /// Kerberos refuses clocks more than five minutes apart.
    static let kerberosSkewLimitSeconds = 300.0

    static func findings(_ input: RuleInput) -> [Finding] {
        let o = input.observations
        guard let probe = o.defaultClient, let credssp = probe.credssp else { return [] }
        var findings: [Finding] = []
        var facts: [String] = []
        if let v = credssp.serverVersion { facts.append("CredSSP version \(v)") }
        if let name = credssp.dnsComputer ?? credssp.netbiosComputer { facts.append("computer \(name)") }
        if let domain = credssp.dnsDomain ?? credssp.netbiosDomain { facts.append("domain \(domain)") }
        if let nb = credssp.netbiosDomain, credssp.dnsDomain != nil { facts.append("NetBIOS domain \(nb)") }
        if let os = credssp.osVersion { facts.append("Windows version \(os)") }
        if !facts.isEmpty {
            findings.append(
                Finding(
                    id: .credsspTargetInfo, level: .info, section: .credssp,
                    title: "NTLM challenge received", detail: facts.joined(separator: ", ") + "."))
        }
        if !credssp.encodingDeviations.isEmpty {
            findings.append(
                Finding(
                    id: .credsspLenientEncoding, level: .info, section: .credssp,
                    title: "The server's CredSSP messages are not strict DER",
                    detail:
                        "\(credssp.encodingDeviations.joined(separator: "; ")). Windows and FreeRDP clients accept this, and rdpdoctor read them the same way; a strict client or inspection device may not."
                ))
        }
        if let version = credssp.serverVersion, version < 5 {
            findings.append(
                Finding(
                    id: .credsspOldVersion, level: .warn, section: .credssp,
                    title: "The server speaks CredSSP version \(version)",
                    detail:
                        "Versions before 5 predate the CVE-2018-0886 (encryption oracle) fix. Patched clients with \"Encryption Oracle Remediation\" set to Force Updated Clients refuse it.",
                    fixes: ["Install the server's cumulative updates (March 2018 or later)."],
                    codes: [CatalogueKey(.sspi, 0x80090302)]))
        }
        if let serverTime = credssp.serverTimeUnix {
            let localTime = o.startedAtUnix + (credssp.challengeAtMs ?? 0) / 1000
            let skew = serverTime - localTime
            let absolute = abs(skew)
            findings.append(
                Finding(
                    id: absolute > kerberosSkewLimitSeconds ? .credsspClockSkew : .credsspClock,
                    level: absolute > kerberosSkewLimitSeconds ? .warn : .good, section: .credssp,
                    title: absolute > kerberosSkewLimitSeconds
                        ? "The server's clock is \(Int(absolute)) s \(skew > 0 ? "ahead of" : "behind") this machine's"
                        : "The server's clock agrees with this machine's (within \(Int(absolute.rounded())) s)",
                    detail:
                        "From the NTLM challenge's timestamp. Kerberos refuses clocks more than 5 minutes apart, so domain logons fail while NTLM may still work.",
                    fixes: absolute > kerberosSkewLimitSeconds
                        ? [
                            "Synchronise the clocks: `w32tm /resync` on the server (and check its time source with `w32tm /query /status`); on this machine check NTP."
                        ] : [],
                    codes: absolute > kerberosSkewLimitSeconds ? [CatalogueKey(.ntstatus, 0xC0000133), CatalogueKey(.sspi, 0x80090324)] : []))
        }
        if let error = credssp.errorCode {
            let key = CatalogueKey(.ntstatus, error)
            let hex = key.hexValue
            findings.append(
                Finding(
                    id: .credsspServerError, level: .fail, section: .credssp,
                    title: "The server answered CredSSP with NTSTATUS \(hex)",
                    detail: "The server's TSRequest carried errorCode \(hex) before any credential was sent.",
                    codes: [key]))
        }
        return findings
    }
}
