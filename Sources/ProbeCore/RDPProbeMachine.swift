import RDPProtocol
import RDPWire

/// One probe connection as a sans-IO state machine: it walks the RDP
/// connection sequence as far as its goal, records what the server did at
/// every step, and never reads a clock or a socket itself.
public struct RDPProbeMachine: ConnectionMachine {
    public enum Goal: Sendable, Equatable {
        /// Stop after the X.224 exchange.
        case negotiation
        /// Stop once TLS is up (or refused).
        case tlsHandshake
        /// Go on to the MCS Connect Response and read the server's data blocks.
        case serverData
        /// Walk as far as a client without credentials can.
        case asFarAsPossible
    }

    enum State: Sendable {
        case idle
        case connecting
        case awaitingConfirm
        case awaitingTLS(selected: SecurityProtocols)
        // Indirect: the stages are large, and a machine is copied into async frames.
        indirect case credssp(CredSSPStage)
        indirect case session(SessionStage)
        case finished
    }

    public internal(set) var record: ProbeRecord
    let requested: SecurityProtocols
    let goal: Goal
    let tlsParameters: TLSParameters
    let timeouts: StepTimeouts
    /// Only the default-client probe carries credentials, and only with --user.
    let credentials: CredentialSettings?
    var state: State = .idle
    var framer = TPKTFramer()
    /// Bytes that arrived before anything could be made of them (to name a non-RDP peer).
    var firstBytes: [UInt8] = []
    var connectStartedAt: UInt64 = 0
    var currentStep: Step = .tcp
    var waitingFor: Awaiting = .start
    /// Tests fix the Security Exchange's client random; otherwise it is random.
    var fixedClientRandom: [UInt8]?

    public init(
        purpose: ProbePurpose, requested: SecurityProtocols, goal: Goal,
        tls: TLSParameters, timeouts: StepTimeouts, credentials: CredentialSettings? = nil
    ) {
        self.credentials = credentials
        self.record = ProbeRecord(purpose: purpose, requestedProtocols: requested)
        self.record.stepDeadlineMs = timeouts.stepMs
        self.requested = requested
        self.goal = goal
        self.tlsParameters = tls
        self.timeouts = timeouts
    }

    public mutating func forceMSS(_ mss: Int) {
        record.forcedMSS = mss
    }

    public var isFinished: Bool {
        if case .finished = state { return true }
        return false
    }

    /// The account's connection (NTLM, and with --logon the credentials).
    public var carriesAccount: Bool { credentials != nil }

    public mutating func setAddress(_ address: String) {
        record.address = address
    }

    public mutating func handle(_ event: ConnectionEvent, now: UInt64) -> [ConnectionAction] {
        if case .tcpStatistics(let stats) = event {
            record.tcp = stats  // read just before the close, so also after the machine finished
            return []
        }
        guard !isFinished else { return [] }
        switch event {
        case .connecting:
            connectStartedAt = now
            state = .connecting
            begin(.tcp, waiting: .tcpConnection, now: now)
            return [.setDeadline(now + nanoseconds(timeouts.connectMs))]
        case .connectFailed(let failure):
            switch failure {
            case .refused: return finish(.refused, now: now)
            case .resetAfterAccept:
                endStep(now: now)
                begin(.x224, waiting: .connectionConfirm, now: now)
                return finish(.peerClosed(.reset, step: .x224, waitingFor: waitingFor), now: now)
            case .timedOut: return finish(.timedOut(step: .tcp, waitingFor: waitingFor), now: now)
            case .unreachable(let reason): return finish(.unreachable(reason), now: now)
            }
        case .connected:
            endStep(now: now)
            return sendConnectionRequest(now: now)
        case .received(let bytes):
            return received(bytes, now: now)
        case .tlsEstablished(let info):
            return tlsEstablished(info, now: now)
        case .tlsFailed(let reason):
            return finish(.tlsFailed(reason), now: now)
        case .peerClosed(let kind):
            if case let .credssp(stage) = state { _ = apply(stage.closed(), now: now) }
            if case .awaitingConfirm = state, let peer = PeerProtocol.bestGuess(firstBytes[...]), peer != .rdp {
                record.foreignService = ForeignService(peer)
            }
            return finish(.peerClosed(kind, step: currentStep, waitingFor: waitingFor), now: now)
        case .rawBytesArrived(let count):
            if let last = record.timings.indices.last, record.timings[last].durationMs == nil {
                record.timings[last].bytesReceived += count
                record.timings[last].lastByteMs = milliseconds(since: connectStartedAt, now: now) - record.timings[last].startMs
            }
            return []
        case .tcpStatistics(let stats):
            record.tcp = stats
            return []
        case .tunnelTLS, .second:
            // A tunnel's carrier turns these into .tlsEstablished/.received first.
            return []
        case .deadline:
            if case .awaitingConfirm = state, let peer = PeerProtocol.bestGuess(firstBytes[...]), peer != .rdp {
                record.foreignService = ForeignService(peer)
            }
            return finish(.timedOut(step: currentStep, waitingFor: waitingFor), now: now)
        }
    }

