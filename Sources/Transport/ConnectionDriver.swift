import NIOCore
import NIOPosix
import NIOSSL
import NIOTLS
import ProbeCore

/// Runs one sans-IO connection machine over a real TCP connection and
/// returns the machine as it ended. The only place rdpdoctor opens sockets.
public struct ConnectionDriver: Sendable {
    let group: any EventLoopGroup
    /// With `check --capture`: where every connection's wire bytes and TLS keys go.
    let recorder: TrafficRecorder?

    public init(group: any EventLoopGroup, recorder: TrafficRecorder? = nil) {
        self.group = group
        self.recorder = recorder
    }

    /// Connects to `address`, drives `machine` until it finishes or the
    /// connection ends, and never runs past `hardDeadline`.
    public func run<Machine: ConnectionMachine>(
        _ machine: Machine, to address: SocketAddress, connectTimeout: TimeAmount, hardDeadline: NIODeadline,
        maximumSegmentSize: Int? = nil
    ) async -> Machine {
        await run(
            machine, to: address, connectTimeout: connectTimeout, hardDeadline: hardDeadline, gate: nil,
            maximumSegmentSize: maximumSegmentSize)
    }

    func run<Machine: ConnectionMachine>(
        _ machine: Machine, to address: SocketAddress, connectTimeout: TimeAmount, hardDeadline: NIODeadline,
        gate: ConnectGate?, maximumSegmentSize: Int? = nil
    ) async -> Machine {
        await gate?.acquire()
        var starting = machine
        _ = starting.handle(.connecting, now: NIODeadline.now().uptimeNanoseconds)
        // From here on the machine belongs to the channel's handler; this copy
        // only answers when the connection never comes up.
        let machine = starting
        let left = hardDeadline - NIODeadline.now()
        guard left > .zero else {
            // The check's time is up before this probe could start.
            gate?.release()
            var late = machine
            _ = late.handle(.deadline, now: NIODeadline.now().uptimeNanoseconds)
            return late
        }
        let eventLoop = group.next()
        let promise = eventLoop.makePromise(of: Machine.self)
        var bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(min(connectTimeout, left))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
        if let mss = maximumSegmentSize {
            // A small MSS keeps every segment under a broken path MTU (black hole search).
            bootstrap = bootstrap.channelOption(
                ChannelOptions.Types.SocketOption(level: .tcp, name: .init(rawValue: TCP_MAXSEG)), value: SocketOptionValue(mss))
        }
        bootstrap = bootstrap.channelInitializer { [recorder] channel in
            channel.eventLoop.makeCompletedFuture {
                let counter = RawByteCounter()
                // The tap goes first, nearest the socket: it sees what TLS wrote and what arrived.
                let tap = recorder.map { TCPCaptureTap(recorder: $0, carriesAccount: machine.carriesAccount) }
                let handler = ProbeHandler(
                    machine: machine, promise: promise, hardDeadline: hardDeadline,
                    gate: gate, counter: counter, keyLog: tap?.keyLogCallback(), address: address,
                    recorder: recorder)
                if let tap { try channel.pipeline.syncOperations.addHandler(tap) }
                try channel.pipeline.syncOperations.addHandlers([QuickAckHandler(), counter, handler])
            }
        }
        let connected = bootstrap.connect(to: address)
        connected.whenFailure { [machine] error in
            gate?.release()
            var failed = machine
            _ = failed.handle(.connectFailed(Self.connectFailure(error)), now: NIODeadline.now().uptimeNanoseconds)
            promise.succeed(failed)
        }
        return (try? await promise.futureResult.get()) ?? machine
    }

    static func connectFailure(_ error: any Error) -> ConnectFailure {
        if let channelError = error as? ChannelError, case .connectTimeout = channelError { return .timedOut }
        if let io = error as? IOError {
            if io.errnoCode == ECONNREFUSED { return .refused }
            // Accepted, then reset before NIO saw the connection complete.
            if io.errnoCode == ECONNRESET { return .resetAfterAccept }
            if io.errnoCode == ETIMEDOUT { return .timedOut }
        }
        if let connection = error as? NIOConnectionError {
            if connection.connectionErrors.contains(where: { ($0.error as? IOError)?.errnoCode == ECONNREFUSED }) { return .refused }
            return .unreachable(String(describing: connection.connectionErrors.first?.error ?? error))
        }
        return .unreachable(String(describing: error))
    }
}

