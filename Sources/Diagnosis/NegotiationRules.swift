import Catalogue
import ProbeCore
import RDPProtocol

/// Which security protocols the server accepts, and what that means.
enum NegotiationRules: DiagnosisRule {
    static let requireNLA = [
        "Windows: Group Policy Computer Configuration > Administrative Templates > Windows Components > Remote Desktop Services > Remote Desktop Session Host > Security > \"Require user authentication for remote connections by using Network Level Authentication\" = Enabled, then `gpupdate /force`.",
        "Or: `(Get-WmiObject -Class Win32_TSGeneralSetting -Namespace root\\cimv2\\terminalservices -Filter \"TerminalName='RDP-tcp'\").SetUserAuthenticationRequired(1)`.",
        "xrdp has no NLA: put it behind a VPN or an authenticating gateway instead.",
    ]

    static func findings(_ input: RuleInput) -> [Finding] {
        let o = input.observations
        let catalogue = input.catalogue
        let facts = NegotiationFacts(o)
        guard facts.anyAnswer else { return [] }
        var findings: [Finding] = []
        // A capture holds the client's one request, not the check's survey of every protocol.
        let captured = o.capture != nil
        if !captured { findings.append(matrix(o, catalogue: catalogue)) }

        if let selected = facts.defaultSelected, let probe = o.defaultClient, case let .selected(_, flags) = probe.negotiation {
            let flagText = Names.negotiationFlags(flags)
            findings.append(
                Finding(
                    id: .x224DefaultSelection, level: .info, section: .negotiation,
                    title: captured
                        ? "The client offered \(Names.requested(probe.requestedProtocols)); the server selected \(Names.securityProtocol(selected))"
                        : "Offered what mstsc offers (TLS, CredSSP, HYBRID_EX), the server selects \(Names.securityProtocol(selected))",
                    detail: "Response flags: \(flagText.isEmpty ? "none" : flagText.joined(separator: ", "))."))
        }

        if facts.nlaRequired {
            let code = facts.failureCode(for: .ssl) ?? facts.failureCode(for: .rdp)
            findings.append(
                Finding(
                    id: .x224NlaRequired, level: .good, section: .negotiation, title: "NLA is required",
                    detail:
                        "The server selects CredSSP and refuses TLS alone and standard RDP security\(code.map { " (failure code \($0.rawValue))" } ?? ""): nobody reaches a logon screen without authenticating first.",
                    codes: code.map { [CatalogueKey(.negfailure, $0)] } ?? []))
        } else if facts.nlaRequirementUnknown {
            findings.append(
                Finding(
                    id: .x224NlaUndetermined, level: .info, section: .negotiation, title: "NLA is offered; whether it is required is unknown",
                    detail:
                        "The server selects CredSSP, but the probes asking for TLS alone or standard RDP security got no answer, so rdpdoctor cannot tell whether it refuses them."
                ))
        } else if facts.acceptsCredSSP {
            findings.append(
                Finding(
                    id: .x224NlaOptional, level: .warn, section: .negotiation, title: "NLA is offered but not required",
                    detail:
                        "The server selects CredSSP when asked, but also accepts \(facts.acceptsTLS ? "TLS alone" : "standard RDP security"): a client that skips NLA gets a logon screen, and the server spends a session on it, before anyone authenticates.",
                    fixes: requireNLA))
        } else if facts.credSSPDeclined {
            findings.append(
                Finding(
                    id: .x224NoNla, level: .warn, section: .negotiation,
                    title: captured ? "No NLA: the server did not select CredSSP, which the client offered" : "No NLA: the server never selects CredSSP",
                    detail:
                        "Every client reaches the logon screen before authenticating. (Scanners that count any answer as 'NLA supported' get this wrong; rdpdoctor judges by the protocol the server selects.)",
                    fixes: requireNLA))
        }

        if facts.acceptsStandardSecurity {
            // "Only" needs the TLS and CredSSP requests answered with a refusal; silence refuses nothing.
            let only = facts.refuses(.ssl) && facts.refuses(.hybrid) && !facts.acceptsCredSSP
            let unknown = !only && !facts.acceptsTLS && !facts.acceptsCredSSP
            findings.append(
                Finding(
                    id: only ? .x224RdpSecurityOnly : .x224RdpSecurityAccepted, level: .warn, section: .negotiation,
                    title: only ? "Only standard RDP security: no TLS at all" : "Standard RDP security is accepted",
                    detail:
                        "Standard RDP security encrypts with RC4 and cannot prove the server's identity, so a man in the middle can read the session, including the typed password.\(only ? " Clients that insist on TLS cannot connect at all." : "")\(unknown ? " Whether TLS is accepted too could not be determined (its requests got no answer in time)." : "")",
                    fixes: [
                        "Windows: Group Policy … > Remote Desktop Session Host > Security > \"Require use of specific security layer for remote (RDP) connections\" = SSL, or registry HKLM\\SYSTEM\\CurrentControlSet\\Control\\Terminal Server\\WinStations\\RDP-Tcp SecurityLayer = 2.",
                        "xrdp: security_layer=tls (or negotiate) in /etc/xrdp/xrdp.ini.",
                    ],
                    codes: only ? [CatalogueKey(.negfailure, NegotiationFailureCode.sslNotAllowedByServer.rawValue)] : []))
        }
        if facts.acceptsRDSTLS {
            findings.append(
                Finding(
                    id: .x224Rdstls, level: .info, section: .negotiation, title: "RDSTLS is accepted",
                    detail: "Used for redirected connections and Azure Virtual Desktop; nothing to do."))
        }
        if facts.acceptsRDSAAD {
            findings.append(
                Finding(
                    id: .x224Rdsaad, level: .info, section: .negotiation, title: "RDSAAD (Microsoft Entra ID sign-in) is accepted",
                    detail: "Clients can authenticate with Entra ID tokens."))
        }
        if let probe = o.defaultClient, let bytes = probe.plaintextAfterConfirm, bytes > 0 {
            findings.append(
                Finding(
                    id: .x224PlaintextAfterConfirm, level: .warn, section: .negotiation,
                    title: "The server sent plaintext after selecting TLS",
                    detail:
                        "\(bytes) bytes arrived after the X.224 Connection Confirm, where only TLS may follow. rdpdoctor refused to read them as RDP; a strict client fails here.",
                    fixes: ["Update the server software; check for a middlebox that injects data."]))
        }
        if o.defaultClient?.negotiation == .noNegotiationData {
            findings.append(
                Finding(
                    id: .x224NoNegotiationData, level: .warn, section: .negotiation,
                    title: "The server answers without a negotiation response",
                    detail:
                        "Its Connection Confirm carries no RDP_NEG_RSP: a server older than Windows Server 2003 SP1, or one configured without TLS. Only standard RDP security is possible.",
                    fixes: ["Upgrade the server, or enable TLS on it."]))
        }
        return findings
    }

