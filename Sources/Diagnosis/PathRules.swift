import Catalogue
import ProbeCore

/// The network between client and host: who closed and when, MTU black
/// holes, latency, jitter and loss.
enum PathRules: DiagnosisRule {
    /// Round trips above this make an RDP session feel sluggish.
    static let slowRTTMs = 150.0
    /// Retransmitted segments above this share point at loss on the path.
    static let lossWarning = 0.02

    static let mtuFixes = [
        "Lower the MTU of the VPN or tunnel interface on the client, e.g. Windows: `netsh interface ipv4 set subinterface \"VPN\" mtu=1300 store=persistent`; Linux: `ip link set dev tun0 mtu 1300`; macOS: `sudo ifconfig utun3 mtu 1300`.",
        "On the router or VPN concentrator, clamp the TCP MSS: `iptables -t mangle -A FORWARD -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu`.",
        "Let ICMP \"fragmentation needed\" (type 3 code 4) through every firewall on the path, so path MTU discovery can work.",
    ]

    static func findings(_ input: RuleInput) -> [Finding] {
        let o = input.observations
        let catalogue = input.catalogue
        var findings: [Finding] = []
        if let search = o.mtuSearch {
            findings.append(mtuBlackHole(search, catalogue: catalogue))
        } else if let probe = o.defaultClient, case let .timedOut(step, waiting) = probe.end, let tcp = probe.tcp, tcp.peerWindowClosed {
            findings.append(zeroWindow(probe, step: step, waiting: waiting, tcp: tcp, port: o.target.port, catalogue: catalogue))
        } else if let probe = o.defaultClient, case let .timedOut(step, waiting) = probe.end, step >= .tls {
            let bytes = probe.timings.last { $0.step == step }?.bytesReceived ?? 0
            let small = o.probes.first { $0.purpose == .smallSegments }
            let smallAlsoStalled = small.map { !MTUSearch.got($0, pastStep: step) } ?? false
            findings.append(
                Finding(
                    id: .pathStall, level: .warn, section: .path,
                    title: "No answer during \(Names.step(step)) within \(Names.waited(probe).map(Names.ms) ?? "the deadline")",
                    detail:
                        "\(bytes > 0 ? "The server began to answer (\(bytes) bytes arrived), then" : "After the earlier steps,") nothing more came while rdpdoctor waited for \(waiting).\(smallAlsoStalled ? " Small TCP segments stall the same way, so packet size (MTU) is not the cause: suspect a slow or hung server, or a device on the path that holds the traffic." : "")",
                    fixes: smallAlsoStalled
                        ? [
                            "Check the server's load and event logs; restart the Remote Desktop Services service (`Restart-Service TermService -Force`).",
                            "Try from another network to rule out the path.",
                        ] : mtuFixes,
                    codes: catalogue.clientCodes(.stepTimeout).keys + catalogue.clientCodes(.setupClosed).keys))
        }
        if let finding = closeFinding(o, catalogue: catalogue) { findings.append(finding) }
        findings += latency(o, catalogue: catalogue)
        if let sample = o.pathSample { findings += pathSample(sample, catalogue: catalogue) }
        return findings
    }

    /// The MTU search's conclusion. Sizes whose try ran out of the check's
    /// time are named as untold: the estimate is then a lower bound.
    static func mtuBlackHole(_ search: MTUSearchObservation, catalogue: Catalogue) -> Finding {
        let tried = search.tries.map { "\($0.mss): \($0.worked ? "ok" : "stalls")" }.joined(separator: ", ")
        let untold = (search.cutShortMSS ?? []).filter { size in
            size > search.largestWorkingMSS && search.smallestFailingMSS.map { size < $0 } ?? true
        }
        let title =
            untold.isEmpty
            ? "Path MTU black hole: packets over about \(search.estimatedPathMTU) bytes are silently dropped"
            : "Path MTU black hole: large packets are silently dropped; packets of \(search.estimatedPathMTU) bytes get through"
        let untoldSentence =
            untold.isEmpty
            ? ""
            : " The tries of \(untold.map(String.init).joined(separator: ", ")) bytes ran out of the check's time before they could tell, so the path may carry somewhat more (a longer --timeout tells)."
        return Finding(
            id: .pathMtuBlackHole, level: .fail, section: .path,
            title: title,
            detail:
                "The default client stalled during \(Names.step(search.stalledStep)) once the server started a large flight; the same walk with small TCP segments completed. Largest segment that worked: \(search.largestWorkingMSS) bytes\(search.smallestFailingMSS.map { ", smallest that stalled: \($0)" } ?? "") (tries: \(tried)).\(untoldSentence) A VPN or tunnel with a smaller MTU that drops the ICMP messages path MTU discovery needs is the usual cause.",
            fixes: mtuFixes, codes: catalogue.clientCodes(.pathStall).keys)
    }

