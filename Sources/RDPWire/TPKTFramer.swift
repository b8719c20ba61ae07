/// Cuts the byte stream after TCP connect into whole PDUs.
///
/// Slow-path PDUs start with a TPKT header (RFC 1006 / T.123 section 8:
/// version 3, reserved, 16-bit big-endian length including the header).
/// Fast-path output PDUs (MS-RDPBCGR 2.2.9.1.2) start with a byte whose low two
/// bits are 0, followed by a 1- or 2-byte length. Fast-path only appears once
/// the connection is active, so it is recognised only when `acceptsFastPath`
/// is set; before that a non-TPKT byte means the peer is not an RDP server.
public struct TPKTFramer: Sendable {
    public enum FrameKind: Sendable, Equatable {
        case tpkt
        case fastPath
    }

    public enum Next: Sendable, Equatable {
        case needMore
        case frame(FrameKind, [UInt8])
    }

    /// The smallest TPKT that can carry anything: 4-byte header + 3-byte X.224 data TPDU.
    public static let minimumTPKTLength = 7
    static let pdu = "TPKT framing"

    /// Frames longer than this are refused (TPKT lengths are 16-bit; fast-path 15-bit).
    public var maximumFrameLength: Int
    public var acceptsFastPath: Bool

    private var buffer: [UInt8] = []
    private var start = 0

    public init(maximumFrameLength: Int = 0xFFFF, acceptsFastPath: Bool = false) {
        self.maximumFrameLength = maximumFrameLength
        self.acceptsFastPath = acceptsFastPath
    }

    /// Bytes received but not yet returned in a frame.
    public var bufferedCount: Int { buffer.count - start }

    public mutating func append(_ bytes: ArraySlice<UInt8>) {
        buffer.append(contentsOf: bytes)
    }

    public mutating func append(_ bytes: [UInt8]) {
        buffer.append(contentsOf: bytes)
    }

    /// Returns the next complete frame, `.needMore`, or throws when the stream
    /// cannot be RDP (the framer is then unusable; the connection is lost).
    public mutating func next() throws(WireError) -> Next {
        let pending = buffer[start...]
        guard let first = pending.first else { return .needMore }

        let length: Int
        let kind: FrameKind
        if first == 0x03 {
            guard pending.count >= 4 else { return .needMore }
            length = Int(pending[start + 2]) << 8 | Int(pending[start + 3])
            kind = .tpkt
            if length < Self.minimumTPKTLength {
                throw WireError(
                    .invalidField(reason: "\(length) is below the minimum of \(Self.minimumTPKTLength)"),
                    pdu: "TPKT header", field: "length")
            }
        } else if acceptsFastPath, first & 0x03 == 0 {
            guard pending.count >= 2 else { return .needMore }
            let length1 = pending[start + 1]
            var headerSize = 2
            if length1 & 0x80 != 0 {
                guard pending.count >= 3 else { return .needMore }
                length = Int(length1 & 0x7F) << 8 | Int(pending[start + 2])
                headerSize = 3
            } else {
                length = Int(length1)
            }
            kind = .fastPath
            if length < headerSize {
                throw WireError(
                    .invalidField(reason: "\(length) is shorter than its own \(headerSize)-byte header"),
                    pdu: "fast-path header", field: "length")
            }
        } else {
            guard let peer = PeerProtocol.identify(pending) else { return .needMore }
            throw WireError(.unexpectedProtocol(peer), pdu: Self.pdu, field: "first byte")
        }

        if length > maximumFrameLength {
            throw WireError(
                .tooLarge(value: length, limit: maximumFrameLength),
                pdu: kind == .tpkt ? "TPKT header" : "fast-path header", field: "length")
        }
        guard pending.count >= length else { return .needMore }
        let frame = Array(pending.prefix(length))
        start += length
        compact()
        return .frame(kind, frame)
    }

    /// Drops consumed bytes once they dominate the buffer, keeping memory
    /// proportional to what is pending.
    private mutating func compact() {
        if start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        } else if start >= 4096, start * 2 >= buffer.count {
            buffer.removeFirst(start)
            start = 0
        }
    }
}
