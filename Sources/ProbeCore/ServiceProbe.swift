import TSGU

/// Names what holds a port that did not answer the X.224 request like RDP:
/// it starts TLS at once (an HTTPS server or an RD Gateway speaks TLS from the
/// first byte) and, over it, asks what an RD Gateway client asks first
/// (`RDG_OUT_DATA`, MS-TSGU 2.2.3.3.1). Observations only: the diagnosis
/// rules decide what the answer means.
public struct ServiceProbeMachine: ConnectionMachine {
    /// The most of an HTTP answer read (its head is all that matters).
    static let maximumResponse = 16 * 1024

    enum State: Sendable {
        case idle, connecting, handshaking, awaitingHTTP, finished
    }

    public private(set) var observation = ServiceObservation()
    let tls: TLSParameters
    let timeouts: StepTimeouts
    let host: String
    let connectionID: String
    var state: State = .idle
    var startedAt: UInt64 = 0
    var response: [UInt8] = []

    /// `connectionID` is the RDG-Connection-Id header, a GUID in braces.
    public init(host: String, tls: TLSParameters, timeouts: StepTimeouts, connectionID: String) {
        self.host = host
        self.tls = tls
        self.timeouts = timeouts
        self.connectionID = connectionID
        observation.stepDeadlineMs = timeouts.stepMs
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
        case .connectFailed(let failure):
            observation.connectFailure = failure
            return finish(now: now)
        case .connected:
            observation.connected = true
            state = .handshaking
            return [.startTLS(tls), .setDeadline(now + nanoseconds(timeouts.stepMs))]
        case .tlsEstablished(let info):
            observation.tls = info
            state = .awaitingHTTP
            return [.send(Array(request.utf8)), .setDeadline(now + nanoseconds(timeouts.stepMs))]
        case .tlsFailed(let reason):
            observation.tlsFailure = reason
            return finish(now: now)
        case .received(let bytes):
            guard case .awaitingHTTP = state else { return [] }
            // Only the new bytes (and the three before them) can complete the blank line.
            let unsearched = max(0, response.count - 3)
            response += bytes.prefix(Self.maximumResponse - response.count)
            if response.count >= Self.maximumResponse || HTTPResponseHead.end(of: response[unsearched...]) != nil {
                return finish(now: now)
            }
            return []
        case .peerClosed(let kind):
            if case .handshaking = state { observation.closedDuringTLS = kind }
            return finish(now: now)
        case .deadline:
            switch state {
            case .connecting: observation.connectFailure = .timedOut
            case .handshaking: observation.noAnswerDuring = .tls
            case .awaitingHTTP: observation.noAnswerDuring = .http
            case .idle, .finished: break
            }
            return finish(now: now)
        case .rawBytesArrived, .tcpStatistics, .tunnelTLS, .second:
            return []
        }
    }

    var request: String {
        "RDG_OUT_DATA /remoteDesktopGateway/ HTTP/1.1\r\n"
            + "Host: \(host)\r\n"
            + "Accept: */*\r\n"
            + "Cache-Control: no-cache\r\n"
            + "Pragma: no-cache\r\n"
            + "Connection: close\r\n"
            + "RDG-Connection-Id: \(connectionID)\r\n"
            + "Content-Length: 0\r\n\r\n"
    }

    private mutating func finish(now: UInt64) -> [ConnectionAction] {
        if !response.isEmpty {
            observation.http = HTTPAnswer(parsing: response)
            if observation.http == nil { observation.nonHTTPBytes = min(response.count, Self.maximumResponse) }
        }
        observation.totalMs = now >= startedAt ? Double(now - startedAt) / 1_000_000 : 0
        state = .finished
        return [.close]
    }

    private func nanoseconds(_ ms: Double) -> UInt64 { UInt64(max(0, ms) * 1_000_000) }
}

/// What the port answered when spoken to as a TLS service.
public struct ServiceObservation: Codable, Sendable, Equatable {
    public enum Stage: String, Codable, Sendable {
        case tls, http
    }

    public var connected = false
    public var connectFailure: ConnectFailure?
    /// The TLS handshake completed with this session.
    public var tls: TLSSessionInfo?
    public var tlsFailure: String?
    /// The server closed during the TLS handshake.
    public var closedDuringTLS: CloseKind?
    /// Nothing came within the step deadline during this stage.
    public var noAnswerDuring: Stage?
    public var http: HTTPAnswer?
    /// Bytes came back over TLS that are not an HTTP answer.
    public var nonHTTPBytes: Int?
    public var stepDeadlineMs: Double?
    public var totalMs: Double = 0

    public init() {}
}

/// The head of an HTTP answer: status, and the headers that name the server
/// and the authentication it wants.
public struct HTTPAnswer: Codable, Sendable, Equatable {
    public var status: Int
    public var reason: String
    public var server: String?
    /// The schemes of every WWW-Authenticate header (NTLM, Negotiate, Basic…).
    public var authenticationSchemes: [String]

    public init(status: Int, reason: String, server: String?, authenticationSchemes: [String]) {
        self.status = status
        self.reason = reason
        self.server = server
        self.authenticationSchemes = authenticationSchemes
    }

    /// Reads a status line and headers (as the gateway walk reads them);
    /// nil when the bytes are not HTTP.
    init?(parsing bytes: [UInt8]) {
        let head = bytes.prefix(HTTPResponseHead.end(of: bytes[...]) ?? bytes.count)
        guard let parsed = try? HTTPResponseHead(head) else { return nil }
        status = parsed.status
        reason = parsed.reason
        server = parsed.value("Server").map { String($0.prefix(80)) }
        authenticationSchemes = parsed.authenticationSchemes.prefix(8).map { String($0.prefix(40)) }
    }
}
