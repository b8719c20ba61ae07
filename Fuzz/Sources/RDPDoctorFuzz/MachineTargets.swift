import CertificateAudit
import Foundation
import ProbeCore
import RDPProtocol

/// The sans-IO probe machines, driven the way the transport drives them, by a
/// script read from the input: which bytes the server sends and in what
/// chunks, when it closes, when a deadline passes. Invariants checked on
/// every event: a finished machine does nothing; `.close` comes exactly when
/// a machine finishes; a deadline ends any machine; the coordinator never
/// keeps more connections open than its limit.
enum MachineTargets {
    static let all: [FuzzTarget] = [
        FuzzTarget(name: "probe", summary: "RDPProbeMachine (X.224, TLS, CredSSP, MCS, licensing, share) fed a chunked server stream", run: probe),
        FuzzTarget(name: "coordinator", summary: "CheckCoordinator running a whole check, each connection fed from the input", run: coordinator),
        FuzzTarget(name: "service", summary: "ServiceProbeMachine (TLS from the first byte, RDG_OUT_DATA) fed a chunked answer", run: service),
        FuzzTarget(name: "udp", summary: "UDPProbeMachine fed datagrams and socket events", run: udp),
    ]

    static let ms: UInt64 = 1_000_000
    static let t0: UInt64 = 1_000 * ms
    static let timeouts = StepTimeouts(connectMs: 3000, stepMs: 2000)
    static let host = "rdp.example.test"

    /// A real server certificate (Windows Server 2008 R2, RSA 2048), for the TLS
    /// session the script's TLS handshakes "establish".
    static let leaf: [UInt8] = Array(Data(base64Encoded: Seeds.leafBase64) ?? Data())

    // MARK: - The script

    /// Plays one connection's script against a machine until it finishes.
    /// Ops: 0x00–0xDF: the next op+1 bytes arrive; 0xE0–0xEF: the next
    /// (op−0xDF)×256 bytes arrive; 0xF0 deadline; 0xF1 FIN; 0xF2 RST;
    /// 0xF3 TLS fails; 0xF4 raw byte count; 0xF5 TCP statistics; 0xF6 time
    /// passes; 0xF7–0xFF: a 2-byte length, then that many bytes arrive. When
    /// the script ends, deadlines pass until the machine finishes.
    static func play<M: ConnectionMachine>(
        _ machine: inout M, _ cursor: inout Cursor, now: inout UInt64,
        chain: [[UInt8]], failConnect: UInt8?
    ) {
        var tlsDue = false
        func deliver(_ event: ConnectionEvent) {
            let wasFinished = machine.isFinished
            let actions = machine.handle(event, now: now)
            if wasFinished, !actions.isEmpty { violated("a finished machine acted", "\(event) → \(actions)") }
            if actions.contains(.close) != (machine.isFinished && !wasFinished) {
                violated("close and finished disagree", "\(event) → \(actions), finished \(machine.isFinished)")
            }
            for action in actions {
                switch action {
                case .startTLS: tlsDue = true
                case .setDeadline(let at): if at < now { violated("a deadline in the past", "\(at) < \(now)") }
                case .send, .close, .tunnelTLS, .second: break
                }
            }
        }
        deliver(.connecting)
        now += 3 * ms
        if let failConnect {
            switch failConnect % 4 {
            case 0: deliver(.connectFailed(.refused))
            case 1: deliver(.connectFailed(.resetAfterAccept))
            case 2: deliver(.connectFailed(.timedOut))
            default: deliver(.connectFailed(.unreachable("no route")))
            }
        } else {
            deliver(.connected)
        }
        var events = 0
        while !machine.isFinished, !cursor.isAtEnd, events < 4096 {
            events += 1
            now += ms
            if tlsDue {
                tlsDue = false
                deliver(.tlsEstablished(TLSSessionInfo(version: .tls12, peerChain: chain)))
                continue
            }
            let op = cursor.byte()
            switch op {
            case 0x00...0xDF: deliver(.received(cursor.take(Int(op) + 1)))
            case 0xE0...0xEF: deliver(.received(cursor.take(Int(op - 0xDF) * 256)))
            case 0xF0: deliver(.deadline)
            case 0xF1: deliver(.peerClosed(.fin))
            case 0xF2: deliver(.peerClosed(.reset))
            case 0xF3:
                if tlsDue { tlsDue = false }
                deliver(.tlsFailed("handshake failure"))
            case 0xF4: deliver(.rawBytesArrived(cursor.uint16()))
            case 0xF5:
                deliver(
                    .tcpStatistics(
                        TCPStats(
                            rttMs: Double(cursor.byte()), rttVarianceMs: 1, minRTTMs: 0.5,
                            totalRetransmits: Int(cursor.byte()), lost: 0, segmentsOut: 10,
                            segmentsIn: 10, pathMTU: 1500, sendMSS: 1448)))
            case 0xF6: now += UInt64(cursor.uint16()) * ms
            default: deliver(.received(cursor.take(cursor.uint16())))
            }
        }
        var deadlines = 0
        while !machine.isFinished {
            deadlines += 1
            // The path sample sends a segment per deadline: at most 3000, then it settles.
            if deadlines > PathSampleMachine.maximumSegments + 16 { violated("deadlines do not end the machine") }
            now += 2000 * ms
            deliver(.deadline)
        }
        deliver(
            .tcpStatistics(
                TCPStats(
                    rttMs: 1, rttVarianceMs: 1, minRTTMs: 1, totalRetransmits: 0, lost: 0,
                    segmentsOut: 1, segmentsIn: 1, pathMTU: 1500, sendMSS: 1448)))
    }

