import Catalogue
import ProbeCore
import RDPProtocol

/// Where a default Microsoft client would stop on this host, judged from the
/// default-client probe (which walks the connection as mstsc does). For a
/// captured connection (`analyze`) the same cases are told in the past, of
/// the client that made it: rdpdoctor did not connect, and what the client
/// showed is the most likely code, not a certainty.
enum VerdictRule {
    /// A TCP connection attempt unanswered for this long is taken as dropped:
    /// clients give up on it after a few seconds too.
    static let clientConnectPatienceMs = 2000.0

    static func verdict(_ observations: CheckObservations, catalogue: Catalogue) -> Verdict {
        if let gateway = observations.gateway {
            // The gateway decides until its channel carried the walk; then the
            // walk inside it is judged as a direct one, and said to be the target's.
            guard observations.defaultClient != nil, gateway.failure == nil else {
                return gatewayVerdict(gateway, codes: catalogue)
            }
            var inside = observations
            inside.gateway = nil
            return throughGateway(verdict(inside, catalogue: catalogue), gateway)
        }
        let base =
            observations.capture != nil
            ? capturedVerdict(observations, codes: catalogue) : connectionVerdict(observations, codes: catalogue)
        guard let check = observations.credentialCheck, let credential = check.credential else { return base }
        // A refused account explains a close during CredSSP better than the close itself.
        if base.outcome == .fails, credential.outcome == .accepted || credential.outcome == .notSent { return base }
        return credentialVerdict(credential, check: check, base: base, catalogue: catalogue)
    }

    /// With --user, the account's fate decides how far the client gets.
    static func credentialVerdict(
        _ credential: CredentialObservation, check: CredentialCheckObservation, base: Verdict,
        catalogue: Catalogue
    ) -> Verdict {
        switch credential.outcome {
        case .accepted:
            if check.logonRequested, credential.credentialsSent, let session = check.probe?.session {
                if let info = session.errorInfo.first(where: { $0 != .none }) {
                    let codes = catalogue.clientCodes(.serverErrorInfo, value: UInt64(info.rawValue))
                    let named = codes.extended.flatMap { catalogue.entry($0)?.entry.summary } ?? CatalogueKey(.errinfo, info).hexValue
                    return Verdict(
                        outcome: .fails, step: .licensing,
                        summary: "\(credential.account) authenticates, but the server then ends the session (\(named)).",
                        codes: codes)
                }
                if session.demandActive {
                    return Verdict(
                        outcome: .reachesLogon, step: .capabilities,
                        summary: "A default Microsoft client would log on as \(credential.account): the credentials are accepted and the session starts.")
                }
            }
            return Verdict(
                outcome: .reachesLogon, step: .credssp,
                summary: "A default Microsoft client would get past NLA as \(credential.account): the server accepts the account and proves its identity.")
        case .rejected:
            let codes = catalogue.clientCodes(.credentialsRefused, value: UInt64(credential.ntstatus?.rawValue ?? 0))
            let entry = codes.extended.flatMap { catalogue.entry($0)?.entry }
            return Verdict(
                outcome: .fails, step: .credssp,
                summary: "The client would stop at NLA: \(credential.account) is refused (\(entry?.summary ?? codes.extended?.description ?? "no status")).",
                errorCode: CredentialRules.clientCodes(entry).first, extendedCode: codes.extended)
        case .closedAfterAuthenticate:
            return Verdict(
                outcome: .fails, step: .credssp,
                summary:
                    "The client would stop at NLA: the server refuses \(credential.account) (it closes the connection without a reason; most often a wrong password or unknown account).",
                codes: catalogue.clientCodes(.credentialsClosed))
        case .serverKeyMismatch, .serverProofInvalid:
            return Verdict(
                outcome: .fails, step: .credssp,
                summary: "The client would stop at NLA: the server cannot prove it holds its TLS key (possible man in the middle).")
        case .ntlmUnavailable:
            return Verdict(
                outcome: .fails, step: .credssp,
                summary: "NTLM authentication fails here; a client would need Kerberos.")
        case .earlyAuthorizationDenied:
            return Verdict(
                outcome: .fails, step: .credssp,
                summary: "\(credential.account) authenticates but may not log on over Remote Desktop (early user authorization denied).")
        case .notSent:
            return base
        }
    }

