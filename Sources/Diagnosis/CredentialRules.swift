import Catalogue
import CertificateAudit
import ProbeCore

/// How the server answered the account given with --user, and the --logon pass.
enum CredentialRules: DiagnosisRule {
    static func findings(_ input: RuleInput) -> [Finding] {
        let o = input.observations
        let catalogue = input.catalogue
        guard let check = o.credentialCheck else { return [] }
        guard case .sent(let basis) = check.decision else { return [withheld(check, o: o)] }
        guard let probe = check.probe else { return [] }
        guard let credential = check.credential else {
            return [
                Finding(
                    id: .credsspNotReached, level: .warn, section: .credssp,
                    title: "\(check.account) was not tried: the account's connection ended before NLA",
                    detail: "\(Names.end(of: probe).prefix(1).uppercased() + Names.end(of: probe).dropFirst()). Nothing derived from the password was sent.")
            ]
        }
        var findings = [finding(credential, catalogue: catalogue, basis: basis)]
        guard check.logonRequested, credential.credentialsSent else { return findings }
        if let session = probe.session {
            for info in session.errorInfo where info != .none {
                let key = CatalogueKey(.errinfo, info)
                let entry = catalogue.entry(key)?.entry
                findings.append(
                    Finding(
                        id: .logonErrorInfo, level: .fail, section: .session,
                        title: "After the logon the server ends the session: \(entry?.summary ?? key.description)",
                        detail: entry?.meaning ?? "The server sent error info \(key) after the credentials.",
                        fixes: Array(((entry?.fixes.server ?? []) + (entry?.fixes.client ?? [])).prefix(3)),
                        codes: [key] + (entry?.related.filter { $0.family == .extended } ?? [])))
            }
            if session.demandActive, session.errorInfo.allSatisfy({ $0 == .none }) {
                findings.append(
                    Finding(
                        id: .logonSession, level: .good, section: .session,
                        title: "The logon goes through to the session",
                        detail: "With the credentials sent, the server went on to licensing and its Demand Active PDU."))
            }
        } else if probe.end != .completed {
            findings.append(
                Finding(
                    id: .logonEnded, level: .fail, section: .session,
                    title: "The logon connection ended after the credentials were sent",
                    detail: Names.end(of: probe)))
        }
        return findings
    }

    /// The gate kept the account back: say exactly what was and was not sent, and how to allow it.
    static func withheld(_ check: CredentialCheckObservation, o: CheckObservations) -> Finding {
        guard case .withheld(let reason) = check.decision else { preconditionFailure("only for withheld decisions") }
        let stopped =
            "rdpdoctor stopped after the server's NTLM CHALLENGE (which tells NLA, the server's names and its clock) and sent nothing derived from the password."
        let seen = o.defaultClient?.tls?.peerChain.first.map { CertificateKey.fingerprint(CertificateKey.sha256(ofDER: $0)) }
        switch reason {
        case .untrusted:
            return Finding(
                id: .credsspAccountNotTried, level: .warn, section: .credssp,
                title: "\(check.account) was not tried: the server's certificate is not trusted for \(o.target.host)",
                detail:
                    "The NTLM AUTHENTICATE message carries an NTLMv2 response that anyone terminating TLS could crack offline, so rdpdoctor sends it only to a server it can trust. "
                    + stopped,
                fixes: [
                    "If you have confirmed the certificate on the server itself\(seen.map { " (SHA-256 \($0))" } ?? ""), pass --cert-sha256 with that fingerprint, or trust its CA with --ca FILE.",
                    "Or say --insecure to try the account anyway: the NTLMv2 response then goes to whoever holds this certificate.",
                ])
        case let .pinMismatch(expected, seen):
            return Finding(
                id: .credsspAccountNotTried, level: .warn, section: .credssp,
                title: "\(check.account) was not tried: the certificate is not the pinned one",
                detail: "Expected SHA-256 \(CertificateKey.fingerprint(expected.bytes)), seen \(CertificateKey.fingerprint(seen.bytes)). " + stopped)
        case .noCertificate:
            return Finding(
                id: .credsspAccountNotTried, level: .info, section: .credssp,
                title: "\(check.account) was not tried: the connection never reached TLS",
                detail: "Without a certificate there is nothing to trust; nothing derived from the password was sent.")
        case .serverWithoutNLA:
            return Finding(
                id: .credsspAccountNotTried, level: .info, section: .credssp,
                title: "\(check.account) was not tried: the server does not use NLA",
                detail:
                    "Without NLA the account is only checked at the logon screen, after the session starts; rdpdoctor does not type passwords into logon screens. Nothing derived from the password was sent."
            )
        case .noTime:
            return Finding(
                id: .credsspAccountNotTried, level: .warn, section: .credssp,
                title: "\(check.account) was not tried: the deadline came first",
                detail: "Nothing derived from the password was sent.", fixes: ["Run again with a longer --timeout."])
        }
    }