    /// The TLS chain: the real leaf, or (when asked) a certificate read from the input.
    static func chain(_ mode: UInt8, _ cursor: inout Cursor) -> [[UInt8]] {
        switch mode % 4 {
        case 0, 1: return [leaf]
        case 2: return [cursor.take(cursor.uint16())]
        default: return []
        }
    }

    static let goals: [RDPProbeMachine.Goal] = [.asFarAsPossible, .serverData, .tlsHandshake, .negotiation]
    static let requests: [SecurityProtocols] = [CheckPlan.defaultClientProtocols, .rdp, .ssl, [.ssl, .hybrid]]

    // MARK: - Targets

    /// Byte 0: goal (bits 0–1), request (2–3), credentials (4), --logon (5),
    /// a failed connect (6), pinned leaf (7); byte 1: the TLS chain; then the script.
    static func probe(_ bytes: [UInt8]) {
        var cursor = Cursor(bytes)
        let mode = cursor.byte()
        let chainMode = cursor.byte()
        let credentials =
            mode & 0x10 == 0
            ? nil
            : CredentialSettings(
                user: "alice", domain: "CORP", password: "fuzz-password", sendCredentials: mode & 0x20 != 0,
                pinnedLeafSHA256: mode & 0x80 != 0 ? CertificateKey.sha256(ofDER: leaf) : nil)
        var machine = RDPProbeMachine(
            purpose: credentials == nil ? .defaultClient : .credentials,
            requested: requests[Int(mode >> 2) & 3], goal: goals[Int(mode) & 3],
            tls: TLSParameters(serverName: host), timeouts: timeouts, credentials: credentials)
        let peerChain = chain(chainMode, &cursor)
        var now = t0
        play(&machine, &cursor, now: &now, chain: peerChain, failConnect: mode & 0x40 != 0 ? chainMode >> 2 : nil)
        if machine.record.end == ConnectionEnd.timedOut(step: .tcp, waitingFor: .probeStart) {
            violated("probe: finished without saying how it ended")
        }
    }

    static func service(_ bytes: [UInt8]) {
        var cursor = Cursor(bytes)
        let mode = cursor.byte()
        var machine = ServiceProbeMachine(
            host: host, tls: TLSParameters(serverName: host), timeouts: timeouts,
            connectionID: "{00000000-0000-0000-0000-000000000000}")
        var now = t0
        play(&machine, &cursor, now: &now, chain: chain(mode, &cursor), failConnect: mode & 0x40 != 0 ? mode >> 4 : nil)
    }