    /// The server's TCP receive window closed and stayed closed: it stopped
    /// reading, so what the client had to send next never left the machine.
    static func zeroWindow(
        _ probe: ProbeRecord, step: Step, waiting: Awaiting, tcp: TCPStats, port: UInt16, catalogue: Catalogue
    ) -> Finding {
        Finding(
            id: .pathZeroWindow, level: .warn, section: .path,
            title: "The server stopped reading during \(Names.step(step)): its TCP receive window stayed at 0",
            detail:
                "The server answered the earlier steps, then advertised a receive window of 0 bytes: the \(tcp.unsentBytes ?? 0) bytes rdpdoctor had to send for \(Names.step(step)) never left this machine, and each window probe was answered with 0 again while rdpdoctor waited \(Names.waited(probe).map(Names.ms) ?? "until the deadline") for \(Names.waitingFor(waiting, in: probe)). A server process that no longer reads its connections (hung, overloaded, out of workers or sessions) does this, or a device on the path that holds the connection. It is not packet loss or the MTU: everything sent before was acknowledged.",
            fixes: [
                "On the server, see who owns the port and whether its receive queue grows: Windows `Get-NetTCPConnection -LocalPort \(port) | Select-Object RemoteAddress, State, OwningProcess`; Linux `ss -tnp 'sport = :\(port)'` (Recv-Q is what the process has not read).",
                "Restart the Remote Desktop service (`Restart-Service TermService -Force`; xrdp: `systemctl restart xrdp`) and check the server's CPU, memory and session count.",
            ],
            codes: catalogue.clientCodes(.stepTimeout).keys)
    }

    /// Who closed the default client's connection, when, and what was outstanding.
    static func closeFinding(_ o: CheckObservations, catalogue: Catalogue) -> Finding? {
        guard let probe = o.defaultClient, case let .peerClosed(kind, step, waiting) = probe.end else { return nil }
        // A TLS service closing on a plaintext request is not a refusing RDP listener.
        if o.service.flatMap(ServiceRules.identity) != nil { return nil }
        let timing = probe.timings.last { $0.step == step }
        let after = timing.map { probe.totalMs - $0.startMs } ?? probe.totalMs
        let how = kind == .reset ? "reset (RST)" : "closed (FIN)"
        let story: (id: FindingID, why: String, fixes: [String])
        switch step {
        case .x224 where after < 50 && (timing?.bytesReceived ?? 0) == 0:
            story = (
                .pathResetAfterConnect,
                "Right after connecting, before any answer: a firewall, IPS or VPN gateway ending the connection, or a listener that refuses every connection.",
                [
                    "Check firewalls and IPS rules between client and server for RDP (TCP \(o.target.port)).",
                    "On the server: `Get-WinEvent -LogName Microsoft-Windows-TerminalServices-RemoteConnectionManager/Operational -MaxEvents 20`.",
                ]
            )
        case .x224:
            story = (
                .pathClosedDuringX224, "During the security negotiation: the listener refuses the request.",
                ["Check the server's security layer and NLA settings against what the client offers."]
            )
        case .tls where (timing?.bytesReceived ?? 0) == 0 && kind == .reset:
            story = (
                .pathResetAfterX224,
                "A reset right after the X.224 exchange, before any TLS answer: most often a firewall or IPS that inspects the first TLS bytes and blocks them; a listener that cannot use its certificate closes instead.",
                [
                    "Check firewalls, IPS and TLS-inspecting proxies between client and server (their logs show the reset).",
                    "On the server, the System log's Schannel events tell whether the server itself gave up.",
                ]
            )
        case .tls where (timing?.bytesReceived ?? 0) == 0:
            story = (
                .pathClosedAfterX224,
                "Right after the X.224 exchange, before any TLS answer: the listener refuses the session (connections disabled, connection limit reached) or cannot use its certificate or private key.",
                [
                    "On the server, the System log's Schannel events (36870: the private key cannot be used) and RemoteConnectionManager events tell which.",
                    "Remove the Remote Desktop certificate so it is regenerated, then `Restart-Service TermService -Force`.",
                ]
            )
        case .tls:
            story = (
                .pathClosedDuringTls,
                "During the TLS handshake, after the server had begun it: a TLS version or cipher mismatch, or a middlebox inspecting TLS.",
                ["Compare the TLS versions and ciphers both sides allow (see the TLS section)."]
            )
        case .credssp:
            story = (
                .pathClosedDuringCredssp, "During CredSSP (NLA): the server refused the authentication exchange or its policy forbids this client.",
                ["Check the account and NLA policy; rdpdoctor check HOST --user NAME tells which."]
            )
        default:
            story = (.pathClosedLater, "After the security layers, during \(Names.step(step)).", [])
        }
        return Finding(
            id: story.id, level: .fail, section: .path,
            title: "The server \(how) the connection during \(Names.step(step)), \(Names.ms(after)) into the step",
            detail: "\(story.why) rdpdoctor was waiting for \(Names.waitingFor(waiting, in: probe)).", fixes: story.fixes,
            codes: catalogue.clientCodes(.setupClosed).keys)
    }