/// Feeds socket happenings into the machine and carries out its actions.
/// Lives on one event loop; never shared across threads.
final class ProbeHandler<Machine: ConnectionMachine>: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var machine: Machine
    private let promise: EventLoopPromise<Machine>
    private let hardDeadline: NIODeadline
    private var stepTimer: Scheduled<Void>?
    private var hardTimer: Scheduled<Void>?
    var sawReset = false
    private var closing = false
    private var resolved = false
    private let certificates = CertificateBox()
    /// Held from connect until the server answers or the connection ends.
    private var gate: ConnectGate?
    /// TLS goes after it, so it keeps counting wire bytes.
    private let counter: RawByteCounter
    /// TLS inside a tunnel the machine carries (the RDP walk through an RD Gateway).
    private var tunnelTLS: TunnelTLSEngine?
    /// With --capture: where the socket's TLS session logs its secrets.
    private let keyLog: NIOSSLKeyLogCallback?
    /// Where this connection goes: a second one (`ConnectionAction.second`) goes there too.
    private let address: SocketAddress
    /// The machine's second connection, once up (the RD Gateway's legacy IN channel).
    private var second: (any Channel)?
    /// With --capture: the second connection is recorded too, as its own flow.
    private let recorder: TrafficRecorder?

    init(
        machine: Machine, promise: EventLoopPromise<Machine>, hardDeadline: NIODeadline, gate: ConnectGate?,
        counter: RawByteCounter, keyLog: NIOSSLKeyLogCallback? = nil, address: SocketAddress,
        recorder: TrafficRecorder? = nil
    ) {
        self.address = address
        self.recorder = recorder
        self.machine = machine
        self.promise = promise
        self.hardDeadline = hardDeadline
        self.gate = gate
        self.counter = counter
        self.keyLog = keyLog
    }

    /// The server has picked the connection up (or it is over): let the next one in.
    private func releaseGate() {
        gate?.release()
        gate = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        // By now the server's kernel has queued the connection; its accept loop takes
        // a few milliseconds more. Waiting for the first byte instead would cost a
        // whole round trip per connection on slow paths.
        context.eventLoop.scheduleTask(in: Self.acceptGrace) {
            loopBound.value.0.releaseGate()
        }
        hardTimer = context.eventLoop.scheduleTask(deadline: hardDeadline) {
            let (handler, context) = loopBound.value
            handler.feed(.deadline, context: context)
            handler.close(context: context)
        }
        feed(.connected, context: context)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        releaseGate()
        var buffer = unwrapInboundIn(data)
        let bytes = buffer.readBytes(length: buffer.readableBytes) ?? []
        feed(.received(bytes), context: context)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let arrived = event as? RawByteCounter.Arrived {
            feed(.rawBytesArrived(arrived.bytes), context: context)
            return
        }
        if let tls = event as? TLSUserEvent, case .handshakeCompleted = tls {
            let handler = try? context.pipeline.syncOperations.handler(type: NIOSSLClientHandler.self)
            let version = handler?.tlsVersion.flatMap(ProbeTLS.version)
            feed(.tlsEstablished(TLSSessionInfo(version: version, peerChain: certificates.chain)), context: context)
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let io = error as? IOError, io.errnoCode == ECONNRESET || io.errnoCode == EPIPE {
            sawReset = true
        } else if let ssl = error as? NIOSSLError {
            // An unclean shutdown is the peer closing mid-TLS: the close event says which kind.
            if case .uncleanShutdown = ssl { return }
            feed(.tlsFailed(TLSErrorText.describe(ssl)), context: context)
        } else if let ssl = error as? BoringSSLError {
            feed(.tlsFailed(TLSErrorText.describe(ssl)), context: context)
        }
        close(context: context)
    }

    func channelInactive(context: ChannelHandlerContext) {
        releaseGate()
        stepTimer?.cancel()
        hardTimer?.cancel()
        if !machine.isFinished {
            _ = machine.handle(.peerClosed(sawReset ? .reset : .fin), now: Self.now)
        }
        resolve()
        context.fireChannelInactive()
    }

    private func feed(_ event: ConnectionEvent, context: ChannelHandlerContext) {
        guard !machine.isFinished || event == .connected else { return }
        let actions = machine.handle(event, now: Self.now)
        for action in actions { perform(action, context: context) }
        if machine.isFinished { close(context: context) }
    }

    private func perform(_ action: ConnectionAction, context: ChannelHandlerContext) {
        switch action {
        case .send(let bytes):
            // A write can be the first to see a reset; NIO then closes without errorCaught.
            let promise = context.eventLoop.makePromise(of: Void.self)
            let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
            promise.futureResult.whenFailure { error in
                if let io = error as? IOError, io.errnoCode == ECONNRESET || io.errnoCode == EPIPE {
                    loopBound.value.sawReset = true
                }
            }
            context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(bytes: bytes)), promise: promise)
        case .startTLS(let parameters):
            do {
                let tls = try makeTLSHandler(parameters)
                try context.pipeline.syncOperations.addHandler(tls, position: .after(counter))
            } catch {
                feed(.tlsFailed("could not set up TLS locally: \(error)"), context: context)
            }
        case .setDeadline(let when):
            stepTimer?.cancel()
            let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            stepTimer = context.eventLoop.scheduleTask(deadline: NIODeadline.uptimeNanoseconds(when)) {
                let (handler, context) = loopBound.value
                handler.feed(.deadline, context: context)
            }
        case .close:
            close(context: context)
        case .tunnelTLS(let request):
            // TLS inside a tunnel: an in-memory engine; what it produced goes back
            // to the machine, which carries the ciphertext in its own packets.
            let happenings: [TunnelTLSEvent]
            switch request {
            case .start(let parameters):
                do {
                    let engine = try TunnelTLSEngine(parameters)
                    tunnelTLS = engine
                    happenings = engine.start()
                } catch {
                    happenings = [.failed("could not set up TLS locally: \(error)")]
                }
            case .write(let bytes): happenings = tunnelTLS?.write(bytes) ?? []
            case .feed(let bytes): happenings = tunnelTLS?.feed(bytes) ?? []
            }
            for happening in happenings { feed(.tunnelTLS(happening), context: context) }
        case .second(.open(let parameters)):
            openSecond(parameters, context: context)
        case .second(.send(let bytes)):
            second?.writeAndFlush(context.channel.allocator.buffer(bytes: bytes), promise: nil)
        case .second(.close):
            second?.close(promise: nil)
            second = nil
        }
    }

    /// Opens the second connection on this event loop, TLS on it, its
    /// happenings fed to the machine as `.second` events.
    private func openSecond(_ parameters: TLSParameters, context: ChannelHandlerContext) {
        guard second == nil, !closing else { return }
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        let left = hardDeadline - NIODeadline.now()
        let recorder = recorder
        let carriesAccount = machine.carriesAccount
        let connecting = ClientBootstrap(group: context.eventLoop)
            .connectTimeout(max(.milliseconds(1), left))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let certificates = CertificateBox()
                    // Recorded like the first (RDG_IN_DATA carries the client's half of the tunnel).
                    let tap = recorder.map { TCPCaptureTap(recorder: $0, carriesAccount: carriesAccount) }
                    let tls = try ProbeTLS.makeTLSHandler(parameters, keeping: certificates, keyLog: tap?.keyLogCallback())
                    if let tap { try channel.pipeline.syncOperations.addHandler(tap) }
                    let relay = SecondConnectionRelay(certificates: certificates) { happening in
                        let (handler, context) = loopBound.value
                        handler.feed(.second(happening), context: context)
                    }
                    try channel.pipeline.syncOperations.addHandlers([QuickAckHandler(), tls, relay])
                }
            }
            .connect(to: address)
        connecting.whenComplete { result in
            let (handler, context) = loopBound.value
            switch result {
            case .success(let channel):
                if handler.closing { channel.close(promise: nil) } else { handler.second = channel }
            case .failure(let error):
                handler.feed(.second(.failed(String(describing: ConnectionDriver.connectFailure(error)))), context: context)
            }
        }
    }

    private func close(context: ChannelHandlerContext) {
        guard !closing else { return }
        closing = true
        second?.close(promise: nil)
        second = nil
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        TCPStatistics.read(context.channel).whenComplete { result in
            let (handler, context) = loopBound.value
            if case .success(let stats?) = result {
                _ = handler.machine.handle(.tcpStatistics(stats), now: Self.now)
            }
            // The close goes out first (TLS writes its close_notify now), so the
            // connection is let go before the next probe's SYN. A finished machine's
            // record is complete: answer then rather than after a TLS shutdown that
            // waits for the peer (a slow path would hold the check past its deadline).
            context.close(promise: nil)
            if handler.machine.isFinished { handler.resolve() }
        }
    }

    private func resolve() {
        guard !resolved else { return }
        resolved = true
        promise.succeed(machine)
    }

    /// Accepts every certificate and keeps the chain: the probe must see any
    /// certificate; its problems become findings later.
    private func makeTLSHandler(_ parameters: TLSParameters) throws -> NIOSSLClientHandler {
        try ProbeTLS.makeTLSHandler(parameters, keeping: certificates, keyLog: keyLog)
    }

    static var now: UInt64 { NIODeadline.now().uptimeNanoseconds }
    static var acceptGrace: TimeAmount { .milliseconds(10) }
}

