import Catalogue
import ProbeCore

/// How the server answered the account given with --user, and the --logon pass.
enum CredentialRules {
    static func findings(_ o: CheckObservations, catalogue: Catalogue?) -> [Finding] {
        var findings: [Finding] = []
        if let credential = o.defaultClient?.credential {
            findings.append(finding(credential, catalogue: catalogue))
        }
        switch o.logon {
        case .refused(let reason)?:
            findings.append(Finding(id: "logon.not-sent", level: .warn, section: .credssp,
                                    title: "--logon: the credentials were not sent", detail: reason,
                                    fixes: ["Trust the server first: pass its CA with --ca FILE or its fingerprint with --cert-sha256."]))
        case .attempted(let probe)?:
            if let credential = probe.credential, credential.outcome != .accepted {
                findings.append(finding(credential, catalogue: catalogue))
            }
            if let session = probe.session {
                for info in session.errorInfo where info != 0 {
                    let key = "errinfo:0x" + String(info, radix: 16, uppercase: true)
                    let entry = catalogue?.entry(key: key)?.entry
                    findings.append(Finding(
                        id: "logon.error-info", level: .fail, section: .session,
                        title: "After the logon the server ends the session: \(entry?.summary ?? key)",
                        detail: entry?.meaning ?? "The server sent error info \(key) after the credentials.",
                        fixes: Array(((entry?.fixes.server ?? []) + (entry?.fixes.client ?? [])).prefix(3)),
                        codes: [key] + (entry?.related.filter { $0.hasPrefix("extended:") } ?? [])))
                }
                if session.demandActive, session.errorInfo.allSatisfy({ $0 == 0 }) {
                    findings.append(Finding(id: "logon.session", level: .good, section: .session,
                                            title: "The logon goes through to the session",
                                            detail: "With the credentials sent, the server went on to licensing and its Demand Active PDU."))
                }
            } else if probe.credential?.outcome == .accepted, case .completed = probe.end {
            } else if probe.credential?.credentialsSent == true {
                findings.append(Finding(id: "logon.ended", level: .fail, section: .session,
                                        title: "The logon connection ended after the credentials were sent",
                                        detail: Names.end(probe.end)))
            }
        case nil:
            break
        }
        return findings
    }

    static func finding(_ credential: CredentialObservation, catalogue: Catalogue?) -> Finding {
        let account = credential.account
        switch credential.outcome {
        case .accepted:
            return Finding(
                id: "credssp.accepted", level: .good, section: .credssp,
                title: "\(account) is accepted",
                detail: "The server accepted the NTLMv2 authentication and proved it holds the TLS certificate's key (pubKeyAuth)."
                    + (credential.credentialsSent ? " The credentials were then sent (--logon)." : " The password itself was not sent."))
        case .rejected:
            let hex = "0x" + String(credential.ntstatus ?? 0, radix: 16, uppercase: true)
            let key = "ntstatus:\(hex)"
            let entry = catalogue?.entry(key: key)?.entry
            return Finding(
                id: "credssp.rejected", level: .fail, section: .credssp,
                title: "\(account) is refused: \(entry?.name ?? "NTSTATUS \(hex)")",
                detail: entry.map { "\($0.summary) \($0.meaning)" } ?? "The server answered CredSSP with NTSTATUS \(hex).",
                fixes: Array(((entry?.fixes.server ?? []) + (entry?.fixes.client ?? [])).prefix(4)),
                codes: [key] + clientCodes(entry))
        case .closedAfterAuthenticate:
            return Finding(
                id: "credssp.closed-after-authenticate", level: .fail, section: .credssp,
                title: "\(account) is refused: the server closed the connection after the NTLM AUTHENTICATE",
                detail: "The server gave no reason (no CredSSP errorCode). A wrong password or an unknown account are by far the usual causes; servers that do this (FreeRDP, older Windows) do not tell them apart.",
                fixes: ["Check the account name, its domain (DOMAIN\\name or name@domain) and the password.",
                        "On a Windows server, the Security log (event 4625) shows the exact reason in its Sub Status."],
                codes: ["ntstatus:0xC000006D", "disconnect:0x807"])
        case .serverKeyMismatch, .serverProofInvalid:
            return Finding(
                id: "credssp.server-key-mismatch", level: .fail, section: .credssp,
                title: "The server could not prove it holds the TLS key: possible man in the middle",
                detail: "CredSSP binds the authentication to the TLS certificate's public key; the server's pubKeyAuth answer did not match (\(credential.detail ?? "")). Something between here and the server may be terminating TLS.",
                fixes: ["Do not send credentials on this path. Look for TLS-inspecting proxies or firewalls between client and server."],
                codes: ["sspi:0x8009030F"])
        case .ntlmUnavailable:
            return Finding(
                id: "credssp.ntlm-unavailable", level: .fail, section: .credssp,
                title: "NTLM authentication is not possible here",
                detail: "The server's NTLM exchange failed (\(credential.detail ?? "")); servers that allow only Kerberos answer this way. Microsoft clients inside the domain use Kerberos instead.",
                fixes: ["Connect with the server's full DNS name from a domain-joined client (Kerberos), or allow NTLM for this server (Network security: Restrict NTLM policies)."],
                codes: ["sspi:0x8009035F"])
        case .earlyAuthorizationDenied:
            return Finding(
                id: "credssp.early-authorization-denied", level: .fail, section: .credssp,
                title: "\(account) authenticates but may not log on over Remote Desktop",
                detail: "The server's early user authorization result (HYBRID_EX) was ACCESS_DENIED: the account is valid but lacks the right to log on through Remote Desktop Services.",
                fixes: ["Add the account to Remote Desktop Users: `Add-LocalGroupMember -Group 'Remote Desktop Users' -Member ACCOUNT`.",
                        "Check Local Security Policy > User Rights Assignment > \"Allow log on through Remote Desktop Services\" and \"Deny log on through Remote Desktop Services\"."],
                codes: ["errinfo:0x9"])
        case .notSent:
            return Finding(id: "credssp.not-sent", level: .warn, section: .credssp,
                           title: "Credentials were not sent", detail: credential.detail ?? "")
        }
    }

    /// The client disconnect codes the catalogue relates to an NTSTATUS.
    static func clientCodes(_ entry: CatalogueEntry?) -> [String] {
        (entry?.related ?? []).filter { $0.hasPrefix("disconnect:") }
    }
}
