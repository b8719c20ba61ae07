import Capture
import NIOConcurrencyHelpers
import NIOCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Records a check's connections for `check --capture`: the bytes each socket
/// sent and received (TLS records as they were on the wire), when, how each
/// ended, and the TLS keys NIOSSL logged. Shared by every connection of a check
/// (one lock); a check without it records nothing and pays nothing.
///
/// Bounded: at most `byteLimit` payload bytes and `eventLimit` events are kept;
/// past them the sequence numbers still count what went by, and the file says so.
/// A connection that may carry something derived from the password (the
/// account's NTLM exchange, --logon's credentials) keeps its bytes, which stay
/// encrypted: its TLS keys are left out, and the file says so.
public final class TrafficRecorder: Sendable {
    public static let defaultByteLimit = 16 << 20
    public static let defaultEventLimit = 200_000
    /// Key log text kept at most (a connection logs about 400 bytes).
    public static let maximumKeyLogBytes = 256 << 10

    struct Flow {
        var recorded: RecordedFlow
        var keyLog: [String] = []
        var carriesAccount: Bool
    }

    struct State {
        var flows: [Flow] = []
        var bytesKept = 0
        var bytesNotKept = 0
        var full = false
        var events = 0
        var keyLogBytes = 0
        var keyLinesDropped = 0
    }

    private let state = NIOLockedValueBox(State())
    private let byteLimit: Int
    private let eventLimit: Int
    /// Wall-clock microseconds at `startUptime`: packet times follow the monotonic clock from there.
    private let startWallMicros: Int64
    private let startUptime: UInt64

    public init(byteLimit: Int = defaultByteLimit, eventLimit: Int = defaultEventLimit) {
        self.byteLimit = byteLimit
        self.eventLimit = eventLimit
        startWallMicros = Int64(Date().timeIntervalSince1970 * 1_000_000)
        startUptime = NIODeadline.now().uptimeNanoseconds
    }

    /// The wall-clock time of a monotonic reading, in microseconds since the epoch.
    func micros(_ uptime: UInt64 = NIODeadline.now().uptimeNanoseconds) -> Int64 {
        startWallMicros + (Int64(truncatingIfNeeded: uptime) - Int64(truncatingIfNeeded: startUptime)) / 1000
    }

    /// A new flow between `client` and `server`; its number for `record`.
    func open(_ kind: RecordedFlow.Kind, client: Endpoint, server: Endpoint, carriesAccount: Bool) -> Int {
        let flow = RecordedFlow(
            kind: kind, client: client, server: server,
            clientInitialSequence: .random(in: .min ... .max),
            serverInitialSequence: .random(in: .min ... .max))
        return state.withLockedValue { state in
            state.flows.append(Flow(recorded: flow, carriesAccount: carriesAccount))
            return state.flows.count - 1
        }
    }

    /// Adds what flow `index` saw; bytes past the limits are counted, not kept.
    func record(_ index: Int, _ direction: FlowDirection, _ happening: FlowEvent.Happening, at micros: Int64) {
        state.withLockedValue { state in
            guard state.flows.indices.contains(index) else { return }
            var happening = happening
            // Once full, it stays full: the file holds the first bytes of the check, then gaps.
            if case .bytes(let bytes) = happening,
                state.full || state.bytesKept + bytes.count > byteLimit || state.events >= eventLimit
            {
                state.full = true
                state.bytesNotKept += bytes.count
                happening = .unrecorded(bytes.count)
            }
            if case .bytes(let bytes) = happening { state.bytesKept += bytes.count }
            // Bytes not kept in a row are one gap: the event count stays bounded.
            if case .unrecorded(let count) = happening, let last = state.flows[index].recorded.events.last,
                last.direction == direction, case .unrecorded(let before) = last.happening
            {
                state.flows[index].recorded.events[state.flows[index].recorded.events.count - 1] =
                    FlowEvent(micros: last.micros, direction: direction, .unrecorded(before + count))
                return
            }
            state.events += 1
            state.flows[index].recorded.events.append(FlowEvent(micros: micros, direction: direction, happening))
        }
    }

    /// A line NIOSSL logged for flow `index` (its TLS session's secrets).
    func keyLog(_ index: Int, _ line: String) {
        state.withLockedValue { state in
            guard state.flows.indices.contains(index) else { return }
            guard state.keyLogBytes + line.utf8.count <= Self.maximumKeyLogBytes else {
                state.keyLinesDropped += 1
                return
            }
            state.keyLogBytes += line.utf8.count
            state.flows[index].keyLog.append(line)
        }
    }

    /// What was recorded so far, with the key log of every connection that
    /// carried nothing of the account, and notes on what was left out.
    public func recording() -> TrafficRecording {
        let state = state.withLockedValue { $0 }
        var recording = TrafficRecording()
        recording.flows = state.flows.map(\.recorded)
        recording.keyLog = state.flows.filter { !$0.carriesAccount }.flatMap(\.keyLog).map { $0 + "\n" }.joined()
        recording.notes = [
            "Recorded by rdpdoctor check: each connection's bytes as its socket sent and received "
                + "them (TLS records as on the wire); IP and TCP headers are made up from them."
        ]
        for flow in state.flows where flow.carriesAccount {
            recording.notes.append(
                "The connection \(flow.recorded.client) -> \(flow.recorded.server) carried an "
                    + "encrypted credential exchange (NTLM with the account, and with --logon its credentials); its TLS keys "
                    + "are left out, so it stays encrypted.")
        }
        if state.bytesNotKept > 0 {
            recording.notes.append(
                "Capped: \(state.bytesKept) bytes kept, \(state.bytesNotKept) more not recorded "
                    + "(the sequence numbers skip them).")
        }
        if state.keyLinesDropped > 0 {
            recording.notes.append("\(state.keyLinesDropped) TLS key log lines were past the limit and left out.")
        }
        return recording
    }

    /// The bytes of payload that went by but were not kept.
    public var bytesNotKept: Int { state.withLockedValue { $0.bytesNotKept } }
}

extension Endpoint {
    /// The address and port of a socket address (nil for a Unix socket).
    init?(_ address: SocketAddress?) {
        guard let address, let port = address.port else { return nil }
        switch address {
        case .v4(let v4):
            let bytes = withUnsafeBytes(of: v4.address.sin_addr) { Array($0) }
            self.init(address: IPAddressBytes(bytes), port: UInt16(port))
        case .v6(let v6):
            let bytes = withUnsafeBytes(of: v6.address.sin6_addr) { Array($0) }
            self.init(address: IPAddressBytes(bytes), port: UInt16(port))
        case .unixDomainSocket:
            return nil
        }
    }
}