    static func finding(
        _ credential: CredentialObservation, catalogue: Catalogue,
        basis: CredentialDecision.Basis
    ) -> Finding {
        let account = credential.account
        switch credential.outcome {
        case .accepted:
            return Finding(
                id: .credsspAccepted, level: .good, section: .credssp,
                title: "\(account) is accepted",
                detail:
                    "The server accepted the NTLMv2 authentication and proved it holds the TLS certificate's key (pubKeyAuth). rdpdoctor sent the NTLM AUTHENTICATE message, an NTLMv2 response computed from the password (not the password), because \(why(basis))."
                    + (credential.credentialsSent
                        ? " With --logon it then sent the credentials themselves (TSCredentials, encrypted for the server)."
                        : " The credentials themselves (TSCredentials) were not sent."))
        case .rejected:
            let key = CatalogueKey(.ntstatus, credential.ntstatus ?? .success)
            let hex = key.hexValue
            let entry = catalogue.entry(key)?.entry
            return Finding(
                id: .credsspRejected, level: .fail, section: .credssp,
                title: "\(account) is refused: \(entry?.name ?? "NTSTATUS \(hex)")",
                detail: entry.map { "\($0.summary) \($0.meaning)" } ?? "The server answered CredSSP with NTSTATUS \(hex).",
                fixes: Array(((entry?.fixes.server ?? []) + (entry?.fixes.client ?? [])).prefix(4)),
                codes: [key] + clientCodes(entry))
        case .closedAfterAuthenticate:
            return Finding(
                id: .credsspClosedAfterAuthenticate, level: .fail, section: .credssp,
                title: "\(account) is refused: the server closed the connection after the NTLM AUTHENTICATE",
                detail:
                    "The server gave no reason (no CredSSP errorCode). A wrong password or an unknown account are by far the usual causes; servers that do this (FreeRDP, older Windows) do not tell them apart.",
                fixes: [
                    "Check the account name, its domain (DOMAIN\\name or name@domain) and the password.",
                    "On a Windows server, the Security log (event 4625) shows the exact reason in its Sub Status.",
                ],
                codes: [CatalogueKey(.ntstatus, 0xC000006D), CatalogueKey(.disconnect, 0x807)])
        case .serverKeyMismatch, .serverProofInvalid:
            return Finding(
                id: .credsspServerKeyMismatch, level: .fail, section: .credssp,
                title: "The server could not prove it holds the TLS key: possible man in the middle",
                detail:
                    "CredSSP binds the authentication to the TLS certificate's public key; the server's pubKeyAuth answer did not match (\(credential.detail ?? "")). Something between here and the server may be terminating TLS.",
                fixes: ["Do not send credentials on this path. Look for TLS-inspecting proxies or firewalls between client and server."],
                codes: [CatalogueKey(.sspi, 0x8009030F)])
        case .ntlmUnavailable:
            return Finding(
                id: .credsspNtlmUnavailable, level: .fail, section: .credssp,
                title: "NTLM authentication is not possible here",
                detail:
                    "The server's NTLM exchange failed (\(credential.detail ?? "")); servers that allow only Kerberos answer this way. Microsoft clients inside the domain use Kerberos instead.",
                fixes: [
                    "Connect with the server's full DNS name from a domain-joined client (Kerberos), or allow NTLM for this server (Network security: Restrict NTLM policies)."
                ],
                codes: [CatalogueKey(.sspi, 0x8009035F)])
        case .earlyAuthorizationDenied:
            return Finding(
                id: .credsspEarlyAuthorizationDenied, level: .fail, section: .credssp,
                title: "\(account) authenticates but may not log on over Remote Desktop",
                detail:
                    "The server's early user authorization result (HYBRID_EX) was ACCESS_DENIED: the account is valid but lacks the right to log on through Remote Desktop Services.",
                fixes: [
                    "Add the account to Remote Desktop Users: `Add-LocalGroupMember -Group 'Remote Desktop Users' -Member ACCOUNT`.",
                    "Check Local Security Policy > User Rights Assignment > \"Allow log on through Remote Desktop Services\" and \"Deny log on through Remote Desktop Services\".",
                ],
                codes: [CatalogueKey(.errinfo, 0x9)])
        case .notSent:
            return Finding(
                id: .credsspNotSent, level: .warn, section: .credssp,
                title: "Credentials were not sent", detail: credential.detail ?? "")
        }
    }

    static func why(_ basis: CredentialDecision.Basis) -> String {
        switch basis {
        case .pinned: "the certificate is the one pinned with --cert-sha256"
        case .trusted: "the certificate is trusted for the host name"
        case .insecure: "--insecure allowed it for a certificate that is not trusted"
        }
    }

    /// The client disconnect codes the catalogue relates to an NTSTATUS.
    static func clientCodes(_ entry: CatalogueEntry?) -> [CatalogueKey] {
        (entry?.related ?? []).filter { $0.family == .disconnect }
    }
}
