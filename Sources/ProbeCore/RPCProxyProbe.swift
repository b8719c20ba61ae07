import TSGU

/// What the legacy RPC-over-HTTP transport's URL answered ([MS-RPCH] through
/// `/rpc/rpcproxy.dll`, the transport older clients and `/gt:rpc` use). No
/// credentials go there: the first answer is all that is asked.
public struct RPCProxyObservation: Codable, Sendable, Equatable {
    /// The HTTP status, when an HTTP answer came.
    public var status: Int?
    public var reason: String?
    public var server: String?
    public var authenticationSchemes: [String] = []
    /// Why no HTTP answer came (connection, TLS, deadline, not HTTP).
    public var failure: String?
    public var ms: Double?

    public init() {}

    /// An RPC proxy is there: 401 with a scheme (IIS guarding rpcproxy.dll), or 200.
    public var answers: Bool {
        (status == 401 && !authenticationSchemes.isEmpty) || status == 200
    }
}

/// One `RPC_IN_DATA /rpc/rpcproxy.dll?localhost:3388` on its own TLS
/// connection to the gateway, read to the end of the answer's head, with
/// the step deadline. Events in, actions out.
public struct RPCProxyProbeMachine: ConnectionMachine {
    enum State: Sendable { case idle, connecting, handshaking, awaiting, finished }

    public private(set) var observation = RPCProxyObservation()
    let host: String
    let tls: TLSParameters
    let timeouts: StepTimeouts
    var state: State = .idle
    var startedAt: UInt64 = 0
    var head: [UInt8] = []

    public init(host: String, tls: TLSParameters, timeouts: StepTimeouts) {
        self.host = host
        self.tls = tls
        self.timeouts = timeouts
    }

    public var isFinished: Bool {
        if case .finished = state { return true }
        return false
    }

    public mutating func handle(_ event: ConnectionEvent, now: UInt64) -> [ConnectionAction] {
        guard !isFinished else { return [] }
        switch event {
        case .connecting:
            startedAt = now
            state = .connecting
            return [.setDeadline(now + nanoseconds(timeouts.connectMs))]
        case .connected:
            state = .handshaking
            return [.startTLS(tls), .setDeadline(now + nanoseconds(timeouts.stepMs))]
        case .connectFailed(let failure):
            return fail("no connection (\(failure))", now: now)
        case .tlsEstablished:
            state = .awaiting
            return [.send(GatewayHTTP.rpcInDataRequest(host: host)), .setDeadline(now + nanoseconds(timeouts.stepMs))]
        case .tlsFailed(let reason):
            return fail("TLS failed: \(reason)", now: now)
        case .received(let bytes):
            guard case .awaiting = state else { return [] }
            head += bytes
            guard let end = HTTPResponseHead.end(of: head[...]) else {
                if head.count > GatewayHTTP.maximumHead { return fail("an answer head longer than \(GatewayHTTP.maximumHead) bytes", now: now) }
                return []
            }
            do {
                let answer = try HTTPResponseHead(head[..<end])
                observation.status = answer.status
                observation.reason = answer.reason
                observation.server = answer.value("Server")
                observation.authenticationSchemes = Array(answer.authenticationSchemes.prefix(8))
                return finish(now: now)
            } catch {
                return fail(error.description, now: now)
            }
        case .peerClosed(let kind):
            return fail("closed (\(kind)) before an answer", now: now)
        case .deadline:
            return fail("no answer within \(Int(timeouts.stepMs)) ms", now: now)
        case .rawBytesArrived, .tcpStatistics, .tunnelTLS, .second:
            return []
        }
    }

    private mutating func fail(_ why: String, now: UInt64) -> [ConnectionAction] {
        observation.failure = why
        return finish(now: now)
    }

    private mutating func finish(now: UInt64) -> [ConnectionAction] {
        observation.ms = now >= startedAt ? Double(now - startedAt) / 1_000_000 : 0
        state = .finished
        return [.close]
    }

    private func nanoseconds(_ ms: Double) -> UInt64 { UInt64(max(0, ms) * 1_000_000) }
}
