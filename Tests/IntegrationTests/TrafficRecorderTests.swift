import Capture
import Testing

@testable import Transport

/// The recorder's bounds and its rule for the account's connection, without a network.
@Suite("traffic recorder (check --capture)")
struct TrafficRecorderTests {
    static let client = Endpoint(address: IPAddressBytes([127, 0, 0, 1]), port: 40_000)
    static let server = Endpoint(address: IPAddressBytes([127, 0, 0, 1]), port: 3389)

    @Test("past the byte limit every later byte is counted, not kept; gaps in a row are one event; the file says it was capped")
    func byteLimit() throws {
        let recorder = TrafficRecorder(byteLimit: 100)
        let flow = recorder.open(.tcp, client: Self.client, server: Self.server, carriesAccount: false)
        recorder.record(flow, .clientToServer, .bytes(Array(repeating: 1, count: 60)), at: 1)
        recorder.record(flow, .clientToServer, .bytes(Array(repeating: 2, count: 60)), at: 2)
        recorder.record(flow, .clientToServer, .bytes(Array(repeating: 3, count: 30)), at: 3)
        recorder.record(flow, .serverToClient, .bytes([4]), at: 4)
        let recording = recorder.recording()
        #expect(
            recording.flows[0].events.map(\.happening) == [
                .bytes(Array(repeating: 1, count: 60)), .unrecorded(90), .unrecorded(1),
            ])
        #expect(recorder.bytesNotKept == 91)
        #expect(recording.notes.contains { $0.hasPrefix("Capped: 60 bytes kept, 91 more") }, "\(recording.notes)")
    }

    @Test("the account's connection keeps its bytes but not its TLS keys; the others' keys are kept")
    func accountKeysLeftOut() {
        let recorder = TrafficRecorder()
        let plain = recorder.open(.tcp, client: Self.client, server: Self.server, carriesAccount: false)
        let account = recorder.open(
            .tcp, client: Endpoint(address: Self.client.address, port: 40_001), server: Self.server,
            carriesAccount: true)
        recorder.keyLog(plain, "CLIENT_RANDOM aa bb")
        recorder.keyLog(account, "CLIENT_RANDOM cc dd")
        recorder.record(account, .clientToServer, .bytes([1, 2, 3]), at: 5)
        let recording = recorder.recording()
        #expect(recording.keyLog == "CLIENT_RANDOM aa bb\n")
        #expect(recording.flows[1].events.count == 1)
        #expect(recording.notes.contains { $0.contains("127.0.0.1:40001 -> 127.0.0.1:3389 carried an encrypted credential exchange") })
    }

    @Test("key log lines past the limit are dropped and counted")
    func keyLogLimit() {
        let recorder = TrafficRecorder()
        let flow = recorder.open(.tcp, client: Self.client, server: Self.server, carriesAccount: false)
        let line = String(repeating: "A", count: 1000)
        for _ in 0..<(TrafficRecorder.maximumKeyLogBytes / 1000 + 5) { recorder.keyLog(flow, line) }
        let recording = recorder.recording()
        #expect(recording.keyLog.utf8.count <= TrafficRecorder.maximumKeyLogBytes + 1000)
        #expect(recording.notes.contains { $0.contains("key log lines were past the limit") })
    }
}
