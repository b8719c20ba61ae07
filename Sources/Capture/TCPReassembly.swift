// Rebuilds each TCP connection's two byte streams from captured segments, the
// way the endpoints saw them, and records what went wrong on the way:
// retransmissions, segments out of order, bytes the capture never saw (a gap
// is an observation, never a crash), zero windows, and who closed how.
// Memory is bounded: a stream keeps its first `streamLimit` bytes, a direction
// holds at most `maximumPending` early segments, at most `maximumFlows`
// connections are followed at once, and a connection is handed over (and
// dropped) as soon as it ends, so a capture of any length is read in bounded memory.

/// Which way a segment travels.
public enum FlowDirection: String, Sendable, Codable {
    case clientToServer = "client-to-server"
    case serverToClient = "server-to-client"
}

/// One direction of a connection, as reassembled.
public struct TCPDirection: Sendable, Equatable {
    /// The first `streamLimit` bytes, in order, up to the first gap.
    public internal(set) var stream: [UInt8] = []
    /// Every payload byte delivered in order (also those past the limit).
    public internal(set) var bytesDelivered = 0
    public internal(set) var segments = 0
    /// Segments whose bytes had all been seen before.
    public internal(set) var retransmissions = 0
    /// The largest payload among them.
    public internal(set) var largestRetransmitted = 0
    /// The largest payload delivered in order.
    public internal(set) var largestSegment = 0
    public internal(set) var outOfOrder = 0
    /// Bytes the capture never showed (skipped to go on, or missing at the end).
    public internal(set) var missingBytes = 0
    /// Where in the stream the first gap is, when there is one.
    public internal(set) var firstGapAt: Int?
    public internal(set) var zeroWindows = 0
    public internal(set) var finMicros: Int64?
    public internal(set) var resetMicros: Int64?
    public internal(set) var firstPayloadMicros: Int64?
    public internal(set) var lastPayloadMicros: Int64?
    /// MSS announced in this side's SYN.
    public internal(set) var announcedMSS: UInt16?
    /// When each in-order delivery began: (stream offset, time), for the first
    /// `maximumMarks` deliveries, so a position in `stream` has a time.
    public internal(set) var marks: [StreamMark] = []

    /// The time the byte at `offset` of the stream arrived, if it was marked.
    public func micros(atOffset offset: Int) -> Int64? {
        marks.last { $0.offset <= offset }?.micros
    }

    // Reassembly state.
    var base: UInt32?
    var next = 0
    var pending: [Int: [UInt8]] = [:]
}

/// Where in a stream a delivery began, and when.
public struct StreamMark: Sendable, Equatable {
    public let offset: Int
    public let micros: Int64
}

/// One TCP connection found in a capture.
public struct TCPConnection: Sendable, Equatable {
    public let client: Endpoint
    public let server: Endpoint
    /// Whether the capture holds the SYN (otherwise the roles are guessed from the ports).
    public internal(set) var handshakeSeen: Bool
    public internal(set) var firstMicros: Int64
    public internal(set) var lastMicros: Int64
    public internal(set) var synMicros: Int64?
    public internal(set) var synAckMicros: Int64?
    /// The client's ACK of the SYN+ACK.
    public internal(set) var handshakeAckMicros: Int64?
    public internal(set) var toServer = TCPDirection()
    public internal(set) var toClient = TCPDirection()

    /// The same connection without its bytes (streams, marks, early
    /// segments): what a report keeps once the bytes have been read.
    public func withoutBytes() -> TCPConnection {
        var copy = self
        for side in [\TCPConnection.toServer, \TCPConnection.toClient] {
            copy[keyPath: side].stream = []
            copy[keyPath: side].marks = []
            copy[keyPath: side].pending = [:]
        }
        return copy
    }

    /// The path round trip the handshake shows (SYN → SYN+ACK → ACK, seen from where the capture was taken).
    public var handshakeRTTMicros: Int64? {
        guard let syn = synMicros, let ack = handshakeAckMicros else { return nil }
        return ack - syn
    }

    public func direction(_ which: FlowDirection) -> TCPDirection {
        which == .clientToServer ? toServer : toClient
    }
}

