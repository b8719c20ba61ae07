import Diagnosis
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import ProbeCore
import RDPProtocol
import Testing
import Transport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `check` against a tiny TCP server, built here with SwiftNIO on 127.0.0.1,
/// that misbehaves in one way per test. Needs no testbed.
@Suite("check against a misbehaving server", .serialized)
struct MisbehavingServerTests {
    /// The check's overall deadline, and what it may overrun by (10 %).
    static let timeoutMs = 1500.0
    static let allowed = Duration.milliseconds(1650)

    /// Runs a check against `server` the way `rdpdoctor check` does and times it.
    static func check(_ server: MisbehavingServer) async -> (CheckReport, Duration) {
        let clock = ContinuousClock()
        let start = clock.now
        let target = Target(host: "127.0.0.1", port: UInt16(server.port))
        let observations = await CheckRunner().run(target, options: .init(timeoutMs: timeoutMs))
        let report = await Diagnoser.diagnose(
            observations, context: .init(trustAnchors: [], nowUnix: Int64(Date().timeIntervalSince1970)))
        return (report, clock.now - start)
    }

    /// What every misbehaviour must leave: each probe ended, within the deadline, never
    /// more than the polite number of connections at once, and the verdict at `step`.
    static func expectCommon(
        _ report: CheckReport, _ elapsed: Duration, step: Step, outcome: Verdict.Outcome = .fails,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(elapsed < allowed, "took \(elapsed) for a \(timeoutMs) ms deadline", sourceLocation: sourceLocation)
        let probes = report.observations.probes
        #expect(probes.first?.purpose == .defaultClient, sourceLocation: sourceLocation)
        for probe in probes {
            #expect(probe.end != .notStarted, "\(probe.purpose) never started", sourceLocation: sourceLocation)
            #expect(probe.end.step != .tcp, "\(probe.purpose): \(probe.end)", sourceLocation: sourceLocation)
        }
        let probing = report.observations.probing
        #expect(
            (probing?.highestSimultaneous ?? 99) <= CheckCoordinator.maximumSimultaneousConnections,
            sourceLocation: sourceLocation)
        #expect(report.verdict.outcome == outcome, "\(report.verdict.summary)", sourceLocation: sourceLocation)
        #expect(report.verdict.step == step, "\(report.verdict.summary)", sourceLocation: sourceLocation)
        #expect(report.exitStatus == (outcome == .fails ? 2 : 4), sourceLocation: sourceLocation)
    }

    // MARK: - Garbage

    @Test(
        "garbage that is not RDP at all: the port is named as something else",
        arguments: [
            [0xDE, 0xAD, 0xBE, 0xEF, 0x00, 0x01, 0x02, 0x03] as [UInt8],
            [0x00],
            Array("220 smtp.example.test ESMTP\r\n".utf8),
        ])
    func garbage(bytes: [UInt8]) async throws {
        let server = try await MisbehavingServer.start(.answer(bytes))
        defer { server.stop() }
        let (report, elapsed) = await Self.check(server)
        Self.expectCommon(report, elapsed, step: .x224)

        let probe = try #require(report.observations.defaultClient)
        let firstByte = "0x" + String(bytes[0], radix: 16, uppercase: true).leftPadded(to: 2)
        #expect(
            probe.end
                == .protocolError(
                    step: .x224,
                    message: "the port answered with an unrecognised protocol (first byte \(firstByte)), not an X.224 Connection Confirm"))
        #expect(probe.foreignService == .unknown)
        #expect(probe.unexpectedBytes == bytes.prefix(32).map { String($0, radix: 16).leftPadded(to: 2) }.joined())
        #expect(report.has("x224.not-rdp"), "\(report.ids)")
        #expect(server.log.requests.count >= 1, "the server saw the X.224 Connection Request")
    }

    @Test(
        "TPKT-shaped garbage: a protocol error naming the PDU and the field",
        arguments: [
            GarbageCase(
                name: "TPKT length 5",
                reply: .answer([
                    0x03, 0x00, 0x00, 0x05,  // TPKT: version 3, reserved, length 5 (< 7)
                    0xFF, 0xFF, 0xFF,
                ]), message: "TPKT header: length 5 is below the minimum of 7"),
            GarbageCase(
                name: "the request echoed back", reply: .echo,
                message: "X.224 connection confirm: TPDU code is 0xE0, a connection request, not a connection confirm (0xD0)"),
            GarbageCase(
                name: "a confirm with a broken length indicator",
                reply: .answer([
                    0x03, 0x00, 0x00, 0x13,  // TPKT length 19
                    0x0F,  // X.224 length indicator 15: one more than follows
                    0xD0, 0x00, 0x00, 0x12, 0x34, 0x00,  // Connection Confirm, DST-REF, SRC-REF, class 0
                    0x02, 0x01, 0x08, 0x00,  // RDP_NEG_RSP, flags, length 8
                    0x01, 0x00, 0x00, 0x00,  // selectedProtocol PROTOCOL_SSL
                ]), message: "X.224 connection confirm: length indicator says 15 bytes but 14 are present"),
        ])
    func tpktGarbage(_ garbage: GarbageCase) async throws {
        let server = try await MisbehavingServer.start(garbage.reply)
        defer { server.stop() }
        let (report, elapsed) = await Self.check(server)
        Self.expectCommon(report, elapsed, step: .x224)

        let probe = try #require(report.observations.defaultClient)
        #expect(probe.end == .protocolError(step: .x224, message: garbage.message))
        #expect(probe.foreignService == nil, "TPKT framing is RDP's")
        #expect(probe.unexpectedBytes != nil)
        #expect(report.verdict.summary.contains(garbage.message), "\(report.verdict.summary)")
    }

    // MARK: - Closes and resets

    @Test("a truncated confirm, then a close mid-PDU: a FIN during x224")
    func truncatedConfirm() async throws {
        let server = try await MisbehavingServer.start(.answerThenClose(Array(confirmTLS.prefix(11))))
        defer { server.stop() }
        let (report, elapsed) = await Self.check(server)
        Self.expectCommon(report, elapsed, step: .x224)

        let probe = try #require(report.observations.defaultClient)
        #expect(probe.end == .peerClosed(.fin, step: .x224, waitingFor: .connectionConfirm))
        #expect(probe.negotiation == nil)
        #expect(probe.foreignService == nil)
        #expect(report.verdict.summary.contains("closes"), "\(report.verdict.summary)")
    }

    /// On loopback the server's accept-and-reset races the client. Three
    /// things happen: usually the probe reads the RST (a reset at x224, right);
    /// sometimes the RST is there before the probe writes its request, the
    /// write fails and the probe records a FIN (see `resetSeenOnWrite`); and
    /// sometimes it is there before the client's connect completes, and the
    /// reachability test records the port as "unreachable". The port answered
    /// (a listener accepted the handshake) every time, so every run must end
    /// as a reset at x224. The check is repeated to meet the races.
    @Test("a reset (SO_LINGER 0) right after accept: a reset during x224, never a FIN or an unreachable port")
    func resetOnAccept() async throws {
        let server = try await MisbehavingServer.start(.resetOnAccept)
        defer { server.stop() }
        var outcomes: [String: Int] = [:]
        for _ in 0..<20 {
            let (report, elapsed) = await Self.check(server)
            #expect(elapsed < Self.allowed)
            #expect(report.verdict.outcome == .fails)
            let outcome: String
            if let probe = report.observations.defaultClient {
                outcome = "default client: \(probe.end)"
            } else {
                outcome = "reachability: \(report.observations.reachability.map { String(describing: $0.failure) })"
            }
            outcomes[outcome, default: 0] += 1
            #expect(report.verdict.step == .x224, "\(report.verdict.summary)")
            let unreachable = report.has("tcp.unreachable")
            #expect(!unreachable, "a port that accepts and resets is reachable: \(report.verdict.summary)")
        }
        let right = "default client: \(ConnectionEnd.peerClosed(.reset, step: .x224, waitingFor: .connectionConfirm))"
        #expect(outcomes.keys.allSatisfy { $0 == right }, "\(outcomes)")
    }

    /// Deterministic form of the FIN outcome above: the RST is already there when
    /// the probe writes (its MCS Connect Initial), the write fails, and NIO closes
    /// the channel without `errorCaught`, so `ProbeHandler.sawReset` stays false.
    @Test("a confirm and at once a reset: the probe's next write meets the RST; recorded as a reset, not a FIN")
    func resetSeenOnWrite() async throws {
        let server = try await MisbehavingServer.start(
            .answerThenReset([
                0x03, 0x00, 0x00, 0x0B,  // TPKT: version 3, reserved, length 11
                0x06, 0xD0,  // X.224 length indicator 6, Connection Confirm
                0x00, 0x00, 0x12, 0x34,  // DST-REF, SRC-REF
                0x00,  // class 0; no negotiation data: standard RDP security, MCS next
            ]))
        defer { server.stop() }
        let (report, elapsed) = await Self.check(server)
        Self.expectCommon(report, elapsed, step: .mcs)

        let probe = try #require(report.observations.defaultClient)
        #expect(probe.negotiation == .noNegotiationData)
        #expect(probe.end == .peerClosed(.reset, step: .mcs, waitingFor: .connectResponse))
        #expect(report.verdict.summary.contains("resets"), "\(report.verdict.summary)")
    }

    @Test("a reset (SO_LINGER 0) as soon as the X.224 request arrives: a reset during x224, not a FIN")
    func resetAfterRequest() async throws {
        let server = try await MisbehavingServer.start(.resetAfterRequest)
        defer { server.stop() }
        let (report, elapsed) = await Self.check(server)
        Self.expectCommon(report, elapsed, step: .x224)

        let probe = try #require(report.observations.defaultClient)
        #expect(probe.end == .peerClosed(.reset, step: .x224, waitingFor: .connectionConfirm))
        #expect(report.verdict.summary.contains("resets"), "\(report.verdict.summary)")
        for other in report.observations.probes {
            #expect(
                other.end == .peerClosed(.reset, step: .x224, waitingFor: .connectionConfirm),
                "\(other.purpose)")
        }
    }

    @Test("a close right after the X.224 request arrives: a FIN during x224")
    func closeAfterRequest() async throws {
        let server = try await MisbehavingServer.start(.closeAfterRequest)
        defer { server.stop() }
        let (report, elapsed) = await Self.check(server)
        Self.expectCommon(report, elapsed, step: .x224)

        let probe = try #require(report.observations.defaultClient)
        #expect(probe.end == .peerClosed(.fin, step: .x224, waitingFor: .connectionConfirm))
        #expect(report.verdict.summary.contains("closes"), "\(report.verdict.summary)")
        // What the server read: one request per probe, each with the cookie and an
        // RDP_NEG_REQ; the default client's asks for SSL | HYBRID | HYBRID_EX. The
        // service probe's TLS ClientHello (0x16) asked whether the port speaks TLS.
        let requests = server.log.requests.filter { $0.first == 0x03 }
        #expect(server.log.requests.filter { $0.first == 0x16 }.count == 1, "one TLS-first service probe")
        #expect(report.has("service.not-tls"), "\(report.ids)")
        #expect(requests.count == report.observations.probes.count)
        for request in requests {
            #expect(request.count == 47)
            #expect(String(decoding: request.dropFirst(11).prefix(28), as: UTF8.self) == "Cookie: mstshash=rdpdoctor\r\n")
            #expect(Array(request.dropFirst(39).prefix(4)) == [0x01, 0x00, 0x08, 0x00], "RDP_NEG_REQ type, flags, length")
        }
        let requested = Set(requests.map { $0.count == 47 ? $0[43] : 0xFF })
        #expect(requested.isSuperset(of: [0x0B, 0x00, 0x01, 0x02, 0x04, 0x0A, 0x10, 0x03]), "\(requested)")
    }

    // MARK: - Slow

    @Test("a TPKT header claiming 65535 bytes, then one byte every 50 ms: the deadline holds")
    func slowDrip() async throws {
        let server = try await MisbehavingServer.start(.drip(header: [0x03, 0x00, 0xFF, 0xFF], every: .milliseconds(50)))
        defer { server.stop() }
        let (report, elapsed) = await Self.check(server)
        // A partial answer that never completes is not a refusal: could not tell.
        Self.expectCommon(report, elapsed, step: .x224, outcome: .undetermined)
        let firstWaveMs = Self.timeoutMs * DeadlinePolicy.firstShare
        #expect(elapsed > .milliseconds(Int64(firstWaveMs)), "the drip must not end the probe early (\(elapsed))")

        let probe = try #require(report.observations.defaultClient)
        #expect(probe.end == .timedOut(step: .x224, waitingFor: .connectionConfirm))
        #expect(abs((probe.stepDeadlineMs ?? 0) - firstWaveMs) < 10, "the step deadline follows the budget")
        #expect(probe.negotiation == nil)
        #expect(server.log.dripped > 10, "the server kept dripping (\(server.log.dripped) bytes)")
        let arrived = probe.timings.last { $0.step == .x224 }?.bytesReceived ?? 0
        #expect(arrived > 4 + 10, "the header and the drip were counted during x224 (\(arrived) bytes)")
        // The server did answer (a TPKT header, then a byte every 50 ms): calling the
        // port silent sends the reader after a hung listener instead of a broken one.
        let silent = report.finding("x224.silent")
        #expect(silent == nil, "\(silent?.title ?? "")")
    }

    // MARK: - TLS

    @Test("a confirm selecting TLS, then plaintext instead of a TLS handshake: the TLS step fails")
    func plaintextInsteadOfTLS() async throws {
        let plaintext = Array("this is not TLS\r\n".utf8)
        let server = try await MisbehavingServer.start(.plaintextInsteadOfTLS(confirm: confirmTLS, plaintext: plaintext))
        defer { server.stop() }
        let (report, elapsed) = await Self.check(server)
        Self.expectCommon(report, elapsed, step: .tls)

        let probe = try #require(report.observations.defaultClient)
        #expect(probe.negotiation == .selected(protocol: .ssl, flags: NegotiationResponseFlags(rawValue: 1)))
        #expect(probe.end.step == .tls, "\(probe.end)")
        if case .tlsFailed = probe.end {} else { Issue.record("expected tlsFailed, got \(probe.end)") }
        #expect(probe.plaintextAfterConfirm == plaintext.count, "the plaintext that came with the confirm")
        #expect(probe.tls == nil)
        #expect(server.log.clientHellos >= 1, "the probe did start TLS")
    }

    /// X.224 Connection Confirm, RDP_NEG_RSP selecting PROTOCOL_SSL.
    static let confirmTLS: [UInt8] = [
        0x03, 0x00, 0x00, 0x13,  // TPKT: version 3, reserved, length 19
        0x0E, 0xD0,  // X.224 length indicator 14, Connection Confirm
        0x00, 0x00, 0x12, 0x34,  // DST-REF, SRC-REF
        0x00,  // class 0
        0x02, 0x01, 0x08, 0x00,  // RDP_NEG_RSP, flags EXTENDED_CLIENT_DATA_SUPPORTED, length 8
        0x01, 0x00, 0x00, 0x00,  // selectedProtocol: PROTOCOL_SSL
    ]
    var confirmTLS: [UInt8] { Self.confirmTLS }
}