    /// Byte 0: quick (bit 0), credentials (1), --logon (2), --insecure (3),
    /// a path sample (4), one connection at a time (5), pin (6); byte 1: the
    /// judgement of the certificate; then, per connection the coordinator
    /// launches (the one to run picked by a byte), its chain byte and its script.
    static func coordinator(_ bytes: [UInt8]) {
        var cursor = Cursor(bytes)
        let mode = cursor.byte()
        let judged = cursor.byte()
        let request =
            mode & 0x02 == 0
            ? nil
            : CredentialRequest(
                user: "alice", domain: "CORP", password: "fuzz-password", logon: mode & 0x04 != 0, insecure: mode & 0x08 != 0)
        let settings = CheckCoordinator.Settings(
            plan: CheckPlan(target: Target(host: host)), budgetMs: 5000, quick: mode & 0x01 != 0, credentials: request,
            pinnedLeafSHA256: mode & 0x40 != 0 ? CertificateKey.sha256(ofDER: leaf) : nil,
            pathSamples: mode & 0x10 != 0 ? 5 : 0, maximumSimultaneous: mode & 0x20 != 0 ? 1 : 3)
        var now = t0
        var coordinator = CheckCoordinator(settings, now: now)
        var open: [CheckCoordinator.Launch] = []
        var judging = false
        var finished = false
        func take(_ actions: [CheckCoordinator.Action]) {
            for action in actions {
                switch action {
                case .launch(let launch): open.append(launch)
                case .judgeCertificate: judging = true
                case .finished: finished = true
                }
            }
            if open.count > settings.maximumSimultaneous {
                violated("coordinator: \(open.count) connections open, the limit is \(settings.maximumSimultaneous)")
            }
            if finished, !open.isEmpty { violated("coordinator: finished with \(open.count) connections open") }
        }
        take(coordinator.start(now: now))
        var rounds = 0
        while !finished {
            rounds += 1
            if rounds > 200 { violated("coordinator: more than 200 connections") }
            if judging {
                judging = false
                take(coordinator.certificateJudged(CertificateJudgement(trusted: judged & 1 != 0, nameMatches: judged & 2 != 0), now: now))
                continue
            }
            guard !open.isEmpty else { break }
            let launch = open.remove(at: Int(cursor.byte()) % open.count)
            let chainMode = cursor.byte()
            let outcome: CheckCoordinator.Outcome
            switch launch.job {
            case .rdp(var machine):
                play(&machine, &cursor, now: &now, chain: chain(chainMode, &cursor), failConnect: nil)
                outcome = .rdp(machine.record)
            case .service(var machine):
                play(&machine, &cursor, now: &now, chain: chain(chainMode, &cursor), failConnect: nil)
                outcome = .service(machine.observation)
            case .pathSample(var machine):
                play(&machine, &cursor, now: &now, chain: [], failConnect: nil)
                outcome = .pathSample(machine.observation)
            }
            take(coordinator.ended(launch.id, outcome, now: now))
        }
    }

    /// Byte 0: attempts and the ISN; then events: 0x00–0xEF a datagram of the
    /// next op+1 bytes, 0xF0 deadline, 0xF1 port unreachable, 0xF2 failure,
    /// 0xF3 time up, 0xF4–0xFF a datagram with a 2-byte length.
    static func udp(_ bytes: [UInt8]) {
        var cursor = Cursor(bytes)
        let mode = cursor.byte()
        var machine = UDPProbeMachine(
            port: 3389, initialSequenceNumber: UInt32(mode) * 0x0101_0101,
            settings: UDPProbeSettings(attempts: Int(mode & 3) + 1))
        var now = t0
        func deliver(_ event: UDPProbeEvent) {
            let wasFinished = machine.isFinished
            let actions = machine.handle(event, now: now)
            if wasFinished, !actions.isEmpty { violated("udp: a finished machine acted") }
            if actions.contains(.close) != (machine.isFinished && !wasFinished) { violated("udp: close and finished disagree") }
        }
        deliver(.ready)
        while !machine.isFinished, !cursor.isAtEnd {
            now += ms
            let op = cursor.byte()
            switch op {
            case 0x00...0xEF: deliver(.received(cursor.take(Int(op) + 1)))
            case 0xF0: deliver(.deadline)
            case 0xF1: deliver(.portUnreachable)
            case 0xF2: deliver(.failed("no route"))
            case 0xF3: deliver(.timeUp)
            default: deliver(.received(cursor.take(cursor.uint16())))
            }
        }
        var deadlines = 0
        while !machine.isFinished {
            deadlines += 1
            if deadlines > 8 { violated("udp: deadlines do not end the machine") }
            now += 300 * ms
            deliver(.deadline)
        }
    }
}