    /// One line per protocol: accepted, refused (with the failure code), or no answer.
    private static func matrix(_ o: CheckObservations, catalogue: Catalogue) -> Finding {
        var lines: [String] = []
        var codes: [CatalogueKey] = []
        for requested in CheckPlan.negotiationRequests {
            guard let probe = o.negotiation(requested: requested) else { continue }
            let asked = Names.requested(requested)
            switch probe.negotiation {
            case .selected(let selected, _)?:
                let accepted = selected == NegotiationFacts.target(of: requested)
                lines.append("\(asked): \(accepted ? "accepted" : "not accepted, selects \(Names.securityProtocol(selected)) instead")")
            case .failure(let code)?:
                let key = CatalogueKey(.negfailure, code)
                let name = catalogue.entry(key)?.entry.name ?? "code \(code.rawValue)"
                lines.append("\(asked): refused, \(name) (\(code.rawValue))")
                codes.append(key)
            case .disconnected?:
                lines.append("\(asked): refused by hanging up (MCS Disconnect Provider Ultimatum instead of a confirm)")
            case .noNegotiationData?:
                lines.append("\(asked): answered without negotiation data (standard RDP security)")
            case nil where probe.end.isNoAnswer:
                lines.append("\(asked): \(Names.end(of: probe))")
            case nil:
                lines.append("\(asked): no negotiation answer (\(Names.end(of: probe)))")
            }
        }
        return Finding(
            id: .x224Protocols, level: .info, section: .negotiation,
            title: "Security protocols, one request each", detail: lines.joined(separator: "\n"),
            codes: Array(Set(codes)).sorted())
    }
}