struct GarbageCase: Sendable, CustomTestStringConvertible {
    let name: String
    let reply: Misbehaviour
    let message: String
    var testDescription: String { name }
}

// MARK: - The server

/// How the server answers each connection.
enum Misbehaviour: Sendable {
    /// Answers the X.224 request with these bytes and keeps the connection open.
    case answer([UInt8])
    /// Answers with the client's own request.
    case echo
    /// Answers with these bytes, then closes (FIN).
    case answerThenClose([UInt8])
    /// Sends `header` after the request, then one zero byte every `every`.
    case drip(header: [UInt8], every: TimeAmount)
    /// Sends `confirm` + `plaintext` in one write, then answers anything (a ClientHello) with `plaintext`.
    case plaintextInsteadOfTLS(confirm: [UInt8], plaintext: [UInt8])
    /// Sets SO_LINGER 0 and closes on accept: the client sees a reset.
    case resetOnAccept
    /// Sets SO_LINGER 0 and closes once the whole X.224 request has arrived.
    case resetAfterRequest
    /// Answers with these bytes, then closes with SO_LINGER 0 (RST) at once.
    case answerThenReset([UInt8])
    /// Closes (FIN) once the whole X.224 request has arrived.
    case closeAfterRequest
    /// Shuts its side down (FIN) once the request has arrived, and keeps reading.
    case halfCloseAfterRequest
    /// Sends `first` after the request, then `chunk` every `every` until the client goes.
    case flood(first: [UInt8], chunk: [UInt8], every: TimeAmount)
    /// Answers with these bytes, then never reads again; with the smallest
    /// receive buffer the kernel allows, its TCP window closes (zero window)
    /// before the client's ClientHello is all in.
    case stopReading([UInt8])
}

