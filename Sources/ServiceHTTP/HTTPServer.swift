// HTTP/1.1 framing for `rdpdoctor serve` (NIOHTTP1): one request per
// connection is handed to `ServiceApp`; the answer closes the connection
// unless the client asked to keep it alive. Request bodies are not read
// (no endpoint takes one), and a request head is bounded by NIO's parser.

import NIOCore
import NIOHTTP1
import NIOPosix
import Service

/// `ADDR:PORT`, `[IPv6]:PORT` or `:PORT` (loopback) for `--listen`.
public struct ListenAddress: Sendable, Equatable, CustomStringConvertible {
    public let host: String
    public let port: Int

    public static let defaultPort = 9389

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    public init?(_ text: String) {
        var host = "127.0.0.1"
        var portText = text
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else { return nil }
            host = String(text[text.index(after: text.startIndex)..<close])
            portText = String(text[text.index(close, offsetBy: 2)...])
        } else if let colon = text.lastIndex(of: ":") {
            if colon != text.startIndex { host = String(text[..<colon]) }
            portText = String(text[text.index(after: colon)...])
        } else {
            host = text
            portText = String(Self.defaultPort)
        }
        guard let port = Int(portText), (0...65535).contains(port), !host.isEmpty else { return nil }
        self.init(host: host, port: port)
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// The listening socket.
public struct HTTPServer: Sendable {
    let channel: any Channel

    /// The address actually bound (with port 0, the port the system chose).
    public var localAddress: ListenAddress? {
        guard let address = channel.localAddress, let port = address.port else { return nil }
        return ListenAddress(host: address.ipAddress ?? "?", port: port)
    }

    /// Binds `listen` and serves `app` until `close()`.
    public static func start(
        _ app: ServiceApp, listen: ListenAddress,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> HTTPServer {
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(IdleStateHandler(readTimeout: .seconds(30)))
                    try channel.pipeline.syncOperations.addHandler(RequestHandler(app: app))
                }
            }
        let channel = try await bootstrap.bind(host: listen.host, port: listen.port).get()
        return HTTPServer(channel: channel)
    }

    public func close() async {
        try? await channel.close()
    }

    /// Waits until the listening socket is closed.
    public func waitUntilClosed() async {
        try? await channel.closeFuture.get()
    }
}

final class RequestHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let app: ServiceApp
    private var head: HTTPRequestHead?
    private var busy = false

    init(app: ServiceApp) {
        self.app = app
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent, !busy {
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
        case .body:
            break
        case .end:
            guard let head, !busy else { return }
            self.head = nil
            busy = true
            let request = ServiceRequest(
                method: head.method.rawValue, uri: head.uri,
                headers: head.headers.map { ($0.name, $0.value) })
            let keepAlive = head.isKeepAlive
            let version = head.version
            let promise = context.eventLoop.makePromise(of: ServiceResponse.self)
            app.requestTaken()
            promise.completeWithTask { [app] in await app.handle(request) }
            let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            promise.futureResult.whenSuccess { [app] response in
                let (handler, context) = bound.value
                handler.busy = false
                handler.write(response, head: request.method == "HEAD", keepAlive: keepAlive, version: version, context: context)
                    .whenComplete { _ in app.requestAnswered() }
            }
        }
    }

    /// Writes the answer; the future completes once it is written (or the connection failed).
    private func write(
        _ response: ServiceResponse, head: Bool, keepAlive: Bool, version: HTTPVersion,
        context: ChannelHandlerContext
    ) -> EventLoopFuture<Void> {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: response.contentType)
        let body = ByteBuffer(string: response.body)
        headers.add(name: "Content-Length", value: String(body.readableBytes))
        headers.add(name: "Connection", value: keepAlive ? "keep-alive" : "close")
        let responseHead = HTTPResponseHead(version: version, status: HTTPResponseStatus(statusCode: response.status), headers: headers)
        context.write(wrapOutboundOut(.head(responseHead)), promise: nil)
        if !head {
            context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        }
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            let channel = context.channel
            done.whenComplete { _ in channel.close(promise: nil) }
        }
        return done
    }
}
