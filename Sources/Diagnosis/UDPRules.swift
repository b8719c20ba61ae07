import ProbeCore

/// The UDP transport (MS-RDPEUDP): available, or the client stays on TCP.
enum UDPRules: DiagnosisRule {
    static let forceTCP = [
        "Client: turn UDP off to rule it out: Group Policy Computer Configuration > Administrative Templates > Windows Components > Remote Desktop Services > Remote Desktop Connection Client > \"Turn Off UDP On Client\" = Enabled (registry HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows NT\\Terminal Services\\Client\\fClientDisableUDP = 1), then `gpupdate /force`;",
        "Server: Group Policy … > Remote Desktop Session Host > Connections > \"Select RDP transport protocols\" = Use only TCP.",
    ]

    static func findings(_ input: RuleInput) -> [Finding] {
        let o = input.observations
        guard let udp = o.udp else { return [] }
        let port = o.target.port
        switch udp.outcome {
        case .synAck:
            let version = udp.server?.versionName.map { ", \($0)" } ?? ""
            return [
                Finding(
                    id: .udpAvailable, level: .good, section: .udp,
                    title: "UDP transport available on port \(port)\(version)",
                    detail:
                        "The server answered the RDP-UDP SYN with a SYN+ACK in \(udp.rttMs.map(Names.ms) ?? "?"). If sessions freeze or drop over a VPN, UDP is a usual suspect: forcing TCP tells.",
                    fixes: forceTCP)
            ]
        case .noAnswer:
            return [
                Finding(
                    id: .udpUnanswered, level: .info, section: .udp,
                    title: "UDP port \(port) does not answer: clients fall back to TCP",
                    detail:
                        "\(udp.attempts) RDP-UDP SYN datagrams got no answer (UDP turned off on the server, or a firewall drops it). Connections still work over TCP, with less tolerance for latency and loss.",
                    fixes: [
                        "To allow it: open UDP \(port) on the firewalls; Windows: `Enable-NetFirewallRule -DisplayName 'Remote Desktop - User Mode (UDP-In)'`."
                    ])
            ]
        case .icmpUnreachable:
            return [
                Finding(
                    id: .udpClosed, level: .info, section: .udp,
                    title: "UDP port \(port) is closed: clients use TCP only",
                    detail: "The host answered the RDP-UDP SYN with ICMP port unreachable: nothing listens for RDP on UDP.")
            ]
        case .malformed(let reason):
            return [
                Finding(
                    id: .udpMalformed, level: .warn, section: .udp,
                    title: "UDP port \(port) answers with something that is not an RDP-UDP SYN+ACK",
                    detail: reason, fixes: forceTCP)
            ]
        case .unreachable(let reason):
            return [
                Finding(
                    id: .udpUnreachable, level: .info, section: .udp,
                    title: "UDP could not be tried", detail: reason)
            ]
        }
    }
}
