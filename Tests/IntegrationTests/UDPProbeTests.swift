import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import ProbeCore
import RDPProtocol
import Testing
import Transport

/// The UDP transport probe against tiny RDP-UDP responders built here with
/// SwiftNIO on 127.0.0.1. Needs no testbed.
@Suite("UDP transport probe on loopback", .serialized)
struct UDPProbeTests {
    static let settings = UDPProbeSettings(attempts: 3, retransmitMs: 300)
    static let loopback = try! SocketAddress(ipAddress: "127.0.0.1", port: 3389)

    /// Probes `port` on 127.0.0.1 (the address's own port is replaced) and times it.
    static func probe(
        port: Int, deadline: TimeAmount = .seconds(5),
        settings: UDPProbeSettings = settings
    ) async -> (UDPObservation, Duration) {
        let clock = ContinuousClock()
        let start = clock.now
        let seen = await UDPProbeDriver().probe(
            loopback, port: UInt16(port), settings: settings,
            hardDeadline: .now() + deadline)
        return (seen, clock.now - start)
    }

    @Test("an RDP-UDP listener answers: UDP available, with the round trip timed")
    func synAck() async throws {
        let responder = try await UDPResponder.start(.synAck)
        defer { responder.stop() }
        let (seen, elapsed) = await Self.probe(port: responder.port)
        #expect(seen.outcome == .synAck, "\(seen.outcome)")
        #expect(seen.udpAvailable)
        #expect(seen.address == "127.0.0.1" && seen.port == UInt16(responder.port))
        #expect(seen.attempts == 1)
        let rtt = try #require(seen.rttMs)
        #expect(rtt >= 0 && rtt < 250)
        #expect(seen.server?.initialSequenceNumber == UDPResponder.serverISN)
        #expect(seen.server?.version == RDPUDPProtocolVersion.version2.rawValue)
        #expect(seen.server?.upStreamMTU == 1232 && seen.server?.downStreamMTU == 1232)
        #expect(seen.answerLength == 1232)
        #expect(elapsed < .milliseconds(500))
        // What went on the wire: one SYN, padded as MS-RDPEUDP 3.1.5.1.1 requires.
        #expect(responder.log.sizes == [1232])
    }

    @Test("a SYN lost on the way is retransmitted")
    func retransmission() async throws {
        let responder = try await UDPResponder.start(.synAckFromSecond)
        defer { responder.stop() }
        let (seen, elapsed) = await Self.probe(port: responder.port)
        #expect(seen.outcome == .synAck, "\(seen.outcome)")
        #expect(seen.attempts == 2)
        #expect(responder.log.sizes.count == 2)
        #expect(elapsed >= .milliseconds(290) && elapsed < .milliseconds(800))
    }

    @Test("nothing listening: ICMP port unreachable (or silence), within the deadline")
    func closedPort() async throws {
        let port = try await UDPResponder.unusedPort()
        let (seen, elapsed) = await Self.probe(port: port)
        #expect(seen.outcome == .icmpUnreachable || seen.outcome == .noAnswer, "\(seen.outcome)")
        #if os(Linux)
            // Linux never rate-limits ICMP on loopback, so the refusal always comes back.
            #expect(seen.outcome == .icmpUnreachable, "\(seen.outcome)")
            #expect(seen.attempts == 1)
        #endif
        #expect(!seen.udpAvailable)
        #expect(elapsed < .milliseconds(Int64(Self.settings.totalMs) + 300))
    }

    @Test(
        "a responder that answers garbage: malformed, naming the field",
        arguments: [
            [0xDE, 0xAD, 0xBE, 0xEF] as [UInt8],
            Array("SSH-2.0-OpenSSH_9.6\r\n".utf8),
            [0x00, 0x00, 0x00, 0x00, 0x00, 0x40, 0x00, 0x05, 0x00, 0x00, 0x00, 0x01, 0x05, 0xDC, 0x04, 0xD0],  // MTU 1500
        ])
    func garbage(bytes: [UInt8]) async throws {
        let responder = try await UDPResponder.start(.answer(bytes))
        defer { responder.stop() }
        let (seen, elapsed) = await Self.probe(port: responder.port)
        guard case .malformed(let reason) = seen.outcome else {
            Issue.record("expected malformed, got \(seen.outcome)")
            return
        }
        #expect(reason.hasPrefix("RDP-UDP SYN+ACK datagram: "), "\(reason)")
        #expect(seen.answerPrefix?.bytes == bytes)
        #expect(elapsed < .milliseconds(500))
    }

    @Test("a SYN+ACK that acknowledges another SYN is malformed")
    func wrongAcknowledgement() async throws {
        let responder = try await UDPResponder.start(.synAckWrongAck)
        defer { responder.stop() }
        let (seen, _) = await Self.probe(port: responder.port)
        guard case .malformed(let reason) = seen.outcome else {
            Issue.record("expected malformed, got \(seen.outcome)")
            return
        }
        #expect(reason.contains("does not acknowledge our snInitialSequenceNumber"))
    }

