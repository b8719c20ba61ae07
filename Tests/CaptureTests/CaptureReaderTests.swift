import Testing

@testable import Capture

@Suite("capture files")
struct CaptureReaderTests {
    /// The summary and every RDP connection, read in chunks of `chunk` bytes.
    struct Scanned {
        let summary: CaptureSummary
        let rdpConnections: [TCPConnection]
        var packets: Int { summary.packets }
        var keyLog: [UInt8] { summary.keyLog }
    }

    static func scan(_ bytes: [UInt8], chunk: Int = 4096) throws -> (Scanned, CaptureError?) {
        var scan = CaptureScan()
        var connections: [TCPConnection] = []
        var index = 0
        while index < bytes.count {
            try scan.feed(bytes[index..<min(bytes.count, index + chunk)])
            connections += scan.takeFinishedRDP()
            index += chunk
        }
        let (rest, summary, ending) = scan.finish()
        return (Scanned(summary: summary, rdpConnections: connections + rest), ending)
    }

    @Test("pcap over Ethernet: the RDP connection, its streams, handshake and reset")
    func pcapEthernet() throws {
        let (contents, ending) = try Self.scan(CaptureBuilder.pcap(linkType: 1, Conversation.frames()))
        #expect(ending == nil)
        #expect(contents.packets == 6)
        let rdp = contents.rdpConnections
        #expect(rdp.count == 1)
        let connection = try #require(rdp.first)
        #expect(connection.client.description == "10.0.0.1:50000")
        #expect(connection.server.description == "10.0.0.2:3389")
        #expect(connection.toServer.stream == Conversation.request)
        #expect(connection.toClient.stream == Conversation.confirm)
        #expect(connection.handshakeRTTMicros == 1000)
        #expect(connection.toServer.announcedMSS == 1460)
        #expect(connection.toClient.announcedMSS == 1400)
        #expect(connection.toClient.resetMicros == 1_300_000)
        #expect(connection.toServer.resetMicros == nil)
    }

    @Test("the same bytes in any chunking give the same connections")
    func chunking() throws {
        let bytes = CaptureBuilder.pcap(linkType: 1, Conversation.frames())
        let whole = try Self.scan(bytes).0.rdpConnections
        #expect(whole.count == 1)
        for chunk in [1, 3, 7, 16, 100] {
            #expect(try Self.scan(bytes, chunk: chunk).0.rdpConnections == whole, "chunks of \(chunk)")
        }
    }

    @Test("a retransmitted segment is counted, not delivered twice")
    func retransmission() throws {
        let (contents, _) = try Self.scan(CaptureBuilder.pcap(linkType: 1, Conversation.frames(retransmitConfirm: true)))
        let connection = try #require(contents.rdpConnections.first)
        #expect(connection.toClient.stream == Conversation.confirm)
        #expect(connection.toClient.retransmissions == 1)
        #expect(connection.toClient.largestRetransmitted == Conversation.confirm.count)
    }

    @Test("segments out of order are put back in order")
    func outOfOrder() throws {
        typealias B = CaptureBuilder
        var frames = Conversation.frames()
        let request = Conversation.request
        frames[3] = Frame(micros: 1_002_000, bytes: Conversation.up(B.tcp(50000, 3389, seq: 111, ack: 901, flags: 0x18, payload: Array(request[10...]))))
        frames.insert(
            Frame(micros: 1_002_100, bytes: Conversation.up(B.tcp(50000, 3389, seq: 101, ack: 901, flags: 0x18, payload: Array(request[..<10])))), at: 4)
        let (contents, _) = try Self.scan(CaptureBuilder.pcap(linkType: 1, frames))
        let connection = try #require(contents.rdpConnections.first)
        #expect(connection.toServer.stream == request)
        #expect(connection.toServer.outOfOrder == 1)
        #expect(connection.toServer.missingBytes == 0)
    }