    /// A captured connection whose server sent full-size segments again and
    /// that never got past the step they carried: the server did not close it,
    /// and no later step began. Nil for a live check (it has no capture facts).
    static func capturedStall(_ probe: ProbeRecord, _ capture: CaptureFacts?) -> Step? {
        guard let capture, capture.fromServer.retransmissions > 0,
            capture.fromServer.largestRetransmitted >= CaptureRules.fullSizeSegment,
            capture.closedBy != .server, probe.session == nil, probe.credssp == nil,
            let step = probe.timings.last?.step, [.x224, .tls, .mcs].contains(step)
        else { return nil }
        return step
    }

    static func connectionVerdict(_ observations: CheckObservations, codes catalogue: Catalogue) -> Verdict {
        if let resolution = observations.resolution, let error = resolution.error {
            return Verdict(
                outcome: .fails, step: .dns,
                summary: "The client would stop at name resolution: \(error).",
                codes: catalogue.clientCodes(.nameNotResolved))
        }
        guard let probe = observations.defaultClient else {
            if observations.reachability.contains(where: { $0.failure == .refused }) {
                return Verdict(
                    outcome: .fails, step: .tcp,
                    summary: "The client would fail to connect: the port refuses TCP connections (nothing listens, or a firewall rejects).",
                    codes: catalogue.clientCodes(.tcpRefused))
            }
            if !observations.reachability.isEmpty, observations.reachability.allSatisfy({ $0.failure != nil }) {
                return Verdict(
                    outcome: .fails, step: .tcp,
                    summary: "The client would fail to connect: no address of the host answers on this port.",
                    codes: catalogue.clientCodes(.tcpUnanswered))
            }
            return Verdict(outcome: .undetermined, step: nil, summary: "The check ran out of time before the connection could be replayed.")
        }
        if let stalled = capturedStall(probe, observations.capture) {
            return Verdict(
                outcome: .fails, step: stalled,
                summary:
                    "The connection stalls during \(Names.step(stalled)): the server's full-size segments were sent again and the connection went no further, the signature of a path MTU black hole (usually a VPN or tunnel). Microsoft clients give up with a timeout (0x108) or show 0x904 / 0x7.",
                codes: catalogue.clientCodes(.pathStall))
        }
        if probe.negotiation == nil, let service = observations.service, let what = ServiceRules.identity(service) {
            return Verdict(
                outcome: .fails, step: .x224,
                summary:
                    "The client would fail: the port speaks TLS from the first byte (\(what)), not RDP; it cannot answer the X.224 request a Remote Desktop client sends first.",
                codes: catalogue.clientCodes(.notRDP))
        }
        if probe.foreignService != nil, case .protocolError = probe.end {
            let what =
                probe.banner.map { "a service that greets with \"\($0)\"" }
                ?? probe.foreignService.map {
                    $0 == .unknown ? "something that is not RDP" : ($0 == .http || $0 == .ssh ? "an " : "a ") + "\($0.rawValue.uppercased()) service"
                }
                ?? "something that is not RDP"
            return Verdict(
                outcome: .fails, step: .x224,
                summary:
                    "The client would fail: the port answers like \(what), not an RDP listener; a port forward or load balancer likely points at the wrong service.",
                codes: catalogue.clientCodes(.notRDP))
        }
        switch probe.end {
        case .refused, .unreachable:
            return Verdict(
                outcome: .fails, step: .tcp,
                summary: "The client would fail to open the TCP connection (\(Names.end(probe.end))).",
                codes: catalogue.clientCodes(.tcpRefused))
        case .timedOut(let step, _) where step == .tcp:
            let waited = Names.waited(probe)
            // Clients give up on an unanswered SYN after a few seconds too; a shorter
            // wait than that is no evidence.
            guard (waited ?? 0) >= clientConnectPatienceMs else {
                return Verdict(
                    outcome: .undetermined, step: .tcp,
                    summary:
                        "Could not tell: the TCP connection attempt got no answer within \(waited.map(Names.ms) ?? "the deadline"); \(Self.waitLonger(observations, probe, capitalized: false))"
                )
            }
            return Verdict(
                outcome: .fails, step: .tcp,
                summary:
                    "The client would fail to connect: the TCP connection attempt got no answer within \(waited.map(Names.ms) ?? "the deadline") (a firewall dropping it, or the host is down).",
                codes: catalogue.clientCodes(.tcpUnanswered))
        case let .timedOut(step, _) where observations.mtuSearch != nil:
            let mtu = observations.mtuSearch?.estimatedPathMTU ?? 0
            return Verdict(
                outcome: .fails, step: step,
                summary:
                    "The client would stall during \(Names.step(step)): a path MTU black hole drops packets over about \(mtu) bytes (usually a VPN or tunnel). Microsoft clients give up with a timeout (0x108) or show 0x904 / 0x7.",
                codes: catalogue.clientCodes(.pathStall))
        case let .timedOut(step, _) where probe.tcp?.peerWindowClosed == true:
            // A closed window may open again, so this stays "could not tell", with the cause named.
            return Verdict(
                outcome: .undetermined, step: step,
                summary:
                    "Could not tell: during \(Names.step(step)) the server stopped reading; its TCP receive window stayed at 0 for \(Names.waited(probe).map(Names.ms) ?? "the whole wait"), so the client's next message could not even be sent. If the server never reads again, Microsoft clients give up with 0x108 (timed out)."
            )
        case let .timedOut(step, _) where (Names.waited(probe) ?? 0) + 1 < (probe.stepDeadlineMs ?? 0):
            // Cut short by the check's own budget, not by the step's deadline.
            return Verdict(
                outcome: .undetermined, step: step,
                summary:
                    "Could not tell: the check's \(Names.ms(observations.timeoutMs)) budget ran out during \(Names.step(step)), \(Names.waited(probe).map(Names.ms) ?? "") into that step; each earlier step answered. Run again with a longer --timeout."
            )
        case let .timedOut(step, waiting):
            // Silence is not a refusal: the server may answer later than rdpdoctor waited.
            return Verdict(
                outcome: .undetermined, step: step,
                summary:
                    "Could not tell: no answer during \(Names.step(step)) within \(Names.waited(probe).map(Names.ms) ?? "the deadline") (rdpdoctor waited for \(waiting)). A client that waits longer may get through; if it never comes, Microsoft clients show 0x108 (timed out). \(Self.waitLonger(observations, probe, capitalized: true))"
            )
        case let .peerClosed(kind, step, _):
            return Verdict(
                outcome: .fails, step: step,
                summary:
                    "The client would stop during \(Names.step(step)): the server \(kind == .reset ? "resets" : "closes") the connection there. A Microsoft client shows 0x904 with extended 0x7.",
                codes: catalogue.clientCodes(.setupClosed))
        case let .protocolError(step, message):
            return Verdict(
                outcome: .fails, step: step,
                summary: "The client would fail during \(Names.step(step)): the server sent bytes that do not decode (\(message)).",
                codes: catalogue.clientCodes(.setupUndecodable))
        case .tlsFailed(let reason):
            return Verdict(
                outcome: .fails, step: .tls,
                summary: "The client would fail the TLS handshake (\(reason)); the server then closes, and a Microsoft client shows 0x904 / 0x7.",
                codes: catalogue.clientCodes(.tlsFailed))
        case .localError(let reason):
            return Verdict(outcome: .undetermined, step: nil, summary: "rdpdoctor could not finish the replay: \(reason).")
        case .notStarted:
            return Verdict(outcome: .undetermined, step: nil, summary: "Could not tell: the check's deadline came before the connection could be replayed.")
        case .completed:
            if probe.negotiation == .failure(code: .sslNotAllowedByServer),
                let retry = observations.standardSecurityRetry, let verdict = retried(retry, codes: catalogue)
            {
                return verdict
            }
            return completed(probe, codes: catalogue)
        }
    }