public struct TCPReassembler: Sendable {
    public static let defaultStreamLimit = 256 * 1024
    public static let maximumPending = 64
    /// Connections followed at once (finished ones are handed over and dropped).
    public static let maximumFlows = 100_000
    public static let maximumMarks = 512
    /// Closed 4-tuples remembered, so their last ACKs start no new connection.
    static let maximumRecentlyClosed = 100_000

    public let streamLimit: Int
    private var live: [FlowKey: TCPConnection] = [:]
    private var recentlyClosed: Set<FlowKey> = []
    private var recentlyClosedOrder: [FlowKey] = []
    private var finished: [TCPConnection] = []
    /// Every connection seen, finished or not.
    public private(set) var connectionCount = 0
    /// Segments of connections beyond `maximumFlows`, not followed.
    public private(set) var ignoredSegments = 0

    struct FlowKey: Hashable, Sendable {
        let low: Endpoint
        let high: Endpoint

        init(_ a: Endpoint, _ b: Endpoint) {
            if (a.address, a.port) < (b.address, b.port) { low = a; high = b } else { low = b; high = a }
        }
    }

    public init(streamLimit: Int = TCPReassembler.defaultStreamLimit) {
        self.streamLimit = streamLimit
    }

    public mutating func add(_ segment: TCPSegment, atMicros time: Int64) {
        let key = FlowKey(segment.source, segment.destination)
        let opens = segment.flags.contains(.syn) && !segment.flags.contains(.ack)
        var found = live.index(forKey: key)
        if found == nil {
            // The last ACKs and retransmitted FINs of a closed connection are not a new one.
            if recentlyClosed.contains(key), !opens { return }
            guard live.count < Self.maximumFlows else { ignoredSegments += 1; return }
            live[key] = Self.newConnection(segment, time)
            connectionCount += 1
            found = live.index(forKey: key)
        }
        guard let index = found else { return }
        // Changed in place through the dictionary's values, found once: a copy
        // taken out and put back would copy the stream bytes on every segment.
        live.values[index].lastMicros = time
        Self.apply(segment, time, to: &live.values[index], limit: streamLimit)
        if Self.isClosed(&live.values[index]), var connection = live.removeValue(forKey: key) {
            remember(key)
            Self.flushPending(&connection.toServer, limit: streamLimit)
            Self.flushPending(&connection.toClient, limit: streamLimit)
            finished.append(connection)
        }
    }

    /// Connections that ended (a reset, or a FIN each way), in the order they ended.
    public mutating func takeFinished() -> [TCPConnection] {
        defer { finished = [] }
        return finished
    }

    /// Call at the end of the capture: every connection still open is handed
    /// over (early segments still waiting mean bytes the capture never showed).
    public mutating func finish() -> [TCPConnection] {
        var rest = takeFinished()
        for var connection in live.values.sorted(by: { $0.firstMicros < $1.firstMicros }) {
            Self.flushPending(&connection.toServer, limit: streamLimit)
            Self.flushPending(&connection.toClient, limit: streamLimit)
            rest.append(connection)
        }
        live = [:]
        return rest
    }

    /// inout only to read it where it lies (no copy of its streams).
    private static func isClosed(_ connection: inout TCPConnection) -> Bool {
        connection.toServer.resetMicros != nil || connection.toClient.resetMicros != nil
            || (connection.toServer.finMicros != nil && connection.toClient.finMicros != nil)
    }

    private mutating func remember(_ key: FlowKey) {
        if recentlyClosed.insert(key).inserted { recentlyClosedOrder.append(key) }
        if recentlyClosedOrder.count > Self.maximumRecentlyClosed {
            let drop = recentlyClosedOrder.count / 2
            for old in recentlyClosedOrder.prefix(drop) { recentlyClosed.remove(old) }
            recentlyClosedOrder.removeFirst(drop)
        }
    }

    private static func newConnection(_ segment: TCPSegment, _ time: Int64) -> TCPConnection {
        let syn = segment.flags.contains(.syn)
        let fromClient: Bool
        if syn {
            fromClient = !segment.flags.contains(.ack)
        } else {
            // Started before the capture: the well-known or lower port is the server.
            let sourcePort = segment.source.port
            let destinationPort = segment.destination.port
            fromClient = destinationPort == 3389 || (sourcePort != 3389 && destinationPort < sourcePort)
        }
        return TCPConnection(
            client: fromClient ? segment.source : segment.destination,
            server: fromClient ? segment.destination : segment.source,
            handshakeSeen: syn, firstMicros: time, lastMicros: time)
    }

