import Capture
import NIOConcurrencyHelpers
import NIOCore
import NIOSSL

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// First in a TCP connection's pipeline (below TLS): every byte written and
/// read as it crosses the socket, and how the connection ends, go to the
/// check's `TrafficRecorder`. Lives on the channel's event loop.
final class TCPCaptureTap: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let recorder: TrafficRecorder
    private let carriesAccount: Bool
    /// When the connect began: the SYN's time.
    private let startedMicros: Int64
    private var flow: Int?
    private var closedByUs = false
    private var ended = false
    /// The flow number, shared with the TLS key log callback (set on the event loop, before TLS starts).
    let keyLogFlow = KeyLogFlow()

    init(recorder: TrafficRecorder, carriesAccount: Bool) {
        self.recorder = recorder
        self.carriesAccount = carriesAccount
        startedMicros = recorder.micros()
    }

    func channelActive(context: ChannelHandlerContext) {
        if let client = Endpoint(context.channel.localAddress), let server = Endpoint(context.channel.remoteAddress) {
            let flow = recorder.open(.tcp, client: client, server: server, carriesAccount: carriesAccount)
            self.flow = flow
            keyLogFlow.set(flow)
            recorder.record(flow, .clientToServer, .connecting, at: startedMicros)
            recorder.record(flow, .serverToClient, .connected, at: recorder.micros())
        }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        if let flow, let bytes = buffer.getBytes(at: buffer.readerIndex, length: buffer.readableBytes) {
            recorder.record(flow, .serverToClient, .bytes(bytes), at: recorder.micros())
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let buffer = unwrapOutboundIn(data)
        if let flow, !ended, let bytes = buffer.getBytes(at: buffer.readerIndex, length: buffer.readableBytes) {
            recorder.record(flow, .clientToServer, .bytes(bytes), at: recorder.micros())
        }
        context.write(data, promise: promise)
    }

    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        if let flow, !ended {
            ended = true
            closedByUs = true
            recorder.record(flow, .clientToServer, .fin, at: recorder.micros())
        }
        context.close(mode: mode, promise: promise)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let flow, !ended, let io = error as? IOError, io.errnoCode == ECONNRESET || io.errnoCode == EPIPE {
            ended = true
            recorder.record(flow, .serverToClient, .reset, at: recorder.micros())
        }
        context.fireErrorCaught(error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let flow, !ended {
            // The server closed first; the socket's own close answers it.
            ended = true
            let now = recorder.micros()
            recorder.record(flow, .serverToClient, .fin, at: now)
            recorder.record(flow, .clientToServer, .fin, at: now)
        }
        context.fireChannelInactive()
    }

    /// The NIOSSL key log callback for this connection: each line goes to its flow.
    func keyLogCallback() -> NIOSSLKeyLogCallback {
        let recorder = recorder
        let flow = keyLogFlow
        return { buffer in
            guard let index = flow.get() else { return }
            var line = String(decoding: buffer.readableBytesView, as: UTF8.self)
            while line.last == "\n" || line.last == "\r" { line.removeLast() }
            recorder.keyLog(index, line)
        }
    }
}

/// A flow number written on the event loop and read by NIOSSL's callback.
final class KeyLogFlow: Sendable {
    private let value = NIOLockedValueBox<Int?>(nil)
    func set(_ flow: Int) { value.withLockedValue { $0 = flow } }
    func get() -> Int? { value.withLockedValue { $0 } }
}

/// First in a UDP probe's pipeline: the datagrams sent and received.
final class UDPCaptureTap: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias InboundOut = AddressedEnvelope<ByteBuffer>
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let recorder: TrafficRecorder
    private var flow: Int?

    init(recorder: TrafficRecorder) {
        self.recorder = recorder
    }

    /// The flow, opened at the first datagram (the socket is connected by then).
    private func openedFlow(_ context: ChannelHandlerContext) -> Int? {
        if flow == nil, let client = Endpoint(context.channel.localAddress),
            let server = Endpoint(context.channel.remoteAddress)
        {
            flow = recorder.open(.udp, client: client, server: server, carriesAccount: false)
        }
        return flow
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let datagram = unwrapInboundIn(data).data
        if let flow = openedFlow(context), let bytes = datagram.getBytes(at: datagram.readerIndex, length: datagram.readableBytes) {
            recorder.record(flow, .serverToClient, .bytes(bytes), at: recorder.micros())
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let buffer = unwrapOutboundIn(data)
        if let flow = openedFlow(context), let bytes = buffer.getBytes(at: buffer.readerIndex, length: buffer.readableBytes) {
            recorder.record(flow, .clientToServer, .bytes(bytes), at: recorder.micros())
        }
        context.write(data, promise: promise)
    }
}