/// The second connection's side of a `ProbeHandler`: TLS is in front of it;
/// what arrives, the handshake and the end go back as `SecondConnectionEvent`s.
/// Lives on the first connection's event loop.
final class SecondConnectionRelay: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let certificates: CertificateBox
    private let report: (SecondConnectionEvent) -> Void
    private var sawReset = false

    init(certificates: CertificateBox, report: @escaping (SecondConnectionEvent) -> Void) {
        self.certificates = certificates
        self.report = report
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        report(.received(buffer.readBytes(length: buffer.readableBytes) ?? []))
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let tls = event as? TLSUserEvent, case .handshakeCompleted = tls {
            let handler = try? context.pipeline.syncOperations.handler(type: NIOSSLClientHandler.self)
            let version = handler?.tlsVersion.flatMap(ProbeTLS.version)
            report(.established(TLSSessionInfo(version: version, peerChain: certificates.chain)))
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let io = error as? IOError, io.errnoCode == ECONNRESET || io.errnoCode == EPIPE {
            sawReset = true
        } else if let ssl = error as? NIOSSLError {
            if case .uncleanShutdown = ssl { return }
            report(.failed(TLSErrorText.describe(ssl)))
        } else if let ssl = error as? BoringSSLError {
            report(.failed(TLSErrorText.describe(ssl)))
        }
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        report(.closed(sawReset ? .reset : .fin))
        context.fireChannelInactive()
    }
}