    /// The server refused TLS and CredSSP with SSL_NOT_ALLOWED_BY_SERVER and
    /// the standard-security probe walked mstsc's retry: what it reached.
    /// nil leaves the verdict to the refusal alone.
    private static func retried(_ retry: ProbeRecord, codes catalogue: Catalogue) -> Verdict? {
        let refusal = "The server refuses TLS and CredSSP (failure code 2); a Microsoft client retries with standard RDP security"
        if retry.session?.demandActive == true {
            return Verdict(
                outcome: .reachesLogon, step: .capabilities,
                summary:
                    "\(refusal), and the session starts (a logon screen, or a desktop on servers that ask for no logon): it works, but it is weak (see findings)."
            )
        }
        if retry.session?.standardSecurity?.notAttempted == .fipsNotImplemented {
            return Verdict(
                outcome: .reachesLogon, step: .security,
                summary:
                    "\(refusal) at FIPS level; rdpdoctor's walk stopped at the Security Exchange because it does not implement FIPS encryption (3DES), so the logon screen itself was not reached here."
            )
        }
        switch retry.end {
        case let .peerClosed(kind, step, _):
            return Verdict(
                outcome: .fails, step: step,
                summary:
                    "\(refusal), and the server \(kind == .reset ? "resets" : "closes") that connection during \(Names.step(step)). A Microsoft client shows 0x904 with extended 0x7.",
                codes: catalogue.clientCodes(.setupClosed))
        case let .protocolError(step, message):
            return Verdict(
                outcome: .fails, step: step,
                summary: "\(refusal), and that connection fails during \(Names.step(step)): \(message).",
                codes: catalogue.clientCodes(.setupUndecodable))
        case let .timedOut(step, waiting):
            return Verdict(
                outcome: .undetermined, step: step,
                summary:
                    "\(refusal); that retry got no answer during \(Names.step(step)) (rdpdoctor waited for \(waiting)), so whether it reaches the logon screen could not be told. Run again with a longer --timeout."
            )
        default:
            return nil
        }
    }