/// What the server saw, across all connections.
final class ServerLog: Sendable {
    private struct State {
        var requests: [[UInt8]] = []
        var dripped = 0
        var clientHellos = 0
    }
    private let state = NIOLockedValueBox(State())
    var requests: [[UInt8]] { state.withLockedValue { $0.requests } }
    var dripped: Int { state.withLockedValue { $0.dripped } }
    var clientHellos: Int { state.withLockedValue { $0.clientHellos } }
    func request(_ bytes: [UInt8]) { state.withLockedValue { $0.requests.append(bytes) } }
    func drip(_ count: Int) { state.withLockedValue { $0.dripped += count } }
    func clientHello() { state.withLockedValue { $0.clientHellos += 1 } }
}

final class MisbehavingServer: Sendable {
    let port: Int
    let log: ServerLog
    private let listener: any Channel
    private let children: NIOLockedValueBox<[any Channel]>

    private init(listener: any Channel, port: Int, log: ServerLog, children: NIOLockedValueBox<[any Channel]>) {
        self.listener = listener
        self.port = port
        self.log = log
        self.children = children
    }

    static func start(_ mode: Misbehaviour) async throws -> MisbehavingServer {
        let log = ServerLog()
        let children = NIOLockedValueBox<[any Channel]>([])
        var bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        if case .stopReading = mode {
            // On the listener, so accepted sockets start with it (and their window stays small).
            bootstrap = bootstrap.serverChannelOption(.socketOption(.so_rcvbuf), value: 1)
        }
        let listener =
            try await bootstrap
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: 64)
            .childChannelInitializer { channel in
                children.withLockedValue { $0.append(channel) }
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(MisbehavingHandler(mode: mode, log: log))
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        guard let port = listener.localAddress?.port else {
            try? await listener.close()
            throw TestbedError("the test server has no port")
        }
        return MisbehavingServer(listener: listener, port: port, log: log, children: children)
    }

