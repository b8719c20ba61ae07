import Catalogue
import ProbeCore
import TSGU

/// The walk through an RD Gateway (`CheckObservations.gateway`): which side
/// broke (the gateway, or the target behind it), at which step, the gateway's
/// code through the catalogue's `gateway` family, and the fix on the gateway.
enum GatewayRules: DiagnosisRule {
    static func findings(_ input: RuleInput) -> [Finding] {
        guard let g = input.observations.gateway else { return [] }
        var findings: [Finding] = []
        if let answer = g.firstAnswer, answer.status == 401 {
            let schemes = answer.authenticationSchemes.isEmpty ? "no scheme" : answer.authenticationSchemes.joined(separator: ", ")
            findings.append(
                Finding(
                    id: .gatewayAuthSchemes, level: .info, section: .gateway,
                    title: "The gateway \(g.gateway) asks for \(schemes) authentication",
                    detail:
                        "RDG_OUT_DATA was answered with 401\(answer.server.map { " (Server: \($0))" } ?? ""). Gateway authentication is HTTP authentication, apart from the account on the target."
                ))
        }
        findings += fileSettings(input.observations.rdpFile, g)
        switch g.authentication {
        case .noCredentials?:
            findings.append(
                Finding(
                    id: .gatewayAuthNotTried, level: .info, section: .gateway,
                    title: "Gateway authentication not tried: no gateway account given",
                    detail: "Without --gateway-user (or --user) the walk stops at the gateway's 401.",
                    fixes: ["Add --gateway-user [DOMAIN\\]NAME; the password comes from a prompt, stdin or RDPDOCTOR_GATEWAY_PASSWORD."]))
        case .withheldUntrustedCertificate? where g.certificate == nil:
            findings.append(
                Finding(
                    id: .gatewayCertificateUntrusted, level: .fail, section: .gateway,
                    title: "The gateway's certificate is not trusted for \(g.gateway): nothing was sent to it",
                    detail:
                        "Microsoft's clients refuse an RD Gateway whose certificate chain is not trusted or does not match its name; rdpdoctor sent no NTLM AUTHENTICATE to it.",
                    fixes: [
                        "Bind a certificate from a CA the clients trust, issued to the gateway's external name, in RD Gateway Manager (Properties > SSL Certificate) and in IIS's binding for the Default Web Site.",
                        "If the certificate is right and only this machine lacks the CA, pass it with --ca.",
                    ],
                    codes: input.catalogue.clientCodes(.gatewayCertificateUntrusted).keys))
        case .noUsableScheme?:
            findings.append(
                Finding(
                    id: .gatewayAuthNotTried, level: .warn, section: .gateway,
                    title: "The gateway offers no scheme rdpdoctor can try (it speaks NTLM and Basic)",
                    detail:
                        "Schemes offered: \(g.firstAnswer?.authenticationSchemes.joined(separator: ", ") ?? "none"). Kerberos-only (Negotiate without NTLM) or a web login (PAA, cookies) need the client to reach a KDC or the login page.",
                    fixes: ["If NTLM was disabled on purpose, clients outside the domain need KDC Proxy (KDCProxyServer) on the gateway."]))
        case .rejected?:
            findings.append(
                Finding(
                    id: .gatewayAuthRejected, level: .fail, section: .gateway,
                    title: "The gateway refused the gateway account (401 again)",
                    detail:
                        "\(g.authenticationScheme ?? "NTLM") authentication over HTTP failed at the gateway itself, before any tunnel: the account, its domain or its password, not the target. mstsc asks for the gateway credentials again; FreeRDP reports access denied.",
                    fixes: [
                        "Check the gateway account's name (DOMAIN\\NAME), password and lockout state.",
                        "On the gateway, IIS Windows Authentication must allow NTLM for the RDG virtual directory (Providers: Negotiate, NTLM).",
                    ],
                    codes: input.catalogue.clientCodes(.gatewayAuthRefused).keys))
        case .accepted?, .notAsked?, .withheldUntrustedCertificate?, nil:
            break
        }
        // With the full audit, GatewayCertificateRules judges the certificate.
        if input.gatewayCertificate == nil, let judged = g.certificate, !(judged.trusted && judged.nameMatches) {
            let why = !judged.trusted ? "its chain is not trusted (system store and --ca)" : "it is not issued to that name"
            let withheld = g.authentication == .withheldUntrustedCertificate ? " rdpdoctor sent nothing derived from the password to it." : ""
            findings.append(
                Finding(
                    id: .gatewayCertificateUntrusted, level: .fail, section: .gateway,
                    title: "The gateway's certificate is not trusted for \(g.gateway)",
                    detail:
                        "\(why.prefix(1).uppercased() + why.dropFirst()). Microsoft's clients refuse an RD Gateway whose certificate chain is not trusted or does not match its name, whatever the gateway would say next.\(withheld)",
                    fixes: [
                        "Bind a certificate from a CA the clients trust, issued to the gateway's external name, in RD Gateway Manager (Properties > SSL Certificate) and in IIS's binding for the Default Web Site.",
                        "If the certificate is right and only this machine lacks the CA, pass it with --ca.",
                    ],
                    codes: input.catalogue.clientCodes(.gatewayCertificateUntrusted).keys))
        }
        if g.transport == .legacyOnly {
            findings.append(
                Finding(
                    id: .gatewayWebsocketRefused, level: .warn, section: .gateway,
                    title: "The gateway answers without the WebSocket upgrade: only the legacy HTTP transport",
                    detail:
                        "RDG_OUT_DATA with Upgrade: websocket was answered 200, not 101. A reverse proxy in front that strips Upgrade/Connection, or an old gateway, does this; clients then need RDG_OUT_DATA and RDG_IN_DATA on two long-lived connections, which many proxies and load balancers cut.\(g.channel != nil ? " rdpdoctor walked the tunnel over that legacy transport, as a client falls back to it." : "")",
                    fixes: [
                        "Let the reverse proxy pass WebSocket upgrades to /remoteDesktopGateway/ (nginx: proxy_http_version 1.1 with the Upgrade and Connection headers; Azure Application Gateway and F5 need WebSocket support on the listener).",
                        "If the gateway itself is older than Windows Server 2016, it has no WebSocket transport.",
                    ]))
        }
        if let failure = g.failure { findings.append(failed(failure, g, input)) }
        if g.failure == nil, g.channel != nil {
            let idle = g.tunnelAuth?.idleTimeoutMinutes.map { $0 == 0 ? " No idle timeout." : " Idle timeout \($0) min." } ?? ""
            let reply = g.channelReplyIsTPKT == true ? " The target answered like RDP inside the channel." : ""
            findings.append(
                Finding(
                    id: .gatewayTunnel, level: .good, section: .gateway,
                    title: "Through the gateway \(g.gateway): tunnel and channel to \(g.target) open",
                    detail:
                        "HTTP transport: \(g.transport == .webSocket ? "WebSocket" : "legacy HTTP (RDG_OUT_DATA and RDG_IN_DATA on two connections)").\(idle)\(reply) Steps: \(g.steps.map { "\(Names.gatewayStep($0.step)) \(Names.ms($0.ms))" }.joined(separator: ", "))."
                ))
        }
        if let hold = g.hold { findings.append(held(hold, g)) }
        return findings
    }