    private static func completed(_ probe: ProbeRecord, codes catalogue: Catalogue) -> Verdict {
        if case .disconnected = probe.negotiation {
            return Verdict(
                outcome: .fails, step: .x224,
                summary:
                    "The server hangs up on what a default client asks for (an MCS Disconnect Provider Ultimatum instead of a negotiation answer); a Microsoft client shows 0x904 / 0x7.",
                codes: catalogue.clientCodes(.setupClosed))
        }
        if case .failure(let code) = probe.negotiation {
            // The default client offers TLS and CredSSP; a server that wants standard
            // RDP security refuses and mstsc retries with it.
            if code == .sslNotAllowedByServer {
                return Verdict(
                    outcome: .reachesLogon, step: .x224,
                    summary:
                        "The server refuses TLS and CredSSP (failure code 2); a Microsoft client retries with standard RDP security, which works but is weak (see findings)."
                )
            }
            return Verdict(
                outcome: .fails, step: .x224,
                summary: "The server refuses what a default client asks for (negotiation failure \(code.rawValue)).",
                codes: catalogue.clientCodes(.negotiationRefused, value: UInt64(code.rawValue)))
        }
        if let session = probe.session {
            if let info = session.errorInfo.first(where: { $0 != .none }) {
                return Verdict(
                    outcome: .fails, step: .licensing,
                    summary:
                        "The server ends the connection with error info \(CatalogueKey(.errinfo, info).hexValue); the client shows it as the extended code.",
                    codes: catalogue.clientCodes(.serverErrorInfo, value: UInt64(info.rawValue)))
            }
            if case let .error(code, _) = session.licensing {
                return Verdict(
                    outcome: .fails, step: .licensing,
                    summary: "Licensing fails (error \(CatalogueKey(.license, code).hexValue)).",
                    codes: catalogue.clientCodes(.licensingError, value: UInt64(code.rawValue)))
            }
            if session.redirected {
                return Verdict(
                    outcome: .reachesLogon, step: .licensing,
                    summary: "The server redirects the client to another host (a connection broker); check that host too.")
            }
            if session.demandActive {
                let weak =
                    probe.negotiation?.selectedProtocol == .rdp
                    ? " with standard RDP security (no TLS: it works, but the server's identity is not verified)" : ""
                return Verdict(
                    outcome: .reachesLogon, step: .capabilities,
                    summary:
                        "A default Microsoft client would connect\(weak) and the session would start (a logon screen, or a desktop on servers that ask for no logon)."
                )
            }
        }
        if let selected = probe.negotiation?.selectedProtocol, !selected.isDisjoint(with: [.hybrid, .hybridEx]) {
            if let error = probe.credssp?.errorCode {
                return Verdict(
                    outcome: .fails, step: .credssp,
                    summary: "CredSSP fails before any credential is checked (NTSTATUS \(CatalogueKey(.ntstatus, error).hexValue)).",
                    codes: catalogue.clientCodes(.credentialsRefused, value: UInt64(error.rawValue)))
            }
            return Verdict(
                outcome: .reachesCredentials, step: .credssp,
                summary:
                    "A default Microsoft client would reach the NLA credential prompt: the connection works up to authentication; the account decides the rest (add --user to test it)."
            )
        }
        if probe.session?.standardSecurity?.notAttempted == .fipsNotImplemented {
            return Verdict(
                outcome: .reachesLogon, step: .security,
                summary:
                    "A default Microsoft client would most likely connect with standard RDP security at FIPS level (no TLS, the server's identity is not verified); rdpdoctor's walk stopped at the Security Exchange because it does not implement FIPS encryption (3DES), so the logon screen itself was not reached here."
            )
        }
        if probe.negotiation?.selectedProtocol == .rdp {
            return Verdict(
                outcome: .reachesLogon, step: .mcs,
                summary: "A default Microsoft client would connect with standard RDP security (no TLS): it works, but the server's identity is not verified.")
        }
        return Verdict(
            outcome: .reachesLogon, step: probe.timings.last?.step,
            summary: "A default Microsoft client would get through \(probe.timings.last.map { Names.step($0.step) } ?? "the handshake").")
    }

