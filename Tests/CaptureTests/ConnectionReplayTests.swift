import ProbeCore
import RDPProtocol
import Testing

@testable import Capture
@testable import CaptureAnalysis

@Suite("a captured connection, replayed as observations")
struct ConnectionReplayTests {
    static func connection(_ frames: [Frame]) throws -> TCPConnection {
        return try #require(CaptureReaderTests.scan(CaptureBuilder.pcap(linkType: 1, frames)).0.rdpConnections.first)
    }

    @Test("request, TLS selected, then the server resets: the close is the server's, during TLS")
    func serverResetDuringTLS() throws {
        let story = ConnectionReplay.replay(try Self.connection(Conversation.frames()))
        #expect(story.record.requestedProtocols == [.ssl, .hybrid])
        #expect(story.record.negotiation == .selected(protocol: .ssl, flags: NegotiationResponseFlags(rawValue: 1)))
        #expect(story.record.end == .peerClosed(.reset, step: .tls, waitingFor: .tlsHandshake))
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
        #expect(story.record.negotiation == .failure(code: .hybridRequiredByServer))
        #expect(story.record.end == .completed)
    }

    @Test("a server alert in clear fails the TLS step with its name")
    func serverAlert() throws {
        typealias B = CaptureBuilder
        var frames = Conversation.frames()
        let hello: [UInt8] =
            [0x16, 0x03, 0x01, 0x00, 0x2D, 0x01, 0x00, 0x00, 0x29, 0x03, 0x03] + [UInt8](repeating: 7, count: 32)
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

@Suite("a long capture in bounded memory")
struct BoundedCaptureTests {
    /// `count` short connections that each end with the server's reset, from different client ports.
    static func capture(_ count: Int) -> [UInt8] {
        typealias B = CaptureBuilder
        var frames: [Frame] = []
        for index in 0..<count {
            let port = UInt16(20000 + index)
            let up = { (segment: [UInt8]) in Conversation.up(segment) }
            let down = { (segment: [UInt8]) in Conversation.down(segment) }
            let t = Int64(index) * 10_000
            frames += [
                Frame(micros: t + 1, bytes: up(B.tcp(port, 3389, seq: 100, flags: 0x02))),
                Frame(micros: t + 2, bytes: down(B.tcp(3389, port, seq: 900, ack: 101, flags: 0x12))),
                Frame(micros: t + 3, bytes: up(B.tcp(port, 3389, seq: 101, ack: 901, flags: 0x18, payload: Conversation.request))),
                Frame(micros: t + 4, bytes: down(B.tcp(3389, port, seq: 901, ack: 120, flags: 0x14))),
            ]
        }
        return CaptureBuilder.pcap(linkType: 1, frames)
    }

    @Test("every connection is counted; past the limit only counts are kept")
    func limit() async {
        let count = CaptureAnalyzer.maximumReported + 7
        var analyzer = CaptureAnalyzer(trustAnchors: [])
        let bytes = Self.capture(count)
        var index = 0
        while index < bytes.count {
            await analyzer.feed(bytes[index..<min(bytes.count, index + 65536)])
            index += 65536
        }
        let report = await analyzer.finish()
        #expect(report.rdpConnections == count)
        #expect(report.connections.count == CaptureAnalyzer.maximumReported)
        #expect(report.notShown.values.reduce(0, +) == 7)
        // Each was reset by the server during the X.224 negotiation.
        #expect(report.connections.allSatisfy { $0.report.verdict.outcome == .fails && $0.report.verdict.step == .x224 })
    }
}