    private static func apply(_ segment: TCPSegment, _ time: Int64, to connection: inout TCPConnection, limit: Int) {
        let fromClient = segment.source == connection.client
        if segment.flags.contains(.syn) {
            connection.handshakeSeen = true
            if fromClient, !segment.flags.contains(.ack) {
                connection.synMicros = connection.synMicros ?? time
            } else if !fromClient, segment.flags.contains(.ack) {
                connection.synAckMicros = connection.synAckMicros ?? time
            }
        } else if fromClient, connection.synAckMicros != nil, connection.handshakeAckMicros == nil,
            segment.flags.contains(.ack)
        {
            connection.handshakeAckMicros = time
        }
        if fromClient {
            receive(segment, time, into: &connection.toServer, limit: limit)
        } else {
            receive(segment, time, into: &connection.toClient, limit: limit)
        }
    }

    private static func receive(_ segment: TCPSegment, _ time: Int64, into direction: inout TCPDirection, limit: Int) {
        direction.segments += 1
        if segment.flags.contains(.syn) {
            direction.base = segment.sequence &+ 1
            direction.announcedMSS = segment.maximumSegmentSize ?? direction.announcedMSS
        }
        if segment.window == 0, !segment.flags.contains(.rst), !segment.flags.contains(.syn) { direction.zeroWindows += 1 }
        if segment.flags.contains(.rst) { direction.resetMicros = direction.resetMicros ?? time }
        if segment.flags.contains(.fin) { direction.finMicros = direction.finMicros ?? time }
        guard !segment.payload.isEmpty else { return }
        let base = direction.base ?? segment.sequence  // joined mid-stream: the first byte seen is offset 0
        direction.base = base
        let start = Int(segment.sequence &- base)  // relative, modulo 2^32
        let end = start + segment.payload.count
        if direction.firstPayloadMicros == nil { direction.firstPayloadMicros = time }
        direction.lastPayloadMicros = time
        if end <= direction.next {
            direction.retransmissions += 1
            direction.largestRetransmitted = max(direction.largestRetransmitted, segment.payload.count)
            return
        }
        if start > direction.next {
            direction.outOfOrder += 1
            if direction.pending[start] == nil || direction.pending[start]!.count < segment.payload.count {
                direction.pending[start] = segment.payload
            }
            if direction.pending.count > maximumPending { skipToPending(&direction, limit: limit) }
            return
        }
        if direction.marks.count < maximumMarks { direction.marks.append(StreamMark(offset: direction.next, micros: time)) }
        deliver(Array(segment.payload[(direction.next - start)...]), into: &direction, limit: limit)
        direction.largestSegment = max(direction.largestSegment, segment.payload.count)
        drainPending(&direction, limit: limit)
    }

    private static func deliver(_ bytes: [UInt8], into direction: inout TCPDirection, limit: Int) {
        if direction.firstGapAt == nil, direction.stream.count < limit {
            direction.stream.append(contentsOf: bytes.prefix(limit - direction.stream.count))
        }
        direction.bytesDelivered += bytes.count
        direction.next += bytes.count
    }

    private static func drainPending(_ direction: inout TCPDirection, limit: Int) {
        while let start = direction.pending.keys.filter({ $0 <= direction.next }).min() {
            let bytes = direction.pending.removeValue(forKey: start)!
            let end = start + bytes.count
            if end > direction.next { deliver(Array(bytes[(direction.next - start)...]), into: &direction, limit: limit) }
        }
    }

    /// Too much is waiting behind a hole: record the hole and go on after it.
    private static func skipToPending(_ direction: inout TCPDirection, limit: Int) {
        guard let start = direction.pending.keys.min(), start > direction.next else { return }
        direction.missingBytes += start - direction.next
        if direction.firstGapAt == nil { direction.firstGapAt = direction.next }
        direction.next = start
        drainPending(&direction, limit: limit)
    }

    private static func flushPending(_ direction: inout TCPDirection, limit: Int) {
        while !direction.pending.isEmpty { skipToPending(&direction, limit: limit) }
    }
}
