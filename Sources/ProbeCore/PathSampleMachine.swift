/// Measures the path's loss and round trip on one TCP connection to the RDP
/// port: it announces a long TPKT frame, so the server's RDP code waits for the
/// rest, then sends small segments at a steady pace. The server's kernel
/// acknowledges each one; the kernel's TCP_INFO afterwards counts the
/// segments sent and retransmitted. No RDP request is ever completed.
public struct PathSampleMachine: ConnectionMachine {
    /// TPKT header announcing a 32000-byte frame (xrdp hangs up on larger ones).
    static let header: [UInt8] = [0x03, 0x00, 0x7D, 0x00]
    /// Payload per segment: N segments must fit in the announced frame.
    public static let maximumSegments = 3000
    static let segmentBytes = 10

    public private(set) var observation: PathSampleObservation
    let intervalMs: Double
    let settleMs: Double
    var startedAt: UInt64 = 0
    var connectedAt: UInt64 = 0
    var sending = false
    public private(set) var isFinished = false

    public init(segments: Int, intervalMs: Double = 1, settleMs: Double = 400) {
        observation = PathSampleObservation(planned: min(max(segments, 1), Self.maximumSegments))
        self.intervalMs = intervalMs
        self.settleMs = settleMs
    }

    public mutating func handle(_ event: ConnectionEvent, now: UInt64) -> [ConnectionAction] {
        if case .tcpStatistics(let stats) = event {
            observation.tcp = stats
            return []
        }
        guard !isFinished else { return [] }
        switch event {
        case .connecting:
            startedAt = now
            return []
        case .connected:
            connectedAt = now
            observation.connectMs = Double(now - min(now, startedAt)) / 1_000_000
            sending = true
            return [.send(Self.header), .setDeadline(now + nanoseconds(intervalMs))]
        case .deadline where sending:
            observation.sent += 1
            if observation.sent >= observation.planned {
                sending = false
                // Let the last acknowledgements (and any retransmissions) arrive.
                return [.send([UInt8](repeating: 0, count: Self.segmentBytes)), .setDeadline(now + nanoseconds(settleMs))]
            }
            return [.send([UInt8](repeating: 0, count: Self.segmentBytes)), .setDeadline(now + nanoseconds(intervalMs))]
        case .deadline:
            return finish(now: now, closedByPeer: false)
        case .connectFailed:
            isFinished = true
            return []
        case .peerClosed:
            return finish(now: now, closedByPeer: true)
        case .received, .tlsEstablished, .tlsFailed, .rawBytesArrived, .tcpStatistics, .tunnelTLS, .second:
            return []
        }
    }

    private mutating func finish(now: UInt64, closedByPeer: Bool) -> [ConnectionAction] {
        observation.closedByPeer = closedByPeer
        observation.durationMs = Double(now - min(now, connectedAt)) / 1_000_000
        isFinished = true
        return [.close]
    }

    private func nanoseconds(_ ms: Double) -> UInt64 { UInt64(ms * 1_000_000) }
}

/// What the path sample measured.
public struct PathSampleObservation: Codable, Sendable, Equatable {
    public let planned: Int
    public var sent = 0
    public var connectMs: Double?
    public var durationMs: Double?
    /// The server closed before the sample finished (it refused to wait).
    public var closedByPeer = false
    public var tcp: TCPStats?

    public init(planned: Int) {
        self.planned = planned
    }

    /// The share of data segments sent that never arrived: the loss estimate.
    public var lossRatio: Double? {
        lossCounts.map { Double($0.lost) / Double($0.sent) }
    }

    /// How the loss was counted. Where the kernel reports deliveries (Linux
    /// 4.18), data segments sent minus delivered: what never reached the server.
    /// Otherwise segments sent again over segments sent, which reads low on
    /// heavy loss because the kernel merges small lost segments when it
    /// retransmits them (in the network lab at 10 % loss, on a loaded machine:
    /// 0.076-0.101, against 0.094-0.108 from deliveries).
    public var lossCounts: (lost: Int, sent: Int, fromDeliveries: Bool)? {
        guard let tcp else { return nil }
        if let sent = tcp.dataSegmentsOut, let delivered = tcp.delivered, sent > 0 {
            return (max(0, sent - delivered), sent, true)
        }
        return tcp.segmentsOut > 0 ? (tcp.totalRetransmits, tcp.segmentsOut, false) : nil
    }
}
