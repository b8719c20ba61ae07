// What a program saw on its own sockets (bytes as sent and received, when, and
// how each connection ended), and the pcapng file that shows it as packets. The
// TCP and IP headers are made up from that: a handshake, segments whose
// sequence numbers follow the bytes, FIN or RST as seen. Pure: the transport
// records, the command line writes the file.

/// One thing seen on a recorded connection.
public struct FlowEvent: Sendable, Equatable {
    public enum Happening: Sendable, Equatable {
        /// The client began connecting (its SYN).
        case connecting
        /// The connection is up (SYN+ACK and the client's ACK).
        case connected
        /// Bytes, as they went over the wire (before TLS decryption).
        case bytes([UInt8])
        /// This many bytes went by but were not kept (the recording's cap).
        case unrecorded(Int)
        case fin
        case reset
    }

    /// Microseconds since the Unix epoch.
    public let micros: Int64
    public let direction: FlowDirection
    public let happening: Happening

    public init(micros: Int64, direction: FlowDirection, _ happening: Happening) {
        self.micros = micros
        self.direction = direction
        self.happening = happening
    }
}

/// One recorded TCP connection or UDP exchange.
public struct RecordedFlow: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case tcp
        case udp
    }

    public let kind: Kind
    public let client: Endpoint
    public let server: Endpoint
    public var events: [FlowEvent] = []
    /// The synthesized TCP's initial sequence numbers.
    public let clientInitialSequence: UInt32
    public let serverInitialSequence: UInt32

    public init(
        kind: Kind, client: Endpoint, server: Endpoint, clientInitialSequence: UInt32 = 0,
        serverInitialSequence: UInt32 = 0
    ) {
        self.kind = kind
        self.client = client
        self.server = server
        self.clientInitialSequence = clientInitialSequence
        self.serverInitialSequence = serverInitialSequence
    }
}

/// The connections of a recording, their TLS keys and what the file should say about itself.
public struct TrafficRecording: Sendable, Equatable {
    public var flows: [RecordedFlow] = []
    /// NSS key log text (SSLKEYLOGFILE's format), one line per secret.
    public var keyLog: String = ""
    /// Sentences for the section header's comment (keys left out, bytes not kept).
    public var notes: [String] = []

    public init() {}

    /// The recording as a pcapng file: the section header (with the notes), one
    /// raw-IP interface, the key log in a Decryption Secrets Block before every
    /// packet, then the packets of all flows in time order.
    public func pcapng(application: String) -> [UInt8] {
        var out = PcapngWriter.sectionHeader(
            comment: notes.isEmpty ? nil : notes.joined(separator: "\n"),
            application: application)
        out += PcapngWriter.interfaceDescription(linkType: .raw, name: "rdpdoctor")
        if !keyLog.isEmpty {
            out += PcapngWriter.decryptionSecrets(type: PcapngWriter.tlsKeyLogSecrets, data: Array(keyLog.utf8))
        }
        for packet in packets() {
            out += PcapngWriter.enhancedPacket(interface: 0, timestampMicros: packet.micros, data: packet.data)
        }
        return out
    }

    /// Every flow's packets, merged by time (a flow's own order kept on ties).
    func packets() -> [(micros: Int64, data: [UInt8])] {
        var all: [(micros: Int64, flow: Int, index: Int, data: [UInt8])] = []
        for (flowIndex, flow) in flows.enumerated() {
            let packets = flow.kind == .tcp ? TCPSynthesizer(flow).packets() : UDPSynthesizer.packets(flow)
            for (index, packet) in packets.enumerated() {
                all.append((packet.micros, flowIndex, index, packet.data))
            }
        }
        all.sort { ($0.micros, $0.flow, $0.index) < ($1.micros, $1.flow, $1.index) }
        return all.map { ($0.micros, $0.data) }
    }
}

/// A recorded TCP connection's events as segments.
struct TCPSynthesizer {
    let flow: RecordedFlow
    /// The next sequence number each side sends.
    private var next: [FlowDirection: UInt32]
    private var handshakeSent = false
    private var established = false
    private var out: [(micros: Int64, data: [UInt8])] = []

    init(_ flow: RecordedFlow) {
        self.flow = flow
        next = [.clientToServer: flow.clientInitialSequence, .serverToClient: flow.serverInitialSequence]
    }

    func packets() -> [(micros: Int64, data: [UInt8])] {
        var synthesizer = self
        for event in flow.events { synthesizer.add(event) }
        return synthesizer.out
    }

    private mutating func add(_ event: FlowEvent) {
        let at = event.micros
        switch event.happening {
        case .connecting:
            syn(at)
            return
        case .connected:
            syn(at)
            synAck(at)
            return
        default:
            // A connection seen only from its first bytes still starts with a handshake.
            syn(at)
            synAck(at)
        }
        let side = event.direction
        switch event.happening {
        case .bytes(let bytes):
            let largest = PacketSynthesis.maximumTCPPayload(ipv6: flow.client.address.isIPv6)
            var start = bytes.startIndex
            while start < bytes.endIndex {
                let end = min(bytes.endIndex, start + largest)
                segment(side, [.psh, .ack], at, payload: bytes[start..<end])
                start = end
            }
        case .unrecorded(let count):
            next[side, default: 0] &+= UInt32(truncatingIfNeeded: count)
        case .fin:
            segment(side, [.fin, .ack], at)
            next[side, default: 0] &+= 1
        case .reset:
            segment(side, [.rst, .ack], at)
        case .connecting, .connected:
            break
        }
    }

    private mutating func syn(_ at: Int64) {
        guard !handshakeSent else { return }
        handshakeSent = true
        segment(.clientToServer, [.syn], at, acknowledgement: 0)
        next[.clientToServer, default: 0] &+= 1
    }

    private mutating func synAck(_ at: Int64) {
        guard !established else { return }
        established = true
        segment(.serverToClient, [.syn, .ack], at)
        next[.serverToClient, default: 0] &+= 1
        segment(.clientToServer, [.ack], at)
    }

    private mutating func segment(
        _ side: FlowDirection, _ flags: TCPFlags, _ at: Int64,
        acknowledgement: UInt32? = nil, payload: ArraySlice<UInt8> = []
    ) {
        let other: FlowDirection = side == .clientToServer ? .serverToClient : .clientToServer
        let (source, destination) = side == .clientToServer ? (flow.client, flow.server) : (flow.server, flow.client)
        let data = PacketSynthesis.tcp(
            from: source, to: destination, sequence: next[side] ?? 0,
            acknowledgement: acknowledgement ?? next[other] ?? 0, flags: flags, payload: payload)
        if !payload.isEmpty { next[side, default: 0] &+= UInt32(payload.count) }
        out.append((at, data))
    }
}

/// A recorded UDP exchange's datagrams.
enum UDPSynthesizer {
    static func packets(_ flow: RecordedFlow) -> [(micros: Int64, data: [UInt8])] {
        let largest = PacketSynthesis.maximumUDPPayload(ipv6: flow.client.address.isIPv6)
        return flow.events.compactMap { event in
            guard case .bytes(let bytes) = event.happening else { return nil }
            let (source, destination) = event.direction == .clientToServer ? (flow.client, flow.server) : (flow.server, flow.client)
            return (event.micros, PacketSynthesis.udp(from: source, to: destination, payload: bytes.prefix(largest)))
        }
    }
}
