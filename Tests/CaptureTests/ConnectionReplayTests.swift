import Testing
@testable import Capture
@testable import CaptureAnalysis
import ProbeCore

@Suite("a captured connection, replayed as observations")
struct ConnectionReplayTests {
    static func connection(_ frames: [Frame]) throws -> TCPConnection {
        var scan = CaptureScan()
        try scan.feed(CaptureBuilder.pcap(linkType: 1, frames))
        return try #require(scan.finish().0.rdpConnections.first)
    }

    @Test("request, TLS selected, then the server resets: the close is the server's, during TLS")
    func serverResetDuringTLS() throws {
        let story = ConnectionReplay.replay(try Self.connection(Conversation.frames()))
        #expect(story.record.requestedProtocols == 0x3)
        #expect(story.record.negotiation == .selected(protocol: 1, flags: 1))
        #expect(story.record.end == .peerClosed(.reset, step: .tls, waitingFor: "the TLS handshake"))
        #expect(story.closedBy == .server)
        #expect(story.closeKind == .reset)
        #expect(story.record.timings.first { $0.step == .tcp }?.durationMs == 0.5)
        #expect(story.record.timings.first { $0.step == .x224 }?.durationMs == 1.0)
    }

    @Test("a negotiation failure is the server's answer")
    func negotiationFailure() throws {
        var frames = Conversation.frames()
        var failure = Conversation.confirm
        failure[11] = 0x03  // RDP_NEG_FAILURE
        failure[15] = 0x05  // HYBRID_REQUIRED_BY_SERVER
        frames[4] = Frame(micros: 1_003_000, bytes: Conversation.down(CaptureBuilder.tcp(3389, 50000, seq: 901, ack: 120, flags: 0x18, payload: failure)))
        let story = ConnectionReplay.replay(try Self.connection(frames))
        #expect(story.record.negotiation == .failure(code: 5))
        #expect(story.record.end == .completed)
    }

    @Test("a server alert in clear fails the TLS step with its name")
    func serverAlert() throws {
        typealias B = CaptureBuilder
        var frames = Conversation.frames()
        let hello: [UInt8] = [0x16, 0x03, 0x01, 0x00, 0x2D, 0x01, 0x00, 0x00, 0x29, 0x03, 0x03] + [UInt8](repeating: 7, count: 32)
            + [0x00, 0x00, 0x02, 0x13, 0x01, 0x01, 0x00]
        let alert: [UInt8] = [0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x46]  // fatal protocol_version
        frames.insert(Frame(micros: 1_004_000, bytes: Conversation.up(B.tcp(50000, 3389, seq: 120, ack: 920, flags: 0x18, payload: hello))), at: 5)
        frames.insert(Frame(micros: 1_005_000, bytes: Conversation.down(B.tcp(3389, 50000, seq: 920, ack: 170, flags: 0x18, payload: alert))), at: 6)
        frames[frames.count - 1] = Frame(micros: 1_300_000, bytes: Conversation.down(B.tcp(3389, 50000, seq: 927, ack: 170, flags: 0x14)))
        let story = ConnectionReplay.replay(try Self.connection(frames))
        #expect(story.clientHello?.legacyVersion == 0x0303)
        #expect(story.alerts.first?.side == .server)
        #expect(story.record.end == .tlsFailed("the server sent the TLS alert protocol_version (70)"))
    }
}
