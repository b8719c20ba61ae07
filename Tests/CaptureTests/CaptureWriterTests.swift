import Testing

@testable import Capture

/// The pcapng writer, read back by the project's own reader: blocks, the key
/// log, and TCP segments whose sequence numbers follow the bytes.
@Suite("pcapng writer")
struct CaptureWriterTests {
    static let client = Endpoint(address: IPAddressBytes([127, 0, 0, 1]), port: 50_123)
    static let server = Endpoint(address: IPAddressBytes([127, 0, 0, 1]), port: 3389)
    /// A TPKT with an X.224 Connection Request: what makes the reader call it RDP.
    static let request: [UInt8] = [3, 0, 0, 11, 6, 0xE0, 0, 0, 0, 0, 0]

    static func flow(_ events: [FlowEvent], client: Endpoint = client, server: Endpoint = server) -> RecordedFlow {
        var flow = RecordedFlow(
            kind: .tcp, client: client, server: server, clientInitialSequence: 0xFFFF_FFFA,
            serverInitialSequence: 1000)
        flow.events = events
        return flow
    }

    static func records(_ bytes: [UInt8]) throws -> [CaptureRecord] {
        var reader = CaptureFileReader()
        reader.append(bytes)
        var records: [CaptureRecord] = []
        while let record = try reader.next() { records.append(record) }
        try reader.finish()
        return records
    }

    static func segments(_ records: [CaptureRecord]) -> [TCPSegment] {
        records.compactMap {
            guard case .packet(let packet) = $0, case .tcp(let segment)? = PacketDecoder.decode(packet) else { return nil }
            return segment
        }
    }

