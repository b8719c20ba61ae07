import NIOCore

#if canImport(Glibc)
    import Glibc
#endif

/// First in every probe connection's pipeline: after each flush, asks the
/// kernel to acknowledge what has arrived now rather than on the delayed-ACK
/// timer (Linux's TCP_QUICKACK, which the kernel drops again on its own, so
/// it is set anew each time).
///
/// Why: a server that writes without TCP_NODELAY holds a small answer (Nagle)
/// until its previous small segment is acknowledged, e.g. the TLS 1.3 session
/// tickets it sends right after the handshake; with a delayed ACK on our side
/// every such answer came 40 ms late (the testbed's RD Gateway showed it at
/// every 401). The bytes and their order are unchanged; only our ACKs go
/// sooner, so the step times are the server's and the path's, not two timers'.
final class QuickAckHandler: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    func flush(context: ChannelHandlerContext) {
        context.flush()
        Self.acknowledgeNow(context.channel)
    }

    static func acknowledgeNow(_ channel: any Channel) {
        #if os(Linux)
            let option = ChannelOptions.Types.SocketOption(level: .tcp, name: .init(rawValue: TCP_QUICKACK))
            try? channel.syncOptions?.setOption(option, value: 1)
        #endif
    }
}
