import Catalogue
import CertificateAudit
import ProbeCore

/// The certificate every TLS connection saw, against --cert-sha256 and
/// against each other: a mismatch is the strongest sign of interception.
enum PinRules: DiagnosisRule {
    static func findings(_ input: RuleInput) -> [Finding] {
        let o = input.observations
        let records = o.probes + [o.credentialCheck?.probe].compactMap { $0 }
        let leaves = records.compactMap { probe -> (ProbePurpose, String)? in
            probe.tls?.peerChain.first.map { (probe.purpose, CertificateKey.fingerprint(CertificateKey.sha256(ofDER: $0))) }
        }
        guard !leaves.isEmpty else { return [] }
        if let pinned = o.expectedLeafSHA256 {
            let expected = CertificateKey.fingerprint(pinned.bytes)
            let wrong = leaves.filter { $0.1 != expected }
            if wrong.isEmpty {
                return [
                    Finding(
                        id: .certPinMatches, level: .good, section: .certificate,
                        title: "Every TLS connection saw the pinned certificate",
                        detail: "SHA-256 \(expected) on all \(leaves.count) TLS connections (--cert-sha256).")
                ]
            }
            let seen = Set(wrong.map(\.1)).sorted().joined(separator: ", ")
            return [
                Finding(
                    id: .certPinMismatch, level: .fail, section: .certificate,
                    title: "The certificate is not the pinned one: possible man in the middle",
                    detail:
                        "Expected SHA-256 \(expected) (--cert-sha256); \(wrong.count) of \(leaves.count) TLS connections saw \(seen). Something between here and the server may be terminating TLS with its own certificate, or the server's certificate was replaced. Nothing derived from a password was sent to it.",
                    fixes: [
                        "Compare with the fingerprint on the server itself (Windows: `Get-ChildItem Cert:\\LocalMachine\\'Remote Desktop' | Format-List Subject, Thumbprint, NotAfter`, then the SHA-256 with `certutil -hashfile cert.cer SHA256` of the exported certificate).",
                        "If it differs, look for TLS-inspecting proxies, firewalls or a rogue host on the path; do not enter credentials from this network until it is explained.",
                    ],
                    codes: [CatalogueKey(.sspi, 0x80090322)])
            ]
        }
        let distinct = Set(leaves.map(\.1))
        guard distinct.count > 1 else { return [] }
        return [
            Finding(
                id: .certVaries, level: .warn, section: .certificate,
                title: "Connections saw \(distinct.count) different certificates",
                detail:
                    "The same host presented \(distinct.sorted().joined(separator: ", ")) on different connections: a load balancer in front of servers with their own certificates, or something intercepting some connections.",
                fixes: ["If a load balancer is expected, give every server behind it the same certificate (or one for the shared name)."])
        ]
    }
}