/// The chain seen by the verification callback; touched only on the channel's event loop.
final class CertificateBox: @unchecked Sendable {
    var chain: [[UInt8]] = []
}

/// How every probe speaks TLS, on a socket or inside a tunnel.
enum ProbeTLS {
    /// The probe's TLS client: any certificate is accepted and its chain kept in `box`.
    static func makeTLSHandler(
        _ parameters: TLSParameters, keeping box: CertificateBox,
        keyLog: NIOSSLKeyLogCallback? = nil
    ) throws -> NIOSSLClientHandler {
        var configuration = TLSConfiguration.makeClientConfiguration()
        // Only with --capture: the session's secrets, for the capture's Decryption Secrets Block.
        configuration.keyLogCallback = keyLog
        configuration.minimumTLSVersion = nioVersion(parameters.minimum)
        configuration.maximumTLSVersion = nioVersion(parameters.maximum)
        configuration.certificateVerification = .noHostnameVerification
        // The callback below decides; loading the system store into every context
        // would cost memory and time for nothing (trust is judged by the audit).
        configuration.trustRoots = .certificates([])
        // A probe needs no orderly TLS goodbye; never wait for the peer's.
        configuration.shutdownTimeout = .milliseconds(100)
        let context = try NIOSSLContext(configuration: configuration)
        return try NIOSSLClientHandler(context: context, serverHostname: parameters.serverName) { chain, result in
            box.chain = chain.compactMap { try? $0.toDERBytes() }
            result.succeed(.certificateVerified)
        }
    }

    static func nioVersion(_ version: TLSProtocolVersion) -> TLSVersion {
        switch version {
        case .tls10: .tlsv1
        case .tls11: .tlsv11
        case .tls12: .tlsv12
        case .tls13: .tlsv13
        }
    }

    static func version(_ version: TLSVersion) -> TLSProtocolVersion? {
        switch version {
        case .tlsv1: .tls10
        case .tlsv11: .tls11
        case .tlsv12: .tls12
        case .tlsv13: .tls13
        }
    }
}