    // MARK: - X.224

    private mutating func sendConnectionRequest(now: UInt64) -> [ConnectionAction] {
        // The shadow server drops a request without the mstshash cookie.
        let request = X224ConnectionRequest(token: .cookie("rdpdoctor"), requestedProtocols: requested)
        guard let bytes = try? request.encode() else {
            return finish(.localError("could not encode the X.224 Connection Request"), now: now)
        }
        state = .awaitingConfirm
        begin(.x224, waiting: .connectionConfirm, now: now)
        return [.send(bytes), .setDeadline(now + nanoseconds(timeouts.stepMs))]
    }

    private mutating func received(_ bytes: [UInt8], now: UInt64) -> [ConnectionAction] {
        switch state {
        case .awaitingConfirm:
            return receivedBeforeTLS(bytes, now: now)
        case .awaitingTLS:
            // Plaintext after the confirm while TLS is due: refuse to read it as RDP.
            record.plaintextAfterConfirm = (record.plaintextAfterConfirm ?? 0) + bytes.count
            return []
        case .credssp(var stage):
            let outputs = stage.receive(bytes)
            state = .credssp(stage)
            return apply(outputs, now: now)
        case .session(var stage):
            let outputs = stage.receive(bytes)
            state = .session(stage)
            return apply(outputs, now: now)
        case .idle, .connecting, .finished:
            return []
        }
    }

    private mutating func receivedBeforeTLS(_ bytes: [UInt8], now: UInt64) -> [ConnectionAction] {
        if firstBytes.count < 32 { firstBytes += bytes.prefix(32 - firstBytes.count) }
        if let peer = PeerProtocol.identify(firstBytes[...]), peer != .rdp {
            record.foreignService = ForeignService(peer)
            record.unexpectedBytes = Hex.string(firstBytes, uppercase: false)
            record.banner = printableBanner(firstBytes)
            return finish(.protocolError(step: .x224, message: "the port answered with \(peer.name), not an X.224 Connection Confirm"), now: now)
        }
        framer.append(bytes)
        let frame: [UInt8]
        do {
            guard case let .frame(_, whole) = try framer.next() else { return [] }
            frame = whole
        } catch {
            record.unexpectedBytes = Hex.string(firstBytes, uppercase: false)
            return finish(.protocolError(step: .x224, message: error.description), now: now)
        }
        let confirm: X224ConnectionConfirm
        do {
            confirm = try X224ConnectionConfirm.decode(frame[...])
        } catch {
            // Some servers (xrdp) refuse a request by hanging up at the MCS level
            // instead of answering with a negotiation failure.
            if case let .disconnectProviderUltimatum(reason)? = try? MCSDomainPDU.decode(frame: frame[...]) {
                endStep(now: now)
                record.negotiation = .disconnected(reason: reason)
                return finish(.completed, now: now)
            }
            record.unexpectedBytes = Hex.string(frame.prefix(32), uppercase: false)
            return finish(.protocolError(step: .x224, message: error.description), now: now)
        }
        endStep(now: now)
        record.negotiation = NegotiationObservation(confirm.result)
        guard let selected = record.negotiation?.selectedProtocol else { return finish(.completed, now: now) }
        return afterNegotiation(selected: selected, now: now)
    }

