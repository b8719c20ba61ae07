import ProbeCore

/// What a packet capture shows beyond the replayed walk (`analyze` only):
/// who ended the connection, and the TCP evidence about the path.
enum CaptureRules: DiagnosisRule {
    /// A full-size segment: what an MTU black hole drops (an Ethernet MSS is 1460).
    static let fullSizeSegment = 1200
    /// Quiet this long before a close points at an idle timeout on the path.
    static let idleTimeoutMs = 30_000.0

    static func findings(_ input: RuleInput) -> [Finding] {
        guard let facts = input.observations.capture else { return [] }
        let catalogue = input.catalogue
        var findings: [Finding] = []
        if let side = facts.closedBy, let at = facts.closedAtMs {
            let how = facts.closeKind == .reset ? "reset" : "closed (FIN)"
            findings.append(
                Finding(
                    id: side == .client ? .captureClientClosed : .captureServerClosed, level: .info, section: .tcp,
                    title: "The \(side.rawValue) \(how) the connection first, \(Names.ms(at)) after it began",
                    detail: side == .client
                        ? "The client ended it: a user who cancelled, a client that rejected what it saw, or the end of a session."
                        : "The server ended it; the verdict says during which step."))
        }
        for (name, direction) in [("server", facts.fromServer), ("client", facts.fromClient)] {
            if direction.retransmissions > 0, direction.largestRetransmitted >= fullSizeSegment {
                findings.append(
                    Finding(
                        id: .captureFullSizeRetransmitted, level: .warn, section: .path,
                        title:
                            "Full-size segments from the \(name) were sent again (\(direction.retransmissions) retransmission\(direction.retransmissions == 1 ? "" : "s"), up to \(direction.largestRetransmitted) bytes)",
                        detail:
                            "Large segments that have to be repeated, while small ones get through, are the signature of a path MTU black hole: a VPN or tunnel with a smaller MTU that drops the ICMP messages path MTU discovery needs.",
                        fixes: [
                            "Run `rdpdoctor check HOST` over the same path: it searches the MTU.",
                            "Lower the MTU of the VPN interface (for example 1350), or clamp the TCP MSS on the tunnel (`iptables -t mangle -A FORWARD -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu`).",
                        ],
                        codes: catalogue.clientCodes(.pathStall).keys))
            } else if direction.retransmissions > 0 {
                findings.append(
                    Finding(
                        id: .captureRetransmissions, level: .info, section: .path,
                        title:
                            "\(direction.retransmissions) retransmission\(direction.retransmissions == 1 ? "" : "s") from the \(name) (up to \(direction.largestRetransmitted) bytes)",
                        detail: "Segments the capture saw twice: loss on the path, or a capture taken before the loss."))
            }
            if direction.missingBytes > 0 {
                findings.append(
                    Finding(
                        id: .captureMissingBytes, level: .info, section: .path,
                        title: "The capture lacks \(direction.missingBytes) bytes from the \(name)",
                        detail:
                            "Bytes the other side acknowledged or that later segments skip over never appear in the file: the capture dropped them (a busy capture host, a snapshot length), or they took another path. What follows a gap is not decoded."
                    ))
            }
            if direction.zeroWindows > 0 {
                findings.append(
                    Finding(
                        id: .captureZeroWindow, level: .warn, section: .path,
                        title: "The \(name) advertised a zero receive window \(direction.zeroWindows) time\(direction.zeroWindows == 1 ? "" : "s")",
                        detail: "It stopped reading for a while: an overloaded endpoint (or its antivirus or inspection software) rather than the network."))
            }
        }
        if let idle = facts.idleBeforeCloseMs, idle >= idleTimeoutMs, facts.closeKind == .reset {
            findings.append(
                Finding(
                    id: .captureIdleReset, level: .warn, section: .path,
                    title: "Reset after \(Names.ms(idle)) of silence",
                    detail:
                        "Nothing went either way for that long, then the connection was reset: the pattern of a NAT, firewall or VPN idle timeout that forgot the connection.",
                    fixes: [
                        "Raise the idle timeout on the firewall or VPN, or turn on RDP keep-alives (Group Policy: Remote Desktop Session Host > Connections > \"Configure keep-alive connection interval\")."
                    ]))
        }
        return findings
    }
}