    /// The way of failing whose row in clientcodes.json names this E_PROXY
    /// result (RAP denied, CAP denied, target unreachable), else "refused" with
    /// the result as its number.
    static func way(_ catalogue: Catalogue, _ result: GatewayResult) -> (ClientFailure, ClientCodes) {
        let key = CatalogueKey(.gateway, result.rawValue)
        for failure in [ClientFailure.gatewayRAPDenied, .gatewayCAPDenied, .gatewayTargetUnreachable]
        where catalogue.clientCodes(failure).error == key {
            return (failure, catalogue.clientCodes(failure))
        }
        return (.gatewayRefused, catalogue.clientCodes(.gatewayRefused, value: UInt64(result.rawValue)))
    }

    /// What the .rdp file says about reaching its gateway that rdpdoctor's walk does not do.
    static func fileSettings(_ file: RDPFile?, _ g: GatewayObservation) -> [Finding] {
        guard let file, file.gatewayHostname != nil, [1, 2].contains(file.gatewayUsageMethod ?? 0) else { return [] }
        var findings: [Finding] = []
        if file.gatewayAuthenticatesWithoutPassword, g.authentication == .noCredentials {
            let how =
                file.gatewayCredentialsSource == 1
                ? "a smart card (`gatewaycredentialssource:i:1`)"
                : "a cookie from a web sign-in (`gatewaycredentialssource:i:5`, as RD Web and brokered deployments hand out)"
            findings.append(
                Finding(
                    id: .gatewayFileAuthentication, level: .info, section: .gateway,
                    title: "The .rdp file signs in to the gateway with \(file.gatewayCredentialsSource == 1 ? "a smart card" : "a cookie"): not tried",
                    detail:
                        "The file authenticates to \(g.gateway) with \(how), which rdpdoctor cannot do, so it asked for no password and walked the gateway up to its 401 (schemes offered: \(g.firstAnswer?.authenticationSchemes.joined(separator: ", ") ?? "none seen")).",
                    fixes: ["To test the gateway with an account and password anyway: --gateway-user [DOMAIN\\]NAME (the gateway must offer NTLM or Basic)."]))
        }
        if file.gatewayProfileUsageMethod != 1 {
            findings.append(
                Finding(
                    id: .gatewayFileProfile, level: .info, section: .gateway,
                    title: "The .rdp file lets an administrator's default gateway settings apply",
                    detail:
                        "`gatewayprofileusagemethod` is \(file.gatewayProfileUsageMethod.map { "\($0)" } ?? "missing"), not 1: a Windows client that has RD Gateway settings from its administrator (Group Policy) may use those instead of this file's; rdpdoctor walked the gateway the file names, \(g.gateway).",
                    fixes: ["To make every client use this file's gateway: write `gatewayprofileusagemethod:i:1`."]))
        }
        return findings
    }

