import Catalogue
import ProbeCore

/// What holds a port that did not answer like RDP, from the service probe
/// (TLS from the first byte, then an RD Gateway's first HTTP request).
enum ServiceRules: DiagnosisRule {
    /// A few words naming a TLS service, or nil when the port is not one.
    static func identity(_ service: ServiceObservation) -> String? {
        guard service.tls != nil else { return nil }
        guard let http = service.http else { return "a TLS service that does not answer HTTP" }
        let server = http.server.map { " (Server: \($0))" } ?? ""
        if isGateway(http) { return "an RD Gateway's HTTPS transport\(server)" }
        return "an HTTPS server\(server) that answers an RD Gateway request with HTTP \(http.status)"
    }

    /// RDG_OUT_DATA is the RD Gateway's own method: a gateway asks for
    /// authentication (401 with its schemes) or accepts; a web server refuses
    /// a method it does not know (400, 404, 405, 501).
    static func isGateway(_ http: HTTPAnswer) -> Bool {
        (http.status == 401 && !http.authenticationSchemes.isEmpty) || http.status == 200
    }

    static func findings(_ input: RuleInput) -> [Finding] {
        let o = input.observations
        let catalogue = input.catalogue
        guard let service = o.service else { return [] }
        let port = o.target.port
        if let http = service.http, service.tls != nil {
            let schemes = http.authenticationSchemes.isEmpty ? "" : " and asks for \(http.authenticationSchemes.joined(separator: ", ")) authentication"
            let server = http.server.map { " It names itself \"\($0)\"." } ?? ""
            if isGateway(http) {
                return [
                    Finding(
                        id: .serviceRdGateway, level: .fail, section: .negotiation,
                        title: "Port \(port) is an RD Gateway, not an RDP host",
                        detail:
                            "It speaks TLS from the first byte and answers the RD Gateway request RDG_OUT_DATA with HTTP \(http.status) \(http.reason)\(schemes).\(server) A Remote Desktop client pointed at it directly fails at its first message.",
                        fixes: [
                            "Connect through it instead: set this host as the RD Gateway (mstsc: Advanced > Settings; .rdp file: gatewayhostname:s:\(o.target.host) with gatewayusagemethod:i:1) and the RDP host behind it as the computer.",
                            "If this port should reach an RDP host directly, the port forward or load balancer points at the gateway by mistake.",
                        ],
                        codes: catalogue.clientCodes(.notRDP).keys)
                ]
            }
            return [
                Finding(
                    id: .serviceHttps, level: .fail, section: .negotiation,
                    title: "Port \(port) is an HTTPS server, not RDP",
                    detail:
                        "It speaks TLS from the first byte and answers the RD Gateway request RDG_OUT_DATA with HTTP \(http.status) \(http.reason), as a web server does with a method it does not know; so it is not an RD Gateway either.\(server)",
                    fixes: [
                        "Check the port forward, NAT rule or load balancer: it must reach the RDP host's port (3389 by default).",
                        "If an RD Gateway was meant, the server lacks the gateway role or its RDG virtual directory (a 404 from IIS).",
                    ],
                    codes: catalogue.clientCodes(.notRDP).keys)
            ]
        }
        if service.tls != nil {
            let detail =
                service.nonHTTPBytes.map { "It answered an HTTP request over TLS with \($0) bytes that are not HTTP." }
                ?? "It did not answer an HTTP request over TLS\(service.noAnswerDuring == .http ? " within \(Names.ms(service.stepDeadlineMs ?? 0))" : "")."
            return [
                Finding(
                    id: .serviceTls, level: .fail, section: .negotiation,
                    title: "Port \(port) speaks TLS from the first byte, not RDP",
                    detail: detail + " An RDP listener expects the X.224 request in clear first.",
                    fixes: ["Check the port forward, NAT rule or load balancer: it must reach the RDP host's port (3389 by default)."],
                    codes: catalogue.clientCodes(.notRDP).keys)
            ]
        }
        // Not TLS either: the close or silence on the RDP request was the listener's own answer.
        let how: String
        if let kind = service.closedDuringTLS {
            how = "it \(kind == .reset ? "reset" : "closed") the connection during the handshake"
        } else if let failure = service.tlsFailure {
            how = "the handshake failed (\(failure))"
        } else if service.noAnswerDuring == .tls {
            how = "nothing came within \(Names.ms(service.stepDeadlineMs ?? 0))"
        } else if service.connectFailure != nil {
            how = "the connection could not be opened again"
        } else {
            how = "no TLS session came up"
        }
        return [
            Finding(
                id: .serviceNotTls, level: .info, section: .negotiation,
                title: "Port \(port) is not a TLS service either",
                detail:
                    "Spoken to with TLS from the first byte, as an HTTPS server or an RD Gateway would expect, \(how). So it is not an HTTPS service: the RDP request's fate is the listener's (or a device in front of it's) own answer."
            )
        ]
    }
}