    /// One consistent report: a failing verdict has a failure among the
    /// findings, and a failure among the findings makes the verdict fail.
    static func reconciled(_ verdict: Verdict, findings: [Finding], captured: Bool = false) -> (Verdict, [Finding]) {
        let failures = findings.filter { $0.level == .fail }
        if verdict.outcome == .fails, failures.isEmpty {
            let step = verdict.step ?? .tcp
            return (
                verdict,
                findings + [
                    Finding(
                        id: .verdictFails, level: .fail, section: section(of: step),
                        title: "The connection \(captured ? "failed" : "fails") during \(Names.step(step))", detail: verdict.summary,
                        codes: [verdict.errorCode, verdict.extendedCode].compactMap { $0 })
                ]
            )
        }
        guard verdict.outcome == .reachesLogon || verdict.outcome == .reachesCredentials,
            let first = failures.first
        else { return (verdict, findings) }
        return (
            Verdict(
                outcome: .fails, step: step(of: first.section) ?? verdict.step,
                summary: captured
                    ? "\(first.title) (otherwise the connection got as far as \(verdict.step.map(Names.step) ?? "the handshake"))."
                    : "\(first.title) (otherwise a default Microsoft client would get as far as \(verdict.step.map(Names.step) ?? "the handshake")).",
                errorCode: first.codes.first { $0.family == .disconnect },
                extendedCode: first.codes.first { $0.family != .disconnect }), findings
        )
    }

    /// A verdict on the walk inside the channel, worded as the target's.
    static func throughGateway(_ verdict: Verdict, _ g: GatewayObservation) -> Verdict {
        let summary = verdict.summary.prefix(1).lowercased() + verdict.summary.dropFirst()
        return Verdict(
            outcome: verdict.outcome, step: verdict.step,
            summary: "Through the RD Gateway \(g.gateway) (tunnel and channel open), at the target \(g.target): \(summary)",
            errorCode: verdict.errorCode, extendedCode: verdict.extendedCode)
    }

