import RDPProtocol
import RDPWire

/// How the UDP probe retransmits. MS-RDPEUDP 3.1.5.2 has a client give up after
/// three to five retransmissions (Windows: three, 800 ms apart); a probe inside a
/// check's time budget uses shorter gaps, the version-2 minimum retransmit
/// time-out of 300 ms (3.1.6.1), which no RDP server on a sane path exceeds.
public struct UDPProbeSettings: Sendable, Equatable {
    /// SYN datagrams sent in all, the first included.
    public var attempts: Int
    /// Time between sends, and waited after the last send before giving up.
    public var retransmitMs: Double
    public var receiveWindowSize: UInt16
    /// Offered in SYNDATAEX; version 3 is left out because it needs the TCP connection's cookie hash.
    public var offeredVersion: RDPUDPProtocolVersion?

    public init(
        attempts: Int = 3, retransmitMs: Double = 300, receiveWindowSize: UInt16 = 64,
        offeredVersion: RDPUDPProtocolVersion? = .version2
    ) {
        self.attempts = max(1, attempts)
        self.retransmitMs = max(1, retransmitMs)
        self.receiveWindowSize = receiveWindowSize
        self.offeredVersion = offeredVersion
    }

    /// How long the probe lasts when nothing answers.
    public var totalMs: Double { Double(attempts) * retransmitMs }
}

/// Socket happenings the transport reports to the UDP probe.
public enum UDPProbeEvent: Sendable, Equatable {
    /// The datagram socket is bound and connected to the target: send now.
    case ready
    case received([UInt8])
    /// ECONNREFUSED on the connected socket: an ICMP port unreachable came back.
    case portUnreachable
    /// The socket could not be opened or a send failed (no route, host unreachable…).
    case failed(String)
    /// The time last asked for with `.setDeadline` has come.
    case deadline
    /// The whole check's time is up: stop, whatever the retransmission schedule.
    case timeUp
}

public enum UDPProbeAction: Sendable, Equatable {
    case send([UInt8])
    /// Deliver `.deadline` at this monotonic time (replaces any earlier one).
    case setDeadline(UInt64)
    case close
}

/// Sans-IO RDP-UDP probe: sends the SYN, retransmits it on a schedule, reads
/// the first datagram that comes back, and records a `UDPObservation`.
/// Times are monotonic nanoseconds supplied by the caller.
public struct UDPProbeMachine: Sendable {
    public let settings: UDPProbeSettings
    /// The SYN, padded to 1232 bytes as 3.1.5.1.1 requires; the same bytes on every retransmission.
    public let syn: [UInt8]
    public let initialSequenceNumber: UInt32
    public private(set) var observation: UDPObservation
    public private(set) var isFinished = false
    private var firstSentAt: UInt64?
    private var lastSentAt: UInt64?

    /// `initialSequenceNumber` should be random (3.1.5.1.1); tests pass a fixed one.
    public init(port: UInt16, initialSequenceNumber: UInt32, settings: UDPProbeSettings = .init()) {
        self.settings = settings
        self.initialSequenceNumber = initialSequenceNumber
        let datagram = RDPUDPSynDatagram.clientSYN(
            initialSequenceNumber: initialSequenceNumber,
            receiveWindowSize: settings.receiveWindowSize,
            version: settings.offeredVersion)
        // The fixed MTU and absent cookie hash leave nothing encode() can refuse.
        self.syn = (try? datagram.encode()) ?? []
        self.observation = UDPObservation(port: port)
        self.observation.offeredVersion = settings.offeredVersion?.rawValue
    }

    /// Records where the SYN goes; the transport calls it before running the probe.
    public mutating func setAddress(_ address: String) {
        observation.address = address
    }

    public mutating func handle(_ event: UDPProbeEvent, now: UInt64) -> [UDPProbeAction] {
        guard !isFinished else { return [] }
        switch event {
        case .ready:
            return sendSYN(now: now)
        case .deadline:
            if observation.attempts < settings.attempts { return sendSYN(now: now) }
            return finish(.noAnswer, now: now)
        case .timeUp:
            return finish(.noAnswer, now: now)
        case .portUnreachable:
            return finish(.icmpUnreachable, now: now)
        case .failed(let reason):
            return finish(.unreachable(reason), now: now)
        case .received(let bytes):
            return answer(bytes, now: now)
        }
    }

    private mutating func sendSYN(now: UInt64) -> [UDPProbeAction] {
        if firstSentAt == nil { firstSentAt = now }
        lastSentAt = now
        observation.attempts += 1
        return [.send(syn), .setDeadline(now + UInt64(settings.retransmitMs * 1_000_000))]
    }

    /// The first datagram decides: on a connected socket only the target can
    /// send to us, so anything that is not our SYN+ACK is the target misbehaving.
    private mutating func answer(_ bytes: [UInt8], now: UInt64) -> [UDPProbeAction] {
        observation.answerLength = bytes.count
        observation.answerPrefix = HexBytes(Array(bytes.prefix(64)))
        if let sent = lastSentAt { observation.rttMs = Self.ms(now - min(now, sent)) }
        let synAck: RDPUDPSynDatagram
        do {
            synAck = try RDPUDPSynDatagram.decodeSynAck(bytes[...])
        } catch {
            return finish(.malformed(String(describing: error)), now: now)
        }
        observation.server = UDPServerParameters(synAck)
        guard synAck.sourceAck == initialSequenceNumber else {
            return finish(
                .malformed(
                    "RDP-UDP SYN+ACK datagram: snSourceAck \(hexString(synAck.sourceAck)) does not "
                        + "acknowledge our snInitialSequenceNumber \(hexString(initialSequenceNumber))"),
                now: now)
        }
        return finish(.synAck, now: now)
    }

    private mutating func finish(_ outcome: UDPObservation.Outcome, now: UInt64) -> [UDPProbeAction] {
        observation.outcome = outcome
        if let first = firstSentAt { observation.elapsedMs = Self.ms(now - min(now, first)) }
        isFinished = true
        return [.close]
    }

    static func ms(_ nanoseconds: UInt64) -> Double { Double(nanoseconds) / 1_000_000 }
}