    private mutating func afterNegotiation(selected: SecurityProtocols, now: UInt64) -> [ConnectionAction] {
        if goal == .negotiation { return finish(.completed, now: now) }
        if selected == .rdp {
            // Standard RDP security: no TLS; MCS follows on the plain connection.
            guard goal == .serverData || goal == .asFarAsPossible else { return finish(.completed, now: now) }
            return startSession(selected: selected, now: now)
        }
        if framer.bufferedCount > 0 { record.plaintextAfterConfirm = framer.bufferedCount }
        state = .awaitingTLS(selected: selected)
        begin(.tls, waiting: .tlsHandshake, now: now)
        return [.startTLS(tlsParameters), .setDeadline(now + nanoseconds(timeouts.stepMs))]
    }

    // MARK: - TLS

    private mutating func tlsEstablished(_ info: TLSSessionInfo, now: UInt64) -> [ConnectionAction] {
        guard case let .awaitingTLS(selected) = state else { return [] }
        record.tls = info
        endStep(now: now)
        switch goal {
        case .negotiation, .tlsHandshake:
            return finish(.completed, now: now)
        case .serverData:
            return startSession(selected: selected, now: now)
        case .asFarAsPossible:
            if !selected.isDisjoint(with: [.hybrid, .hybridEx]) {
                return startCredSSP(selected: selected, serverPublicKey: info.peerChain.first, now: now)
            }
            return startSession(selected: selected, now: now)
        }
    }

    // MARK: - Bookkeeping

    /// A step begins, waiting for `waiting`.
    mutating func begin(_ step: Step, waiting: Awaiting, now: UInt64) {
        currentStep = step
        waitingFor = waiting
        record.timings.append(StepTiming(step: step, startMs: milliseconds(since: connectStartedAt, now: now)))
    }

    /// A step has begun and not completed.
    var stepUnderWay: Bool {
        record.timings.last.map { $0.durationMs == nil } ?? false
    }

    mutating func endStep(now: UInt64) {
        guard let last = record.timings.indices.last, record.timings[last].durationMs == nil else { return }
        record.timings[last].durationMs = milliseconds(since: connectStartedAt, now: now) - record.timings[last].startMs
    }

    mutating func finish(_ end: ConnectionEnd, now: UInt64) -> [ConnectionAction] {
        record.end = end
        record.totalMs = milliseconds(since: connectStartedAt, now: now)
        state = .finished
        return [.close]
    }

    func deadline(now: UInt64) -> ConnectionAction {
        .setDeadline(now + nanoseconds(timeouts.stepMs))
    }

    func milliseconds(since start: UInt64, now: UInt64) -> Double {
        now >= start ? Double(now - start) / 1_000_000 : 0
    }

    func nanoseconds(_ ms: Double) -> UInt64 { UInt64(max(0, ms) * 1_000_000) }
}

/// The bytes as text when they are a printable line (an SSH or SMTP
/// greeting), so a report can quote them instead of showing hex.
func printableBanner(_ bytes: [UInt8]) -> String? {
    let line = bytes.prefix { $0 != 0x0D && $0 != 0x0A }
    guard line.count >= 3, line.allSatisfy({ (0x20...0x7E).contains($0) }) else { return nil }
    return String(decoding: line, as: UTF8.self)
}

extension ForeignService {
    init(_ peer: PeerProtocol) {
        switch peer {
        case .http: self = .http
        case .ssh: self = .ssh
        case .tls: self = .tls
        case .vnc: self = .vnc
        case .rdp, .unknown: self = .unknown
        }
    }
}