    static func name(_ input: RuleInput, _ result: GatewayResult) -> String {
        input.catalogue.entry(.gateway, UInt64(result.rawValue))?.name ?? result.hex
    }

    static func failed(_ failure: GatewayObservation.Failure, _ g: GatewayObservation, _ input: RuleInput) -> Finding {
        let step = Names.gatewayStep(failure.step)
        switch failure.kind {
        case .refused(let result):
            let named = name(input, result)
            let (way, codes) = way(input.catalogue, result)
            let target = failure.step == .channelCreate || way == .gatewayTargetUnreachable
            let fixes: [String]
            switch (way, failure.step) {
            case (.gatewayCAPDenied, _), (_, .tunnelAuth):
                fixes = [
                    "The RD CAP (connection authorization policy) in RD Gateway Manager or NPS refused this user or device: add the user's group to a CAP, and check its device redirection and health (NAP) requirements."
                ]
            case (.gatewayTargetUnreachable, _):
                fixes = [
                    "The gateway could not open TCP to \(g.target): the target is down, not listening, or a firewall between gateway and target blocks it."
                ]
            case (.gatewayRAPDenied, _), (_, .channelCreate):
                fixes = [
                    "The RD RAP (resource authorization policy) refused \(g.target): add the computer, as the client names it (FQDN, NetBIOS name or IP address, exactly), to the RAP's computer group, or allow 'any network resource'."
                ]
            default:
                fixes = ["See the gateway's event log (Microsoft-Windows-TerminalServices-Gateway/Operational) for \(named)."]
            }
            return Finding(
                id: .gatewayRefused, level: .fail, section: .gateway,
                title: target ? "The gateway refused the channel to \(g.target): \(named)" : "The gateway refused at \(step): \(named)",
                detail:
                    "The gateway \(g.gateway) answered \(step) with \(named) (\(result.hex)). \(target ? "The gateway side works; the failure concerns the target or the policy for it." : "The gateway itself refused, before any target was asked for.")",
                fixes: fixes, codes: codes.keys)
        case .httpStatus(let status) where failure.step == .http:
            let server = g.firstAnswer?.server.map { " (Server: \($0))" } ?? ""
            return Finding(
                id: .gatewayNotAGateway, level: .fail, section: .gateway,
                title: "\(g.gateway) answers RDG_OUT_DATA with HTTP \(status): not an RD Gateway there",
                detail:
                    "A gateway answers its first request with 401 (authentication) or accepts it; \(status)\(server) is a web server without the RD Gateway role or without the /remoteDesktopGateway/ virtual directory.",
                fixes: [
                    "Install the RD Gateway role service on this server, or point the clients at the server that has it.",
                    "If it is a reverse proxy, publish /remoteDesktopGateway/ to the gateway.",
                ])
        case .httpStatus(let status):
            return Finding(
                id: .gatewayNotAGateway, level: .fail, section: .gateway,
                title: "The gateway answered the authenticated request with HTTP \(status)",
                detail: "After authentication a gateway answers 101 (WebSocket) or 200 (legacy transport).")
        case .connectFailed(let connect):
            return Finding(
                id: .gatewayUnreachable, level: .fail, section: .gateway,
                title: "The gateway \(g.gateway) cannot be reached (\(connect))",
                detail: "The TCP connection to the gateway failed; the target behind it was never asked for.",
                fixes: ["Check the gateway's name and port (443 by default) and the firewall in front of it."],
                codes: input.catalogue.clientCodes(.gatewayUnreachable).keys)
        case .tls(let reason):
            return Finding(
                id: .gatewayTlsFailed, level: .fail, section: .gateway,
                title: "TLS with the gateway failed", detail: reason,
                fixes: ["Check the certificate binding of the gateway's HTTPS listener (IIS Default Web Site and RD Gateway Manager)."])
        case .protocolError(let message):
            return Finding(
                id: .gatewayProtocolError, level: .fail, section: .gateway,
                title: "The gateway broke MS-TSGU at \(step)", detail: message)
        case .closed(let kind):
            return Finding(
                id: .gatewayClosed, level: .fail, section: .gateway,
                title: "The gateway \(kind == .reset ? "reset" : "closed") the connection at \(step)",
                detail: "Nothing said why: a proxy or load balancer in front, or the gateway service dropping the request.")
        case .noAnswer:
            return Finding(
                id: .gatewaySilent, level: .warn, section: .gateway,
                title: "No answer from the gateway at \(step) within \(Names.ms(g.stepDeadlineMs ?? 0))",
                detail: "The step was not determined: the gateway, or something in front of it, went silent.")
        }
    }