    @Test("bytes the capture never saw are a gap: counted, and the stream stops there")
    func gap() throws {
        typealias B = CaptureBuilder
        var frames = Conversation.frames()
        // The confirm's first 5 bytes are missing from the capture.
        frames[4] = Frame(
            micros: 1_003_000, bytes: Conversation.down(B.tcp(3389, 50000, seq: 906, ack: 120, flags: 0x18, payload: Array(Conversation.confirm[5...]))))
        let (contents, _) = try Self.scan(CaptureBuilder.pcap(linkType: 1, frames))
        let connection = try #require(contents.rdpConnections.first)
        #expect(connection.toClient.stream.isEmpty)
        #expect(connection.toClient.missingBytes == 5)
        #expect(connection.toClient.firstGapAt == 0)
    }

    @Test("pcapng: Linux cooked v2, IPv6, nanosecond timestamps and a key log")
    func pcapng() throws {
        typealias B = CaptureBuilder
        let a: [UInt8] = [0xfd] + [UInt8](repeating: 0, count: 14) + [1]
        let b: [UInt8] = [0xfd] + [UInt8](repeating: 0, count: 14) + [2]
        let frames = [
            Frame(micros: 5_000_000, bytes: B.sll2(B.ipv6(a, b, B.tcp(40000, 13389, seq: 1, flags: 0x02)))),
            Frame(micros: 5_000_250, bytes: B.sll2(B.ipv6(b, a, B.tcp(13389, 40000, seq: 50, ack: 2, flags: 0x12)))),
            Frame(micros: 5_000_400, bytes: B.sll2(B.ipv6(a, b, B.tcp(40000, 13389, seq: 2, ack: 51, flags: 0x10)))),
            Frame(micros: 5_001_000, bytes: B.sll2(B.ipv6(a, b, B.tcp(40000, 13389, seq: 2, ack: 51, flags: 0x18, payload: Conversation.request)))),
        ]
        let log = "CLIENT_RANDOM 00 11"
        let (contents, ending) = try Self.scan(B.pcapng(linkType: 276, frames, keyLog: log))
        #expect(ending == nil)
        let connection = try #require(contents.rdpConnections.first, "RDP on any port")
        #expect(connection.client.description == "[fd00::1]:40000")
        #expect(connection.handshakeRTTMicros == 400)
        #expect(String(decoding: contents.keyLog, as: UTF8.self) == log + "\n")
    }

    @Test("not a capture, a record too large, a file cut short: typed errors")
    func badFiles() throws {
        #expect(throws: CaptureError.notACapture) { _ = try Self.scan(Array("GET / HTTP/1.1\r\n".utf8)) }
        var huge = CaptureBuilder.pcap(linkType: 1, [])
        huge += CaptureBuilder.le32(0) + CaptureBuilder.le32(0) + CaptureBuilder.le32(0x7FFF_FFFF) + CaptureBuilder.le32(0x7FFF_FFFF)
        #expect(throws: CaptureError.self) { _ = try Self.scan(huge) }
        let whole = CaptureBuilder.pcap(linkType: 1, Conversation.frames())
        let (contents, ending) = try Self.scan(Array(whole.dropLast(3)))
        #expect(contents.packets == 5, "the records before the cut are kept")
        if case .truncated? = ending {} else { Issue.record("expected a truncated ending, got \(String(describing: ending))") }
        let (_, empty) = try Self.scan([])
        #expect(empty != nil)
    }

    @Test("random bytes after a valid header never crash")
    func randomBytes() {
        var generator = SystemRandomNumberGenerator()
        for round in 0..<300 {
            let header =
                round % 2 == 0
                ? CaptureBuilder.pcap(linkType: UInt32(round % 300), [])
                : Array(CaptureBuilder.pcapng(linkType: UInt16(round % 300), []).prefix(28 + 20))
            let noise = (0..<Int.random(in: 0..<600, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            var scan = CaptureScan()
            _ = try? scan.feed(header + noise)
            _ = scan.finish()
        }
    }
}