    /// The --samples measurement: a steady stream of small segments.
    static func pathSample(_ sample: PathSampleObservation, catalogue: Catalogue) -> [Finding] {
        guard let tcp = sample.tcp, let loss = sample.lossRatio, let counts = sample.lossCounts else {
            return [
                Finding(
                    id: .pathSampleFailed, level: .info, section: .path, title: "The loss sample could not be taken",
                    detail: sample.closedByPeer ? "The server closed the sample connection early." : "No TCP statistics were available.")
            ]
        }
        let percent = (loss * 1000).rounded() / 10
        var findings = [
            Finding(
                id: .pathSample, level: .info, section: .path,
                title:
                    "Sample of \(sample.sent) segments: \(percent) % \(counts.fromDeliveries ? "lost" : "retransmitted"), round trip \(Names.ms(tcp.minRTTMs)) (smoothed \(Names.ms(tcp.rttMs)), variation \(Names.ms(tcp.rttVarianceMs)))",
                detail: (counts.fromDeliveries
                    ? "\(counts.lost) of the \(counts.sent) segments sent never reached the server (the kernel sent \(tcp.totalRetransmits) again; it merges small writes, so there are fewer segments than the sample's \(sample.sent))."
                    : "\(counts.lost) of \(counts.sent) segments were sent again: each one was lost on the way to the server or its acknowledgement was lost on the way back.")
                    + (sample.closedByPeer ? " The server closed the connection before the sample ended." : "")
            )
        ]
        if loss > lossWarning, counts.lost >= 3 {
            findings.append(
                Finding(
                    id: .pathSampleLoss, level: .warn, section: .path,
                    title: "Packet loss of about \(percent) % on the path",
                    detail: "Above 1-2 % loss, RDP over TCP stutters and connection setup can time out.",
                    fixes: ["Find the lossy link (Wi-Fi, mobile, VPN); compare from a wired network."],
                    codes: catalogue.clientCodes(.setupClosed).keys))
        }
        return findings
    }

    /// Round trip, jitter and retransmissions from every probe's TCP_INFO and connect time.
    static func latency(_ o: CheckObservations, catalogue: Catalogue) -> [Finding] {
        // Stalled connections retransmit because of the stall, not of loss: leave them out.
        let stats = o.probes.filter { probe in
            if case .timedOut = probe.end { return false }
            return true
        }.compactMap(\.tcp)
        // A walk through an RD Gateway has no TCP of its own: its "connect" is CHANNEL_CREATE.
        let connects = o.probes.filter { $0.throughGateway == nil }.compactMap { $0.duration(of: .tcp) }
            .filter { $0 > 0 }.sorted()
        guard !stats.isEmpty || !connects.isEmpty else { return [] }
        let rtts = stats.map(\.minRTTMs).filter { $0 > 0 }.sorted()
        let rtt = rtts.isEmpty ? (connects.isEmpty ? 0 : connects[connects.count / 2]) : rtts[rtts.count / 2]
        let jitter = stats.isEmpty ? 0 : stats.map(\.rttVarianceMs).reduce(0, +) / Double(stats.count)
        let segments = stats.map(\.segmentsOut).reduce(0, +)
        let retransmits = stats.map(\.totalRetransmits).reduce(0, +)
        let loss = segments > 0 ? Double(retransmits) / Double(segments) : 0
        // A capture has no kernel statistics: its round trip is the handshake's, seen where it was taken.
        var findings = [
            o.capture != nil
                ? Finding(
                    id: .pathLatency, level: .info, section: .path,
                    title: "Round trip \(Names.ms(rtt)) (SYN to SYN+ACK)",
                    detail:
                        "From the TCP handshake as the capture saw it: taken near the client it is the whole round trip, near the server almost none of it. Retransmissions are counted per direction in their own findings."
                )
                : Finding(
                    id: .pathLatency, level: .info, section: .path,
                    title: "Round trip \(Names.ms(rtt)), jitter \(Names.ms(jitter)), \(retransmits) of \(segments) segments retransmitted",
                    detail:
                        "Median of the kernel's minimum RTT over \(stats.count) connections (connect times: \(connects.first.map(Names.ms) ?? "?") to \(connects.last.map(Names.ms) ?? "?")); jitter is the mean RTT variance; retransmissions are the loss estimate."
                )
        ]
        if rtt > slowRTTMs {
            findings.append(
                Finding(
                    id: .pathHighLatency, level: .warn, section: .path,
                    title: "High latency: \(Names.ms(rtt)) round trip",
                    detail: "RDP stays usable but feels sluggish above about 150 ms; each connection setup step costs at least one round trip.",
                    fixes: ["Use a closer gateway or VPN endpoint; keep UDP transport enabled (it copes better with latency)."]))
        }
        if segments >= 20, retransmits >= 3, loss > lossWarning {
            findings.append(
                Finding(
                    id: .pathLoss, level: .warn, section: .path,
                    title: "Packet loss: about \(Int((loss * 100).rounded())) % of segments were retransmitted",
                    detail: "Loss slows TCP sharply and can make the handshake time out over a VPN.",
                    fixes: [
                        "Check the Wi-Fi or VPN link; if the session is unstable, try turning UDP off on the client (it can misbehave on lossy VPNs): HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows NT\\Terminal Services\\Client\\fClientDisableUDP = 1."
                    ],
                    codes: catalogue.clientCodes(.setupClosed).keys))
        }
        return findings
    }
}
