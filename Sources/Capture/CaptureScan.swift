// A whole capture, read chunk by chunk: the file records, the frames decoded
// to TCP and UDP, the TCP connections reassembled, and the TLS secrets a
// pcapng file may carry. Sans-IO: the caller reads the file and feeds bytes.

/// Datagrams between two UDP endpoints (RDP-UDP is judged from them).
public struct UDPFlow: Sendable, Equatable {
    public let first: Endpoint
    public let second: Endpoint
    public internal(set) var datagrams = 0
    /// The first datagram's payload each way (an RDP-UDP SYN and SYN+ACK are single datagrams).
    public internal(set) var firstPayloads: [Endpoint: [UInt8]] = [:]
}

/// What a capture holds besides its RDP connections (which `CaptureScan`
/// hands over one by one as they end).
public struct CaptureSummary: Sendable {
    public let packets: Int
    /// Frames that were not TCP or UDP over IP (or of a link type not read).
    public let otherFrames: Int
    /// TCP connections of any kind.
    public let tcpConnections: Int
    public let udpFlows: [UDPFlow]
    /// NSS key log lines from pcapng Decryption Secrets Blocks.
    public let keyLog: [UInt8]
    /// Segments of connections past the reassembler's limit.
    public let ignoredSegments: Int
}

public struct CaptureScan: Sendable {
    /// UDP flows followed at most.
    public static let maximumUDPFlows = 10_000
    /// Key log bytes kept at most.
    public static let maximumKeyLogBytes = 4 << 20

    private var file = CaptureFileReader()
    private var tcp: TCPReassembler
    private var udp: [UDPFlowKey: Int] = [:]
    private var udpFlows: [UDPFlow] = []
    private var keyLog: [UInt8] = []
    private var otherFrames = 0

    struct UDPFlowKey: Hashable, Sendable {
        let a: Endpoint
        let b: Endpoint
    }

    public init(streamLimit: Int = TCPReassembler.defaultStreamLimit) {
        tcp = TCPReassembler(streamLimit: streamLimit)
    }

    /// Reads every record the bytes so far complete.
    public mutating func feed(_ chunk: some Sequence<UInt8>) throws(CaptureError) {
        file.append(chunk)
        while let record = try file.next() {
            switch record {
            case .packet(let packet):
                switch PacketDecoder.decode(packet) {
                case .tcp(let segment)?: tcp.add(segment, atMicros: packet.timestampMicros)
                case .udp(let datagram)?: add(datagram)
                case nil: otherFrames += 1
                }
            case let .secrets(type, data):
                // 0x544c534b "TLSK": an NSS key log.
                if type == 0x544C_534B, keyLog.count + data.count <= Self.maximumKeyLogBytes {
                    keyLog += data
                    if data.last != UInt8(ascii: "\n") { keyLog.append(UInt8(ascii: "\n")) }
                }
            }
        }
    }

    /// The key log bytes read so far (a pcapng's Decryption Secrets Blocks
    /// usually come before the packets they decrypt).
    public var keyLogSoFar: [UInt8] { keyLog }

    /// The RDP connections that have ended since the last call; the others are
    /// only counted. Their memory goes with them.
    public mutating func takeFinishedRDP() -> [TCPConnection] {
        tcp.takeFinished().filter { RDPStart.isConnectionRequest($0.toServer.stream) }
    }

    /// Ends the capture: the RDP connections still open, the summary, and the
    /// reason the file could not be read to its end, if it could not.
    public mutating func finish() -> ([TCPConnection], CaptureSummary, CaptureError?) {
        var ending: CaptureError?
        do { try file.finish() } catch { ending = error }
        let rest = tcp.finish().filter { RDPStart.isConnectionRequest($0.toServer.stream) }
        let summary = CaptureSummary(
            packets: file.packetCount, otherFrames: otherFrames, tcpConnections: tcp.connectionCount,
            udpFlows: udpFlows, keyLog: keyLog, ignoredSegments: tcp.ignoredSegments)
        return (rest, summary, ending)
    }

    private mutating func add(_ datagram: UDPDatagram) {
        let ordered = (datagram.source.address, datagram.source.port) < (datagram.destination.address, datagram.destination.port)
        let key =
            ordered
            ? UDPFlowKey(a: datagram.source, b: datagram.destination)
            : UDPFlowKey(a: datagram.destination, b: datagram.source)
        let index: Int
        if let known = udp[key] {
            index = known
        } else {
            guard udpFlows.count < Self.maximumUDPFlows else { return }
            index = udpFlows.count
            udpFlows.append(UDPFlow(first: datagram.source, second: datagram.destination))
            udp[key] = index
        }
        udpFlows[index].datagrams += 1
        if udpFlows[index].firstPayloads[datagram.source] == nil {
            udpFlows[index].firstPayloads[datagram.source] = Array(datagram.payload.prefix(2048))
        }
    }
}

/// How an RDP connection starts on the wire.
enum RDPStart {
    /// TPKT version 3, then an X.224 Connection Request TPDU (code 0xE0).
    static func isConnectionRequest(_ stream: [UInt8]) -> Bool {
        stream.count >= 7 && stream[0] == 0x03 && stream[1] == 0x00 && stream[5] & 0xF0 == 0xE0
    }
}