    @Test("handshake, data both ways, FIN: flags, sequence and acknowledgement numbers as TCP has them")
    func sequenceNumbers() throws {
        let answer: [UInt8] = [3, 0, 0, 19, 14, 0xD0, 0, 0, 0, 0, 0, 2, 0, 8, 0, 1, 0, 0, 0]
        var recording = TrafficRecording()
        recording.flows = [
            Self.flow([
                FlowEvent(micros: 1_000_000, direction: .clientToServer, .connecting),
                FlowEvent(micros: 1_000_250, direction: .serverToClient, .connected),
                FlowEvent(micros: 1_000_300, direction: .clientToServer, .bytes(Self.request)),
                FlowEvent(micros: 1_000_900, direction: .serverToClient, .bytes(answer)),
                FlowEvent(micros: 1_001_000, direction: .clientToServer, .fin),
                FlowEvent(micros: 1_001_200, direction: .serverToClient, .fin),
            ])
        ]
        let records = try Self.records(recording.pcapng(application: "test"))
        let segments = Self.segments(records)
        let summary = segments.map { "\($0.flags.rawValue) \($0.sequence) \($0.acknowledgement) \($0.payload.count)" }
        // SYN, SYN+ACK, ACK, client data, server data, FIN from each side; the client's
        // sequence numbers wrap past 2^32.
        #expect(
            summary == [
                "2 4294967290 0 0", "18 1000 4294967291 0", "16 4294967291 1001 0",
                "24 4294967291 1001 11", "24 1001 6 19", "17 6 1020 0", "17 1020 7 0",
            ])
        #expect(segments[3].payload == Self.request && segments[4].payload == answer)
        #expect(segments[3].source == Self.client && segments[4].source == Self.server)
        let times = records.compactMap { record -> Int64? in
            if case .packet(let packet) = record { return packet.timestampMicros } else { return nil }
        }
        #expect(times == [1_000_000, 1_000_250, 1_000_250, 1_000_300, 1_000_900, 1_001_000, 1_001_200])
    }

    @Test("the key log is a TLSK Decryption Secrets Block before the first packet; the notes are the section comment")
    func secretsBlock() throws {
        var recording = TrafficRecording()
        recording.keyLog = "CLIENT_RANDOM 00 11\n"
        recording.notes = ["one", "two"]
        recording.flows = [Self.flow([FlowEvent(micros: 5, direction: .clientToServer, .bytes(Self.request))])]
        let bytes = recording.pcapng(application: "test")
        let records = try Self.records(bytes)
        #expect(records.first == .secrets(type: 0x544C_534B, data: Array("CLIENT_RANDOM 00 11\n".utf8)))
        #expect(records.count == 5)  // the secrets, SYN, SYN+ACK, ACK, the data
        // The section header's opt_comment (code 1, length 7, "one\ntwo").
        #expect(Array(bytes[24..<35]) == [1, 0, 7, 0] + Array("one\ntwo".utf8))
        #expect(bytes.count % 4 == 0)
    }

    @Test("a stream larger than one IP packet is cut into segments the reader reassembles to the same bytes")
    func largeStreamIPv6() throws {
        let v6client = Endpoint(address: IPAddressBytes(Array(repeating: 0, count: 15) + [1]), port: 40_000)
        let v6server = Endpoint(address: IPAddressBytes(Array(repeating: 0, count: 15) + [1]), port: 3389)
        let big = Self.request + (0..<150_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        var recording = TrafficRecording()
        recording.flows = [
            Self.flow(
                [
                    FlowEvent(micros: 10, direction: .clientToServer, .bytes(big)),
                    FlowEvent(micros: 20, direction: .serverToClient, .reset),
                ], client: v6client, server: v6server)
        ]
        let bytes = recording.pcapng(application: "test")
        let segments = Self.segments(try Self.records(bytes))
        let data = segments.filter { !$0.payload.isEmpty }
        #expect(data.map(\.payload.count) == [65_475, 65_475, 150_011 - 2 * 65_475])
        #expect(data.allSatisfy { $0.payload.count <= PacketSynthesis.maximumTCPPayload(ipv6: true) })
        #expect(segments.last?.flags == [.rst, .ack])

        var scan = CaptureScan()
        try scan.feed(bytes)
        let finished = scan.takeFinishedRDP()
        let (rest, summary, ending) = scan.finish()
        #expect(ending == nil)
        let connection = try #require((finished + rest).first)
        #expect(connection.handshakeSeen)
        #expect(connection.toServer.stream == big)
        #expect(connection.toServer.retransmissions == 0 && connection.toServer.missingBytes == 0)
        #expect(connection.toClient.resetMicros == 20)
        #expect(summary.tcpConnections == 1)
    }

    @Test("bytes left out by the cap move the sequence on, so the reader sees a gap, not other bytes")
    func unrecordedBytes() throws {
        var recording = TrafficRecording()
        recording.flows = [
            Self.flow([
                FlowEvent(micros: 1, direction: .clientToServer, .bytes(Self.request)),
                FlowEvent(micros: 2, direction: .clientToServer, .unrecorded(500)),
                FlowEvent(micros: 3, direction: .clientToServer, .bytes([9, 9])),
            ])
        ]
        let data = Self.segments(try Self.records(recording.pcapng(application: "test"))).filter { !$0.payload.isEmpty }
        #expect(data.count == 2)
        #expect(data[1].sequence &- data[0].sequence == UInt32(Self.request.count + 500))
    }

    @Test("UDP datagrams keep their direction and bytes")
    func udp() throws {
        var flow = RecordedFlow(kind: .udp, client: Self.client, server: Self.server)
        flow.events = [
            FlowEvent(micros: 1, direction: .clientToServer, .bytes([1, 2, 3])),
            FlowEvent(micros: 2, direction: .serverToClient, .bytes([4])),
        ]
        var recording = TrafficRecording()
        recording.flows = [flow]
        let datagrams = try Self.records(recording.pcapng(application: "test")).compactMap { record -> UDPDatagram? in
            guard case .packet(let packet) = record, case .udp(let datagram)? = PacketDecoder.decode(packet) else { return nil }
            return datagram
        }
        #expect(datagrams.map(\.payload) == [[1, 2, 3], [4]])
        #expect(datagrams.map(\.source) == [Self.client, Self.server])
    }

    @Test("IP and TCP checksums verify (the sum over each, checksum included, is all ones)")
    func checksums() {
        let packet = PacketSynthesis.tcp(
            from: Self.client, to: Self.server, sequence: 7, acknowledgement: 9,
            flags: [.psh, .ack], payload: [1, 2, 3][...])
        #expect(PacketSynthesis.checksum(packet[0..<20]) == 0)
        let pseudo: [UInt8] = [127, 0, 0, 1, 127, 0, 0, 1, 0, 6, 0, UInt8(packet.count - 20)]
        #expect(PacketSynthesis.checksum(pseudo[...], packet[20...]) == 0)
    }

    @Test("packets of several flows are merged in time order")
    func merged() throws {
        var recording = TrafficRecording()
        let other = Endpoint(address: IPAddressBytes([127, 0, 0, 1]), port: 50_124)
        recording.flows = [
            Self.flow([FlowEvent(micros: 30, direction: .clientToServer, .bytes(Self.request))]),
            Self.flow([FlowEvent(micros: 10, direction: .clientToServer, .bytes(Self.request))], client: other),
        ]
        let ports = Self.segments(try Self.records(recording.pcapng(application: "test"))).map(\.source.port)
        #expect(ports == [50_124, 3389, 50_124, 50_124, 50_123, 3389, 50_123, 50_123])
    }
}
