import NIOCore
import NIOEmbedded
import NIOSSL
import NIOTLS
import ProbeCore

/// TLS inside a tunnel (the target's TLS through an RD Gateway channel):
/// NIOSSL's client handler, configured as every probe's, on an in-memory
/// channel. Ciphertext comes out for the machine to carry; what the machine
/// carries back goes in. Used on one event loop only, by one `ProbeHandler`.
final class TunnelTLSEngine {
    private let channel = EmbeddedChannel()
    private let certificates = CertificateBox()
    private let watcher = HandshakeWatcher()
    private var reportedEstablished = false
    private var reportedFailure = false

    init(_ parameters: TLSParameters) throws {
        let handler = try ProbeTLS.makeTLSHandler(parameters, keeping: certificates)
        try channel.pipeline.syncOperations.addHandlers([handler, watcher])
    }

    /// Begins the handshake: the ClientHello comes out.
    func start() -> [TunnelTLSEvent] {
        // An in-memory channel's address means nothing; becoming active starts the handshake.
        guard let nowhere = try? SocketAddress(ipAddress: "127.0.0.1", port: 9) else {
            return [.failed("could not start TLS inside the tunnel")]
        }
        channel.connect(to: nowhere, promise: nil)
        return drain()
    }

    /// Plaintext to encrypt for the peer.
    func write(_ bytes: [UInt8]) -> [TunnelTLSEvent] {
        channel.writeAndFlush(channel.allocator.buffer(bytes: bytes), promise: nil)
        return drain()
    }

    /// Ciphertext from the peer.
    func feed(_ bytes: [UInt8]) -> [TunnelTLSEvent] {
        do {
            try channel.writeInbound(channel.allocator.buffer(bytes: bytes))
        } catch {
            watcher.failure = watcher.failure ?? Self.describe(error)
        }
        return drain()
    }

    /// What the engine produced since the last call: ciphertext first (a
    /// Finished goes before what the walk sends next), then the handshake's
    /// end, the plaintext, a failure.
    private func drain() -> [TunnelTLSEvent] {
        // NIOSSL resumes a handshake after the certificate callback through the
        // event loop; an in-memory loop runs such tasks only when told to.
        channel.embeddedEventLoop.run()
        var events: [TunnelTLSEvent] = []
        var output: [UInt8] = []
        while let buffer = try? channel.readOutbound(as: ByteBuffer.self) {
            output += buffer.readableBytesView
        }
        if !output.isEmpty { events.append(.output(output)) }
        if watcher.established, !reportedEstablished {
            reportedEstablished = true
            let handler = try? channel.pipeline.syncOperations.handler(type: NIOSSLClientHandler.self)
            let version = handler?.tlsVersion.flatMap(ProbeTLS.version)
            events.append(.established(TLSSessionInfo(version: version, peerChain: certificates.chain)))
        }
        var plaintext: [UInt8] = []
        while let buffer = try? channel.readInbound(as: ByteBuffer.self) {
            plaintext += buffer.readableBytesView
        }
        if !plaintext.isEmpty { events.append(.plaintext(plaintext)) }
        if let failure = watcher.failure, !reportedFailure {
            reportedFailure = true
            events.append(.failed(failure))
        }
        return events
    }

    static func describe(_ error: any Error) -> String { TLSErrorText.describe(error) }
}

/// Sits after the TLS handler: notes the handshake's end and the first error,
/// and keeps errors from reaching the channel's end (where they would be thrown again).
private final class HandshakeWatcher: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer

    var established = false
    var failure: String?

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let tls = event as? TLSUserEvent, case .handshakeCompleted = tls { established = true }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let ssl = error as? NIOSSLError, case .uncleanShutdown = ssl { return }
        failure = failure ?? TunnelTLSEngine.describe(error)
    }
}