    /// Through an RD Gateway that stopped before its channel carried the walk.
    static func gatewayVerdict(_ g: GatewayObservation, codes catalogue: Catalogue) -> Verdict {
        if let judged = g.certificate, !(judged.trusted && judged.nameMatches), g.failure?.step != .tcp {
            return Verdict(
                outcome: .fails, step: .tcp,
                summary: "The client would refuse the RD Gateway \(g.gateway): its certificate is not trusted for its name.",
                codes: catalogue.clientCodes(.gatewayCertificateUntrusted))
        }
        if let failure = g.failure {
            var what = Names.gatewayStep(failure.step)
            var codes: ClientCodes?
            switch failure.kind {
            case .refused(let result):
                what += ": " + (catalogue.entry(.gateway, UInt64(result.rawValue))?.name ?? result.hex)
                codes = GatewayRules.way(catalogue, result).1
            case .httpStatus(let status):
                what += ": HTTP \(status)"
                if failure.step == .authentication, status == 401 { codes = catalogue.clientCodes(.gatewayAuthRefused) }
            case .connectFailed:
                what += ": no connection"
                codes = catalogue.clientCodes(.gatewayUnreachable)
            case .tls: what += ": TLS failed"
            case .protocolError: what += ": not MS-TSGU"
            case .closed: what += ": closed"
            case .noAnswer:
                return Verdict(
                    outcome: .undetermined, step: .tcp,
                    summary: "The RD Gateway \(g.gateway) did not answer at \(what) in time.")
            }
            let side = failure.step == .channelCreate ? "the channel to \(g.target)" : "the gateway \(g.gateway)"
            return Verdict(
                outcome: .fails, step: .tcp,
                summary: "The client would stop at the RD Gateway (\(side)), at \(what).",
                errorCode: codes?.error, extendedCode: codes?.extended)
        }
        switch g.authentication {
        case .withheldUntrustedCertificate?:
            return Verdict(
                outcome: .fails, step: .tcp,
                summary: "The client would refuse the RD Gateway \(g.gateway): its certificate is not trusted for its name.",
                codes: catalogue.clientCodes(.gatewayCertificateUntrusted))
        case .noCredentials?:
            return Verdict(
                outcome: .undetermined, step: .tcp,
                summary: "The RD Gateway \(g.gateway) answers; gateway authentication was not tried (no --gateway-user).")
        case .noUsableScheme?:
            let offered = g.firstAnswer?.authenticationSchemes.joined(separator: ", ") ?? "none"
            return Verdict(
                outcome: .undetermined, step: .tcp,
                summary:
                    "The RD Gateway \(g.gateway) answers, but asks for \(offered) only, which rdpdoctor cannot try (it speaks NTLM and Basic): a client that cannot get a Kerberos ticket (outside the domain, no KDC proxy) stops at gateway authentication; one that can was not tested."
            )
        default:
            break
        }
        if g.transport == .legacyOnly, g.handshake == nil {
            return Verdict(
                outcome: .undetermined, step: .tcp,
                summary: "The RD Gateway \(g.gateway) accepts the account but offers only the legacy HTTP transport, and its tunnel did not start.")
        }
        let reply = g.channelReplyIsTPKT == true ? " and the target answers like RDP" : ""
        return Verdict(
            outcome: .undetermined, step: nil,
            summary: "Through the RD Gateway \(g.gateway) the channel to \(g.target) opens\(reply), but no RDP walk ran inside it.")
    }

    static func section(of step: Step) -> Section {
        switch step {
        case .dns: .name
        case .tcp: .tcp
        case .x224: .negotiation
        case .tls: .tls
        case .credssp: .credssp
        case .mcs, .security: .rdpSecurity
        case .channels, .licensing, .capabilities: .session
        }
    }

    static func step(of section: Section) -> Step? {
        switch section {
        case .name: .dns
        // the gateway is the client's transport to the target: its failures stop the walk there
        case .tcp, .gateway: .tcp
        case .negotiation: .x224
        case .tls, .certificate: .tls
        case .rdpSecurity: .security
        case .credssp: .credssp
        case .session: .licensing
        case .udp, .path, .timing: nil
        }
    }

    /// How to wait longer: the check's --timeout, or, when scan's cap on each
    /// step (not the budget's share) set the probe's deadline, --step-timeout.
    static func waitLonger(_ observations: CheckObservations, _ probe: ProbeRecord, capitalized: Bool) -> String {
        var advice = "run again with a longer --timeout"
        if let cap = observations.stepCapMs, let deadline = probe.stepDeadlineMs, deadline >= cap - 1 {
            advice = "run again with a longer --step-timeout (each step waited at most \(Names.ms(cap)))"
        }
        return (capitalized ? advice.prefix(1).uppercased() + advice.dropFirst() : advice) + "."
    }
}
