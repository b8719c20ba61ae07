import Catalogue
import ProbeCore

/// Name resolution, TCP reachability, and a port that is not RDP.
enum NetworkRules: DiagnosisRule {
    static func findings(_ input: RuleInput) -> [Finding] {
        let o = input.observations
        let catalogue = input.catalogue
        var findings: [Finding] = []
        if let resolution = o.resolution {
            if let error = resolution.error {
                findings.append(
                    Finding(
                        id: .dnsFailed, level: .fail, section: .name, title: "The name does not resolve",
                        detail: error,
                        fixes: [
                            "Check the spelling and the DNS suffix (a short name needs the right search domain).",
                            "On a VPN, make sure its DNS servers are in use: `resolvectl status` (Linux), `scutil --dns` (macOS), `nslookup HOST` (Windows).",
                            "Connect by IP address to rule DNS out.",
                        ],
                        codes: catalogue.clientCodes(.nameNotResolved).keys))
            } else if !resolution.literal {
                let list = resolution.addresses.joined(separator: ", ")
                findings.append(
                    Finding(
                        id: .dnsResolved, level: .good, section: .name,
                        title: "\(o.target.host) resolves to \(resolution.addresses.count) address\(resolution.addresses.count == 1 ? "" : "es")",
                        detail: "\(list) in \(Names.ms(resolution.durationMs)); used \(resolution.usedAddress ?? "none")."))
            }
        }
        let reachable = o.reachability.filter { $0.failure == nil }
        for reach in o.reachability {
            switch reach.failure {
            case nil:
                findings.append(
                    Finding(
                        id: .tcpConnected, level: .good, section: .tcp, title: "TCP port \(o.target.port) is open on \(reach.address)",
                        detail: "Connected in \(Names.ms(reach.connectMs ?? 0))."))
            case .refused:
                findings.append(
                    Finding(
                        id: .tcpRefused, level: reachable.isEmpty ? .fail : .warn, section: .tcp,
                        title: "\(reach.address) refuses connections on port \(o.target.port)",
                        detail: "The connection attempt was answered with a reset: nothing listens on the port, or a firewall rejects it.",
                        fixes: [
                            "On the server: make sure remote connections are allowed (`Set-ItemProperty 'HKLM:\\System\\CurrentControlSet\\Control\\Terminal Server' -Name fDenyTSConnections -Value 0`) and the Remote Desktop Services service runs (`Restart-Service TermService -Force`).",
                            "Check the listening port: `Get-ItemProperty 'HKLM:\\SYSTEM\\CurrentControlSet\\Control\\Terminal Server\\WinStations\\RDP-Tcp' -Name PortNumber`.",
                            "Allow it through the firewall: `Enable-NetFirewallRule -DisplayGroup 'Remote Desktop'`.",
                        ],
                        codes: catalogue.clientCodes(.tcpRefused).keys))
            case .timedOut:
                findings.append(
                    Finding(
                        id: .tcpTimeout, level: reachable.isEmpty ? .fail : .warn, section: .tcp,
                        title: "\(reach.address) does not answer on port \(o.target.port)",
                        detail:
                            "The connection attempt was never answered: a firewall silently drops it, the host is off, or the route (VPN) does not reach it.",
                        fixes: [
                            "Check the path: is the VPN up, and does it route this address?",
                            "On the server and any firewall in between, allow TCP \(o.target.port) from this client.",
                        ],
                        codes: catalogue.clientCodes(.tcpUnanswered).keys))
            case .resetAfterAccept:
                continue  // reachable: the close is judged with the probes
            case .unreachable(let reason):
                findings.append(
                    Finding(
                        id: .tcpUnreachable, level: reachable.isEmpty ? .fail : .warn, section: .tcp,
                        title: "\(reach.address) cannot be reached", detail: reason,
                        fixes: ["Check the route to the host (`ip route get ADDRESS`, VPN state)."],
                        codes: catalogue.clientCodes(.tcpRefused).keys))
            }
        }
        if let probe = o.defaultClient, let service = probe.foreignService,
            service != .tls || o.service.flatMap(ServiceRules.identity) == nil
        {
            findings.append(
                Finding(
                    id: .x224NotRdp, level: .fail, section: .negotiation,
                    title: service == .unknown ? "The port speaks something that is not RDP" : "The port speaks \(service.rawValue.uppercased()), not RDP",
                    detail:
                        "It answered the X.224 Connection Request with \(probe.banner.map { "\"\($0)\"" } ?? probe.unexpectedBytes.map { "bytes \($0)" } ?? "something else") instead of a Connection Confirm. A port forward, NAT rule or load balancer most likely points at the wrong service.",
                    fixes: [
                        "Check the port forward / load balancer: it must reach the RDP host's port 3389.",
                        "If this is an RD Gateway (HTTPS), connect through it as a gateway instead of directly.",
                    ],
                    codes: catalogue.clientCodes(.notRDP).keys))
        } else if let probe = o.defaultClient, case .timedOut(.x224, _) = probe.end,
            let received = probe.timings.last(where: { $0.step == .x224 })?.bytesReceived, received > 0
        {
            findings.append(
                Finding(
                    id: .x224Incomplete, level: .warn, section: .negotiation,
                    title: "The server began an answer but never finished it",
                    detail:
                        "\(received) bytes of the X.224 Connection Confirm arrived, then nothing more within \(Names.waited(probe).map(Names.ms) ?? "the deadline"): a hung listener, a device on the path holding the rest, or a service that is not RDP.",
                    fixes: [
                        "Restart the Remote Desktop Services service: `Restart-Service TermService -Force`.",
                        "Compare from another network to rule the path out.",
                    ],
                    codes: catalogue.clientCodes(.stepTimeout).keys))
        } else if let probe = o.defaultClient, case .timedOut(.x224, _) = probe.end {
            findings.append(
                Finding(
                    id: .x224Silent, level: .warn, section: .negotiation,
                    title: "No answer to the X.224 request within \(Names.waited(probe).map(Names.ms) ?? "the deadline")",
                    detail:
                        "The TCP connection opened, but no X.224 Connection Confirm came back in that time. Whether it would come later is not determined: a listener that is hung or overloaded, a proxy queueing connections, or something that is not an RDP listener and waits for the client to speak first (the TLS probe's result is shown when it ran).",
                    fixes: [
                        "Check what listens on the port on the server: `Get-NetTCPConnection -LocalPort 3389 -State Listen | Select OwningProcess` then `Get-Process -Id PID`.",
                        "Restart the Remote Desktop Services service: `Restart-Service TermService -Force`.",
                    ],
                    codes: catalogue.clientCodes(.stepTimeout).keys))
        }
        return findings
    }
}