    /// Closes the listener and every connection it accepted.
    func stop() {
        listener.close(promise: nil)
        for child in children.withLockedValue({ $0 }) { child.close(promise: nil) }
    }
}

final class MisbehavingHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let mode: Misbehaviour
    let log: ServerLog
    private var received: [UInt8] = []
    private var answered = false
    private var drip: RepeatedTask?

    init(mode: Misbehaviour, log: ServerLog) {
        self.mode = mode
        self.log = log
    }

    func channelActive(context: ChannelHandlerContext) {
        if case .resetOnAccept = mode { Self.reset(context.channel) }
        context.fireChannelActive()
    }

    /// Closes with SO_LINGER 0: the kernel sends RST instead of FIN.
    static func reset(_ channel: any Channel) {
        if let provider = channel as? any SocketOptionProvider {
            provider.setSoLinger(linger(l_onoff: 1, l_linger: 0)).whenComplete { _ in channel.close(promise: nil) }
        } else {
            Issue.record("the child channel offers no socket options")
            channel.close(promise: nil)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        let bytes = buffer.readBytes(length: buffer.readableBytes) ?? []
        if answered {
            if case let .plaintextInsteadOfTLS(_, plaintext) = mode {
                if bytes.first == 0x16 { log.clientHello() }
                write(plaintext, context: context)
            }
            return
        }
        received += bytes
        // Wait for the whole X.224 Connection Request: its TPKT length says how long it is.
        guard received.count >= 4, received.count >= Int(received[2]) << 8 | Int(received[3]) else { return }
        answered = true
        log.request(received)
        let channel = context.channel
        switch mode {
        case .answer(let reply):
            write(reply, context: context)
        case .echo:
            write(received, context: context)
        case .answerThenClose(let reply):
            context.writeAndFlush(wrapOutboundOut(channel.allocator.buffer(bytes: reply)))
                .whenComplete { _ in channel.close(promise: nil) }
        case let .drip(header, every):
            write(header, context: context)
            let log = self.log
            drip = context.eventLoop.scheduleRepeatedTask(initialDelay: every, delay: every) { _ in
                log.drip(1)
                channel.writeAndFlush(channel.allocator.buffer(bytes: [0x00]), promise: nil)
            }
        case let .plaintextInsteadOfTLS(confirm, plaintext):
            write(confirm + plaintext, context: context)
        case .closeAfterRequest:
            context.close(promise: nil)
        case .halfCloseAfterRequest:
            context.close(mode: .output, promise: nil)
        case .resetAfterRequest:
            Self.reset(channel)
        case .answerThenReset(let reply):
            context.writeAndFlush(wrapOutboundOut(channel.allocator.buffer(bytes: reply)))
                .whenComplete { _ in Self.reset(channel) }
        case let .flood(first, chunk, every):
            write(first, context: context)
            let log = self.log
            drip = context.eventLoop.scheduleRepeatedTask(initialDelay: every, delay: every) { _ in
                guard channel.isActive else { return }
                log.drip(chunk.count)
                channel.writeAndFlush(channel.allocator.buffer(bytes: chunk), promise: nil)
            }
        case .stopReading(let reply):
            write(reply, context: context)
            context.channel.setOption(.autoRead, value: false).whenFailure { _ in channel.close(promise: nil) }
        case .resetOnAccept:
            break
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        drip?.cancel()
        drip = nil
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    private func write(_ bytes: [UInt8], context: ChannelHandlerContext) {
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(bytes: bytes)), promise: nil)
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}