    @Test("a responder that never answers: no answer after the bounded retries")
    func silent() async throws {
        let responder = try await UDPResponder.start(.silent)
        defer { responder.stop() }
        let (seen, elapsed) = await Self.probe(port: responder.port)
        #expect(seen.outcome == .noAnswer, "\(seen.outcome)")
        #expect(seen.attempts == 3)
        #expect(seen.rttMs == nil)
        #expect(responder.log.sizes == [1232, 1232, 1232])
        #expect(elapsed >= .milliseconds(880) && elapsed < .milliseconds(1300), "took \(elapsed)")
    }

    @Test("the check's deadline cuts the retries short")
    func hardDeadline() async throws {
        let responder = try await UDPResponder.start(.silent)
        defer { responder.stop() }
        let (seen, elapsed) = await Self.probe(port: responder.port, deadline: .milliseconds(400))
        #expect(seen.outcome == .noAnswer)
        #expect(seen.attempts == 2)
        #expect(elapsed < .milliseconds(600), "took \(elapsed) for a 400 ms deadline")
    }

    @Test("a deadline already past: nothing is sent")
    func deadlinePassed() async {
        let seen = await UDPProbeDriver().probe(Self.loopback, port: 9, hardDeadline: .now() - .seconds(1))
        #expect(seen.outcome == .noAnswer && seen.attempts == 0)
    }
}

/// Datagrams the responder received, by size.
final class UDPResponderLog: Sendable {
    private let received = NIOLockedValueBox<[Int]>([])
    var sizes: [Int] { received.withLockedValue { $0 } }
    func record(_ size: Int) { received.withLockedValue { $0.append(size) } }
}

/// A UDP server on 127.0.0.1 (port 0) that answers the probe's SYN one way.
final class UDPResponder: Sendable {
    enum Behaviour: Sendable {
        /// Decode the SYN as MS-RDPEUDP defines it and answer with a SYN+ACK (3.1.5.1.3).
        case synAck
        /// Drop the first SYN, answer the retransmission.
        case synAckFromSecond
        /// A well-formed SYN+ACK whose snSourceAck is not the SYN's sequence number.
        case synAckWrongAck
        case answer([UInt8])
        case silent
        /// Answer each datagram with `count` copies of `datagram` at once.
        case flood(count: Int, datagram: [UInt8])
    }

    static let serverISN: UInt32 = 0x5EED_0001
    let port: Int
    let log: UDPResponderLog
    private let channel: any Channel

    private init(channel: any Channel, port: Int, log: UDPResponderLog) {
        self.channel = channel
        self.port = port
        self.log = log
    }

    static func start(_ behaviour: Behaviour) async throws -> UDPResponder {
        let log = UDPResponderLog()
        let channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(UDPResponderHandler(behaviour, log: log))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return UDPResponder(channel: channel, port: channel.localAddress?.port ?? 0, log: log)
    }

    /// A UDP port on 127.0.0.1 with nothing bound to it (bound, read, released).
    static func unusedPort() async throws -> Int {
        let channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0).get()
        let port = channel.localAddress?.port ?? 0
        try await channel.close()
        return port
    }

    func stop() {
        channel.close(promise: nil)
    }
}

final class UDPResponderHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    private let behaviour: UDPResponder.Behaviour
    private let log: UDPResponderLog
    private var seen = 0

    init(_ behaviour: UDPResponder.Behaviour, log: UDPResponderLog) {
        self.behaviour = behaviour
        self.log = log
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        let bytes = Array(envelope.data.readableBytesView)
        log.record(bytes.count)
        seen += 1
        if case let .flood(count, datagram) = behaviour {
            for _ in 0..<count {
                let out = AddressedEnvelope(
                    remoteAddress: envelope.remoteAddress,
                    data: context.channel.allocator.buffer(bytes: datagram))
                context.write(wrapOutboundOut(out), promise: nil)
            }
            context.flush()
            return
        }
        guard let reply = reply(to: bytes) else { return }
        let out = AddressedEnvelope(
            remoteAddress: envelope.remoteAddress,
            data: context.channel.allocator.buffer(bytes: reply))
        context.writeAndFlush(wrapOutboundOut(out), promise: nil)
    }

    private func reply(to bytes: [UInt8]) -> [UInt8]? {
        switch behaviour {
        case .silent, .flood:
            return nil
        case .answer(let garbage):
            return garbage
        case .synAck, .synAckFromSecond, .synAckWrongAck:
            if case .synAckFromSecond = behaviour, seen == 1 { return nil }
            guard let syn = try? RDPUDPSynDatagram.decodeSyn(bytes[...]) else { return nil }
            var answer = RDPUDPSynDatagram.synAck(answering: syn, initialSequenceNumber: UDPResponder.serverISN)
            if case .synAckWrongAck = behaviour { answer.sourceAck &+= 1 }
            return try? answer.encode()
        }
    }
}
