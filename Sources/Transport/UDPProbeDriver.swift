import NIOCore
import NIOPosix
import ProbeCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Runs the sans-IO `UDPProbeMachine` over a real UDP socket.
///
/// The datagram channel is connected to the target (the kernel binds it to an
/// ephemeral local port on connect). Connecting matters twice: only the
/// target's datagrams reach us, and an ICMP port unreachable comes back as
/// ECONNREFUSED on the socket, which a plain sendto socket never reports.
public struct UDPProbeDriver: Sendable {
    let group: any EventLoopGroup
    /// With `check --capture`: where the datagrams go.
    let recorder: TrafficRecorder?

    public init(group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, recorder: TrafficRecorder? = nil) {
        self.group = group
        self.recorder = recorder
    }

    /// Probes UDP `port` on the host of `address` (the TCP probes' address; its
    /// port is replaced) with a random initial sequence number, within `hardDeadline`.
    public func probe(
        _ address: SocketAddress, port: UInt16 = 3389, settings: UDPProbeSettings = .init(),
        hardDeadline: NIODeadline
    ) async -> UDPObservation {
        let machine = UDPProbeMachine(
            port: port, initialSequenceNumber: UInt32.random(in: .min ... .max),
            settings: settings)
        return await run(machine, to: address, hardDeadline: hardDeadline).observation
    }

    /// Drives `machine` until it finishes, the socket fails, or `hardDeadline`
    /// passes, and returns it as it ended. The UDP port comes from the machine.
    public func run(
        _ machine: UDPProbeMachine, to address: SocketAddress,
        hardDeadline: NIODeadline
    ) async -> UDPProbeMachine {
        var machine = machine
        var target = address
        target.port = Int(machine.observation.port)
        machine.setAddress(target.ipAddress ?? "\(target)")
        guard hardDeadline > NIODeadline.now() else {
            // The check's time is up before this probe could start.
            _ = machine.handle(.timeUp, now: UDPProbeHandler.now)
            return machine
        }
        let eventLoop = group.next()
        let promise = eventLoop.makePromise(of: UDPProbeMachine.self)
        let bootstrap = DatagramBootstrap(group: eventLoop)
            .channelInitializer { [machine, recorder] channel in
                channel.eventLoop.makeCompletedFuture {
                    if let recorder { try channel.pipeline.syncOperations.addHandler(UDPCaptureTap(recorder: recorder)) }
                    let handler = UDPProbeHandler(machine: machine, promise: promise, hardDeadline: hardDeadline)
                    try channel.pipeline.syncOperations.addHandler(handler)
                }
            }
        bootstrap.connect(to: target).whenFailure { [machine] error in
            // No socket, so no handler saw anything: the copy from before is current.
            var failed = machine
            _ = failed.handle(.failed(UDPProbeHandler.describe(error)), now: UDPProbeHandler.now)
            promise.succeed(failed)
        }
        return (try? await promise.futureResult.get()) ?? machine
    }
}

/// Feeds datagram socket happenings into the machine and carries out its
/// actions. Lives on one event loop; never shared across threads.
final class UDPProbeHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = ByteBuffer

    private var machine: UDPProbeMachine
    private let promise: EventLoopPromise<UDPProbeMachine>
    private let hardDeadline: NIODeadline
    private var stepTimer: Scheduled<Void>?
    private var hardTimer: Scheduled<Void>?
    private var closing = false

    init(machine: UDPProbeMachine, promise: EventLoopPromise<UDPProbeMachine>, hardDeadline: NIODeadline) {
        self.machine = machine
        self.promise = promise
        self.hardDeadline = hardDeadline
    }

    func channelActive(context: ChannelHandlerContext) {
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        hardTimer = context.eventLoop.scheduleTask(deadline: hardDeadline) {
            let (handler, context) = loopBound.value
            handler.feed(.timeUp, context: context)
        }
        feed(.ready, context: context)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var datagram = unwrapInboundIn(data).data
        feed(.received(datagram.readBytes(length: datagram.readableBytes) ?? []), context: context)
    }

    /// Datagram channels report ECONNREFUSED and friends here without closing.
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        feed(Self.event(for: error), context: context)
    }

    func channelInactive(context: ChannelHandlerContext) {
        stepTimer?.cancel()
        hardTimer?.cancel()
        if !machine.isFinished {
            _ = machine.handle(.failed("the socket closed"), now: Self.now)
        }
        promise.succeed(machine)
        context.fireChannelInactive()
    }

    private func feed(_ event: UDPProbeEvent, context: ChannelHandlerContext) {
        guard !machine.isFinished else { return }
        for action in machine.handle(event, now: Self.now) { perform(action, context: context) }
        if machine.isFinished { close(context: context) }
    }

    private func perform(_ action: UDPProbeAction, context: ChannelHandlerContext) {
        switch action {
        case .send(let bytes):
            // A failed send (ECONNREFUSED after an ICMP error, no route) is news for the machine.
            let written = context.eventLoop.makePromise(of: Void.self)
            let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            written.futureResult.whenFailure { error in
                let (handler, context) = loopBound.value
                handler.feed(Self.event(for: error), context: context)
            }
            context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(bytes: bytes)), promise: written)
        case .setDeadline(let when):
            stepTimer?.cancel()
            let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            stepTimer = context.eventLoop.scheduleTask(deadline: NIODeadline.uptimeNanoseconds(when)) {
                let (handler, context) = loopBound.value
                handler.feed(.deadline, context: context)
            }
        case .close:
            close(context: context)
        }
    }

    private func close(context: ChannelHandlerContext) {
        guard !closing else { return }
        closing = true
        context.close(promise: nil)
    }

    static var now: UInt64 { NIODeadline.now().uptimeNanoseconds }

    static func event(for error: any Error) -> UDPProbeEvent {
        if let io = error as? IOError, io.errnoCode == ECONNREFUSED { return .portUnreachable }
        return .failed(describe(error))
    }

    static func describe(_ error: any Error) -> String {
        guard let io = error as? IOError else { return String(describing: error) }
        switch io.errnoCode {
        case EHOSTUNREACH: return "host unreachable (EHOSTUNREACH)"
        case ENETUNREACH: return "network unreachable (ENETUNREACH)"
        case EHOSTDOWN: return "host down (EHOSTDOWN)"
        case ENETDOWN: return "network down (ENETDOWN)"
        case EACCES, EPERM: return "sending was refused locally, by a firewall rule or policy (\(io.errnoCode))"
        default: return String(describing: io)
        }
    }
}
