/// Opens a TCP connection, times it and closes: the reachability test of
/// each resolved address.
public struct ConnectOnlyMachine: ConnectionMachine {
    public private(set) var connectMs: Double?
    public private(set) var failure: ConnectFailure?
    private var startedAt: UInt64 = 0
    public private(set) var isFinished = false

    public init() {}

    public mutating func handle(_ event: ConnectionEvent, now: UInt64) -> [ConnectionAction] {
        switch event {
        case .connecting:
            startedAt = now
            return []
        case .connected:
            connectMs = Double(now - min(now, startedAt)) / 1_000_000
            isFinished = true
            return [.close]
        case .connectFailed(.resetAfterAccept):
            // Something accepted the connection: the address is reachable.
            connectMs = Double(now - min(now, startedAt)) / 1_000_000
            isFinished = true
            return []
        case .connectFailed(let reason):
            failure = reason
            isFinished = true
            return []
        case .deadline:
            if connectMs == nil { failure = .timedOut }
            isFinished = true
            return [.close]
        case .received, .tlsEstablished, .tlsFailed, .peerClosed, .rawBytesArrived, .tcpStatistics, .tunnelTLS, .second:
            return []
        }
    }
}
