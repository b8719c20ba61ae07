import Catalogue
import ProbeCore

/// TLS versions accepted, and what the default client negotiated.
enum TLSRules: DiagnosisRule {
    static func findings(_ input: RuleInput) -> [Finding] {
        let o = input.observations
        let catalogue = input.catalogue
        var findings: [Finding] = []
        var accepted: [TLSProtocolVersion] = []
        var refused: [(TLSProtocolVersion, String)] = []
        // Versions whose handshake got no answer in time: neither accepted nor refused.
        var unknown: [(TLSProtocolVersion, String)] = []
        // The default walk's own handshake is evidence for its version too.
        let negotiated = o.defaultClient?.tls?.version
        for version in TLSProtocolVersion.allCases {
            guard let probe = o.tlsProbe(version) else { continue }
            if probe.tls != nil || version == negotiated {
                accepted.append(version)
            } else if probe.end.isNoAnswer {
                unknown.append((version, Names.end(of: probe)))
            } else if case .selected(let selected, _) = probe.negotiation, selected != .rdp {
                refused.append((version, Names.end(probe.end)))
            }
        }
        if let probe = o.defaultClient, let tls = probe.tls {
            findings.append(
                Finding(
                    id: .tlsNegotiated, level: .info, section: .tls,
                    title: o.capture != nil
                        ? "The handshake negotiated \(tls.version?.rawValue ?? "an unknown TLS version")"
                        : "A default handshake negotiates \(tls.version?.rawValue ?? "an unknown TLS version")",
                    detail:
                        "TLS \(probe.duration(of: .tls).map { "took \(Names.ms($0))" } ?? "did not finish") and the server presented \(tls.peerChain.count) certificate\(tls.peerChain.count == 1 ? "" : "s")."
                ))
        }
        guard !accepted.isEmpty || !refused.isEmpty || !unknown.isEmpty else { return findings }
        let refusedText = refused.map { "\($0.0.rawValue) (\($0.1))" }.joined(separator: "; ")
        let unknownText = unknown.map { "\($0.0.rawValue) (\($0.1))" }.joined(separator: "; ")
        var detail: [String] = []
        if !refused.isEmpty { detail.append("Refused: \(refusedText).") }
        if !unknown.isEmpty { detail.append("Not determined: \(unknownText).") }
        findings.append(
            Finding(
                id: .tlsVersions, level: .info, section: .tls,
                title:
                    "TLS versions accepted: \(accepted.isEmpty ? (unknown.isEmpty ? "none" : "none seen") : accepted.map(\.rawValue).joined(separator: ", "))",
                detail: detail.isEmpty ? "Every version rdpdoctor offered was accepted." : detail.joined(separator: " ")))

        let old = accepted.filter { $0 < .tls12 }
        if !old.isEmpty {
            findings.append(
                Finding(
                    id: .tlsOldVersions, level: .warn, section: .tls,
                    title: "\(old.map(\.rawValue).joined(separator: " and ")) accepted",
                    detail:
                        "These versions are deprecated (RFC 8996) and fail compliance scans; clients that turned them off still connect with TLS 1.2 if the server offers it.",
                    fixes: [
                        "Windows (after checking that every client supports TLS 1.2): set HKLM\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\SCHANNEL\\Protocols\\TLS 1.0\\Server Enabled = 0 (and the same for TLS 1.1), then restart.",
                        "xrdp: ssl_protocols=TLSv1.2, TLSv1.3 in /etc/xrdp/xrdp.ini.",
                    ]))
        }
        let refusedVersions = refused.map(\.0)
        // Claims about what is missing need a refusal, not silence.
        if !accepted.isEmpty, refusedVersions.contains(.tls12) {
            let onlyNew = accepted.allSatisfy { $0 == .tls13 } && unknown.isEmpty
            findings.append(
                Finding(
                    id: onlyNew ? .tlsOnlyTls13 : .tlsNoTls12, level: .warn, section: .tls,
                    title: onlyNew ? "Only TLS 1.3 is accepted" : "TLS 1.2 is not accepted",
                    detail: onlyNew
                        ? "Clients whose TLS stack has no TLS 1.3 for RDP (mstsc before Windows 11 / Server 2022, older FreeRDP builds) fail the handshake, and Microsoft's clients then show 0x904 / 0x7."
                        : "Current clients that refuse TLS 1.0 and 1.1 (the Windows App, up-to-date FreeRDP) cannot connect; they show 0x904 / 0x7 or a security error.",
                    fixes: onlyNew
                        ? ["xrdp: ssl_protocols=TLSv1.2, TLSv1.3; Windows: keep TLS 1.2 enabled under SCHANNEL\\Protocols."]
                        : ["Enable TLS 1.2 on the server (Windows: SCHANNEL\\Protocols\\TLS 1.2\\Server Enabled = 1; xrdp: ssl_protocols=TLSv1.2, TLSv1.3)."],
                    codes: catalogue.clientCodes(.tlsFailed).keys))
        }
        return findings
    }
}
