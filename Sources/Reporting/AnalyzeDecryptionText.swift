import CaptureAnalysis
import ProbeCore

// What `analyze` says about the encrypted part of a connection: decrypted
// with which key and what the decrypted bytes showed, or exactly what could
// not be seen and how to get keys for that client.

extension AnalyzeTextRenderer {
    /// Facts the decrypted part showed (empty when nothing was decrypted).
    func decryptedFacts(_ captured: CapturedConnection) -> [String] {
        guard let decryption = captured.decryption, let method = decryption.method else { return [] }
        var facts: [String] = []
        let suite = decryption.cipherSuiteName ?? "cipher suite 0x" + String(decryption.cipherSuite ?? 0, radix: 16, uppercase: true)
        facts.append(
            "decrypted with \(method == .serverRSAKey ? "the server's RSA key" : "the key log") (\(suite); \(decryption.recordsFromClient) records from the client, \(decryption.recordsFromServer) from the server)"
        )
        if let client = decryption.client {
            var parts: [String] = []
            if let version = client.credSSPVersion { parts.append("CredSSP version \(version)") }
            if let version = client.ntlmVersion { parts.append("NTLM from Windows \(version)") }
            if let user = client.user {
                let name = showNames ? (client.domain.map { $0.isEmpty ? user : "\($0)\\\(user)" } ?? user) : "(hidden; --show-names shows it)"
                parts.append("user \(name)")
                if !showNames, let domain = client.domain, !domain.isEmpty { parts.append("domain \(domain)") }
            }
            if let workstation = client.workstation, !workstation.isEmpty { parts.append("workstation \(workstation)") }
            if client.credentialsSent { parts.append("its credentials sent (encrypted; never read)") }
            facts.append("the client's CredSSP: " + parts.joined(separator: ", "))
        }
        let record = captured.record
        if let error = record.credssp?.errorCode { facts.append("the server answered CredSSP with NTSTATUS \(error)") }
        if let data = record.serverData {
            facts.append("the server's MCS Connect Response\(data.rdpVersion.map { " (RDP version \($0))" } ?? "")")
        }
        if let session = record.session {
            switch session.licensing {
            case .validClient?: facts.append("licensing: nothing to license (valid client)")
            case .licenseRequest?: facts.append("licensing: the server asked for a license")
            case let .error(code, transition)?: facts.append("licensing: error \(code) (state transition \(transition))")
            case .other(let type)?: facts.append("licensing: message type 0x\(String(type, radix: 16))")
            case nil: break
            }
            if session.licenseIssued { facts.append("a license was issued") }
            if session.demandActive { facts.append("the Demand Active PDU (the session started)") }
            for code in session.errorInfo where code.rawValue != 0 { facts.append("Set Error Info \(code)") }
            if let reason = session.disconnectReason { facts.append("MCS Disconnect Provider Ultimatum, reason \(reason.name ?? "\(reason)")") }
            if session.redirected { facts.append("a server redirection") }
        }
        for alert in decryption.encryptedAlerts {
            facts.append("the \(alert.side.rawValue) sent the encrypted TLS alert \(TLSAlert.name(alert.description))")
        }
        return facts
    }

    func notVisible(_ captured: CapturedConnection) -> String? {
        guard let selected = captured.record.negotiation?.selectedProtocol, selected != .rdp, captured.serverHello != nil else { return nil }
        // A handshake that never finished (an alert, a stall) carried nothing past it: nothing is hidden.
        guard captured.record.timings.contains(where: { $0.step == .tls && $0.durationMs != nil }) else { return nil }
        let after =
            !selected.isDisjoint(with: [.hybrid, .hybridEx]) ? "CredSSP (NLA) and everything after it" : "the MCS exchange, licensing and everything after them"
        guard let decryption = captured.decryption else {
            return "\(after) went encrypted, and the capture does not show the encrypted records."
        }
        if decryption.method != nil {
            return decryption.problem.map { "part of the session: \($0)." }
        }
        let why = decryption.problem ?? "no key fitted"
        let keyLog =
            "a key log written by the client decrypts it (--keylog FILE; NSS- and GnuTLS-based clients, and OpenSSL 3.5 or later built with key logging, write one when SSLKEYLOGFILE=FILE is set; FreeRDP 2 on OpenSSL 3.0, Debian 12's xfreerdp, writes none by itself; mstsc (Schannel) cannot write one)"
        let how: String
        switch decryption.keyExchange {
        case "rsa"?:
            how = "This session used RSA key exchange: the server's private key (--rsa-key, PEM) decrypts it; otherwise \(keyLog)."
        case "tls13"?:
            how = "This session used TLS 1.3: only \(keyLog). A server key cannot help."
        default:
            how = "This session used an ephemeral key exchange (ECDHE/DHE): only \(keyLog). The server's RSA key cannot help."
        }
        return "\(after) went encrypted and was not decrypted: \(why). \(how)"
    }
}