    /// `--hold`: how long the channel stayed open after the walk, and who ended it.
    static func held(_ hold: GatewayObservation.Hold, _ g: GatewayObservation) -> Finding {
        let after = Names.ms(hold.heldMs)
        let keepalives =
            hold.keepaliveIntervalMs.map { " \(hold.keepalivesSent) KEEPALIVE sent, one every \(Names.ms($0)) (the gateway advertised an idle timeout)." }
            ?? " No KEEPALIVE sent (no idle timeout advertised)."
        let (level, title): (Finding.Level, String)
        switch hold.end {
        case .stillOpen:
            (level, title) = (.good, "The channel through \(g.gateway) was still open after the \(Names.ms(hold.requestedMs)) hold")
        case .closeChannel:
            let status = hold.closeStatus.map { " (status \($0.hex))" } ?? ""
            (level, title) = (.warn, "The gateway closed the held channel with CLOSE_CHANNEL\(status) after \(after)")
        case .closedByGateway:
            (level, title) = (.warn, "The gateway's connection ended after \(after) of the hold")
        case .reset:
            (level, title) = (.warn, "The held channel was reset after \(after) (the gateway or a device on the path)")
        }
        return Finding(
            id: .gatewayHold, level: level, section: .gateway, title: title,
            detail:
                "--hold kept the channel open after the walk, as an idle session keeps it.\(keepalives) An idle close well before the gateway's advertised idle timeout\(g.tunnelAuth?.idleTimeoutMinutes.map { " (\($0) min)" } ?? "") points at a proxy, load balancer or firewall idle timer on the path; CLOSE_CHANNEL comes from the gateway itself (RD Gateway Manager > Properties > Timeouts, or its idle/session timeout policy)."
        )
    }
}
