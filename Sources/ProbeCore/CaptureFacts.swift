/// What only a packet capture shows about a connection (`rdpdoctor analyze`):
/// the TCP view from where the capture was taken. A live check has none.
public struct CaptureFacts: Codable, Sendable, Equatable {
    public enum Side: String, Codable, Sendable {
        case client, server
    }

    /// One direction's TCP trouble.
    public struct Direction: Codable, Sendable, Equatable {
        public var retransmissions = 0
        public var largestRetransmitted = 0
        public var outOfOrder = 0
        /// Bytes the capture never showed (dropped by the capture, or by the path before it).
        public var missingBytes = 0
        public var zeroWindows = 0
        public var announcedMSS: Int?

        public init() {}
    }

    /// Who ended the connection first, how, and when (ms after the start); nil when the capture ends first.
    public var closedBy: Side?
    public var closeKind: CloseKind?
    public var closedAtMs: Double?
    /// The quiet time before that close (since the last byte either way).
    public var idleBeforeCloseMs: Double?
    public var handshakeSeen = true
    public var fromClient = Direction()
    public var fromServer = Direction()

    public init() {}
}
