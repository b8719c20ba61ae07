import NTLM
import RDPWire
import TSGU

/// Gateway credentials (--gateway-user and the password from a prompt, stdin or
/// RDPDOCTOR_GATEWAY_PASSWORD). Every textual and reflective view redacts the password.
public struct GatewayCredentials: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public let user: String
    public let domain: String
    let password: String

    public init(user: String, domain: String, password: String) {
        self.user = user
        self.domain = domain
        self.password = password
    }

    /// The target's account for the gateway too (the clients' "use my RD Gateway
    /// credentials for the remote computer", the other way round).
    public init(sameAs request: CredentialRequest) {
        self.init(user: request.user, domain: request.domain, password: request.password)
    }

    public var description: String { "GatewayCredentials(user: \(user), domain: \(domain), password: <redacted>)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["user": user, "domain": domain], displayStyle: .struct) }
}

/// One walk through an RD Gateway on one connection (MS-TSGU 3.3.5.1 with the
/// WebSocket transport): TLS, RDG_OUT_DATA with the upgrade and NTLM over HTTP,
/// then HANDSHAKE, TUNNEL_CREATE, TUNNEL_AUTH, CHANNEL_CREATE, a first exchange
/// inside the channel, CLOSE_CHANNEL. Events in, actions out; every step has a
/// deadline; the gateway's bytes are read through bounded framers and a bad
/// byte ends the walk as a typed observation.
public struct GatewayMachine: ConnectionMachine {
    public struct Options: Sendable {
        /// The gateway's name as the client addresses it (Host header).
        public var gatewayHost: String
        public var tls: TLSParameters
        public var timeouts: StepTimeouts
        /// The RDG-Connection-Id header: a GUID in braces.
        public var connectionID: String
        /// TUNNEL_AUTH's client name.
        public var clientName: String
        public var targetHost: String
        public var targetPort: UInt16
        public var credentials: GatewayCredentials?
        /// Whether anything derived from the password may go to a gateway that
        /// presented this TLS session (its certificate trusted for the name,
        /// pinned, or --insecure): the caller's judgement, a pure function.
        public var mayAuthenticate: @Sendable (TLSSessionInfo) -> Bool
        /// Fresh random bytes (WebSocket key and masks, NTLM's challenge and key).
        public var random: @Sendable (Int) -> [UInt8]
        public var currentTime: FileTime
        /// Sent into the channel once it is open (e.g. an X.224 Connection
        /// Request), to see the target answer through the gateway.
        public var channelProbe: [UInt8]?
        /// The channel carries a whole walk (`TunnelledProbeMachine`): once it
        /// is open the machine relays DATA both ways instead of probing.
        public var carriesWalk = false
        /// `--hold`: after the carried walk, keep the channel open this long
        /// (KEEPALIVE packets when the gateway advertised an idle timeout).
        public var holdMs: Double = 0

        public init(
            gatewayHost: String, tls: TLSParameters, timeouts: StepTimeouts, connectionID: String,
            clientName: String, targetHost: String, targetPort: UInt16, credentials: GatewayCredentials?,
            mayAuthenticate: @escaping @Sendable (TLSSessionInfo) -> Bool,
            random: @escaping @Sendable (Int) -> [UInt8], currentTime: FileTime, channelProbe: [UInt8]?
        ) {
            self.gatewayHost = gatewayHost
            self.tls = tls
            self.timeouts = timeouts
            self.connectionID = connectionID
            self.clientName = clientName
            self.targetHost = targetHost
            self.targetPort = targetPort
            self.credentials = credentials
            self.mayAuthenticate = mayAuthenticate
            self.random = random
            self.currentTime = currentTime
            self.channelProbe = channelProbe
        }
    }

    enum State: Sendable {
        case idle, connecting, handshaking
        /// The first request went (with NTLM's NEGOTIATE, or without credentials).
        case firstRequest(negotiate: [UInt8]?)
        case authenticating
        case tunnel(GatewayObservation.Step)
        /// The channel is open and carries a walk: DATA both ways.
        case relaying
        /// CLOSE_CHANNEL sent; waiting for its response.
        case closing
        /// The walk is over; the channel is kept open until `until` (`--hold`).
        case holding(since: UInt64, until: UInt64)
        /// The OUT channel answered 200 (no WebSocket): the IN channel is being set up.
        case legacyIn(LegacyIn)
        case finished
    }

    /// The legacy transport's second connection (RDG_IN_DATA), until its 200.
    enum LegacyIn: Sendable {
        case opening
        case firstRequest(negotiate: [UInt8]?)
        case authenticating
    }

    /// HTTP heads and the bytes before a WebSocket are read up to this much.
    static let maximumHTTP = GatewayHTTP.maximumHead
    /// The capabilities TUNNEL_CREATE announces: the idle timeout.
    static let capabilities: UInt32 = 0x2

    public private(set) var observation: GatewayObservation
    let options: Options
    var state: State = .idle
    var startedAt: UInt64 = 0
    var stepStartedAt: UInt64 = 0
    var http: [UInt8] = []
    var webSocketKey = ""
    var frames = WebSocketDecoder()
    var packets = TSGUFramer()
    /// The tunnel runs over the legacy transport: packets go out as chunks of
    /// RDG_IN_DATA's body on the second connection and come in bare on this one.
    var legacy = false
    /// The OUT channel's seed bytes still to skip.
    var seedLeft = 0
    /// The IN channel's answer head, until it is complete.
    var inHTTP: [UInt8] = []
    /// What the channel brought for the walk it carries, until taken.
    var channelInbox: [ChannelEvent] = []
    /// When CHANNEL_CREATE went out (the carried walk's TCP step starts there).
    public private(set) var channelRequestedAt: UInt64 = 0

    /// What the open channel brings the walk it carries.
    public enum ChannelEvent: Sendable, Equatable {
        case opened
        /// A DATA packet's payload: the target's bytes.
        case data([UInt8])
        /// The gateway closed the channel (CLOSE_CHANNEL): the target hung up.
        case closed
    }

    public init(options: Options) {
        self.options = options
        observation = GatewayObservation(
            gateway: options.gatewayHost,
            target: "\(options.targetHost):\(options.targetPort)")
        observation.stepDeadlineMs = options.timeouts.stepMs
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
            stepStartedAt = now
            state = .connecting
            return [.setDeadline(now + nanoseconds(options.timeouts.connectMs))]
        case .connected:
            completed(.tcp, now: now)
            state = .handshaking
            return [.startTLS(options.tls), .setDeadline(now + nanoseconds(options.timeouts.stepMs))]
        case .connectFailed(let failure):
            return fail(.tcp, .connectFailed(failure), now: now)
        case .tlsEstablished(let info):
            observation.tls = info
            completed(.tls, now: now)
            return firstRequest(now: now)
        case .tlsFailed(let reason):
            return fail(.tls, .tls(reason), now: now)
        case .received(let bytes):
            return received(bytes, now: now)
        case .peerClosed(let kind):
            if case .closing = state { return finish(now: now) }
            if case .holding(let since, _) = state { return held(kind == .reset ? .reset : .closedByGateway, since: since, now: now) }
            return fail(currentStep, .closed(kind), now: now)
        case .deadline:
            if case .closing = state { return finish(now: now) }
            if case .holding(let since, let until) = state { return holdTick(since: since, until: until, now: now) }
            // The carried walk owns the deadlines while the channel relays.
            if case .relaying = state { return [] }
            return fail(currentStep, .noAnswer, now: now)
        case .second(let happening):
            return second(happening, now: now)
        case .rawBytesArrived, .tcpStatistics, .tunnelTLS:
            return []
        }
    }

    /// The step under way.
    var currentStep: GatewayObservation.Step {
        switch state {
        case .idle, .connecting: .tcp
        case .handshaking: .tls
        case .firstRequest, .legacyIn: .http
        case .authenticating: .authentication
        case .tunnel(let step): step
        case .relaying, .closing, .holding, .finished: .channel
        }
    }

    // MARK: - HTTP

    private mutating func firstRequest(now: UInt64) -> [ConnectionAction] {
        webSocketKey = Base64.encode(options.random(16))
        var negotiate: [UInt8]?
        var authorization: String?
        if options.credentials != nil {
            let message = NegotiateMessage(flags: .clientDefault).encoded()
            negotiate = message
            authorization = "NTLM " + Base64.encode(message)
        }
        state = .firstRequest(negotiate: negotiate)
        let request = GatewayHTTP.request(
            method: "RDG_OUT_DATA", host: options.gatewayHost,
            connectionID: options.connectionID, authorization: authorization,
            webSocketKey: webSocketKey)
        return [.send(request), .setDeadline(now + nanoseconds(options.timeouts.stepMs))]
    }

    private mutating func received(_ bytes: [UInt8], now: UInt64) -> [ConnectionAction] {
        switch state {
        case .firstRequest, .authenticating:
            http += bytes
            guard let end = HTTPResponseHead.end(of: http[...]) else {
                if http.count > Self.maximumHTTP {
                    return fail(currentStep, .protocolError("an HTTP answer head longer than \(Self.maximumHTTP) bytes"), now: now)
                }
                return []
            }
            let head: HTTPResponseHead
            do {
                head = try HTTPResponseHead(http[..<end])
            } catch {
                return fail(currentStep, .protocolError(error.description), now: now)
            }
            let rest = Array(http[end...])
            http = []
            return answered(head, rest: rest, now: now)
        case .tunnel, .relaying, .closing, .holding, .legacyIn:
            return legacy ? outBytes(bytes, now: now) : tunnelBytes(bytes, now: now)
        case .idle, .connecting, .handshaking, .finished:
            return []
        }
    }

    private mutating func answered(_ head: HTTPResponseHead, rest: [UInt8], now: UInt64) -> [ConnectionAction] {
        let answer = HTTPAnswer(
            status: head.status, reason: head.reason, server: head.value("Server"),
            authenticationSchemes: Array(head.authenticationSchemes.prefix(8)))
        if case .firstRequest(let negotiate) = state {
            observation.firstAnswer = answer
            guard head.status == 401 else {
                if head.status == 101 || head.status == 200 { observation.authentication = .notAsked }
                return transportAnswer(head, rest: rest, step: .http, now: now)
            }
            completed(.http, now: now)
            guard let credentials = options.credentials, let negotiate else {
                observation.authentication = .noCredentials
                return finish(now: now)
            }
            guard let info = observation.tls, options.mayAuthenticate(info) else {
                observation.authentication = .withheldUntrustedCertificate
                return finish(now: now)
            }
            guard let token = head.authenticationToken(scheme: "NTLM"), let challenge = Base64.decode(token) else {
                return basic(head, credentials, now: now)
            }
            let authenticate: [UInt8]
            do {
                authenticate = try ntlmAuthenticate(credentials, negotiate: negotiate, challenge: challenge)
            } catch {
                return fail(.authentication, .protocolError("NTLM CHALLENGE: \(error)"), now: now)
            }
            observation.authenticationScheme = "NTLM"
            state = .authenticating
            let request = GatewayHTTP.request(
                method: "RDG_OUT_DATA", host: options.gatewayHost,
                connectionID: options.connectionID,
                authorization: "NTLM " + Base64.encode(authenticate),
                webSocketKey: webSocketKey)
            return [.send(request), .setDeadline(now + nanoseconds(options.timeouts.stepMs))]
        }
        observation.authenticatedAnswer = answer
        if head.status == 401 {
            observation.authentication = .rejected
            return fail(.authentication, .httpStatus(401), now: now)
        }
        observation.authentication = .accepted
        return transportAnswer(head, rest: rest, step: .authentication, now: now)
    }

    /// NTLM's AUTHENTICATE to a CHALLENGE (one exchange per HTTP connection).
    private func ntlmAuthenticate(
        _ credentials: GatewayCredentials, negotiate: [UInt8],
        challenge: [UInt8]
    ) throws -> [UInt8] {
        let offered = NegotiateMessage(flags: .clientDefault).flags
        let flags = offered.intersection(try ChallengeMessage(decoding: challenge).flags)
        return try NTLMv2.authenticate(
            NTLMAuthenticateParameters(
                credentials: NTLMCredentials(
                    user: credentials.user, domain: credentials.domain,
                    password: credentials.password),
                negotiateMessage: negotiate, challengeMessage: challenge, flags: flags,
                workstation: options.clientName, clientChallenge: options.random(8),
                randomSessionKey: options.random(16), currentTime: options.currentTime,
                targetName: "HTTP/" + options.gatewayHost)
        ).encoded
    }

    /// The Basic header value for an account; nil when the account cannot be
    /// written in it (a colon in the name, RFC 7617).
    private static func basicAuthorization(_ credentials: GatewayCredentials) -> String? {
        let account = credentials.domain.isEmpty ? credentials.user : credentials.domain + "\\" + credentials.user
        guard !account.contains(":") else { return nil }
        return "Basic " + Base64.encode(Array((account + ":" + credentials.password).utf8))
    }

    /// A gateway that offers Basic and no NTLM challenge: the account and its
    /// password, base64 inside the TLS session the caller judged (RFC 7617).
    private mutating func basic(
        _ head: HTTPResponseHead, _ credentials: GatewayCredentials,
        now: UInt64
    ) -> [ConnectionAction] {
        guard head.authenticationSchemes.contains(where: { $0.lowercased() == "basic" }),
            let authorization = Self.basicAuthorization(credentials)
        else {
            observation.authentication = .noUsableScheme
            return finish(now: now)
        }
        observation.authenticationScheme = "Basic"
        state = .authenticating
        let request = GatewayHTTP.request(
            method: "RDG_OUT_DATA", host: options.gatewayHost,
            connectionID: options.connectionID,
            authorization: authorization, webSocketKey: webSocketKey)
        return [.send(request), .setDeadline(now + nanoseconds(options.timeouts.stepMs))]
    }

    /// 101 (the WebSocket), 200 (legacy only) or another status.
    private mutating func transportAnswer(
        _ head: HTTPResponseHead, rest: [UInt8], step: GatewayObservation.Step,
        now: UInt64
    ) -> [ConnectionAction] {
        switch head.status {
        case 101:
            guard head.value("Sec-WebSocket-Accept") == WebSocket.accept(key: webSocketKey) else {
                return fail(step, .protocolError("101 without the Sec-WebSocket-Accept RFC 6455 requires"), now: now)
            }
            observation.transport = .webSocket
            completed(step, now: now)
            state = .tunnel(.handshake)
            var actions = send(TSGU.handshakeRequest(), now: now)
            if !rest.isEmpty { actions += tunnelBytes(rest, now: now) }
            return actions
        case 200:
            // No WebSocket: the legacy transport, RDG_IN_DATA on a second connection.
            observation.transport = .legacyOnly
            completed(step, now: now)
            legacy = true
            seedLeft = GatewayHTTP.legacySeedLength
            state = .legacyIn(.opening)
            var actions: [ConnectionAction] = [
                .second(.open(options.tls)),
                .setDeadline(now + nanoseconds(options.timeouts.stepMs)),
            ]
            if !rest.isEmpty { actions += outBytes(rest, now: now) }
            return actions
        default:
            return fail(step, .httpStatus(head.status), now: now)
        }
    }

    // MARK: - The tunnel

    private mutating func send(_ packet: [UInt8], now: UInt64) -> [ConnectionAction] {
        [carrying(packet), .setDeadline(now + nanoseconds(options.timeouts.stepMs))]
    }

    /// One packet to the gateway on the transport in use: a masked WebSocket
    /// frame, or a chunk of the legacy IN channel's body.
    private mutating func carrying(_ packet: [UInt8]) -> ConnectionAction {
        legacy ? .second(.send(GatewayHTTP.chunk(packet))) : .send(WebSocket.clientFrame(packet, mask: mask()))
    }

    private mutating func tunnelBytes(_ bytes: [UInt8], now: UInt64) -> [ConnectionAction] {
        frames.append(bytes)
        var actions: [ConnectionAction] = []
        do {
            while let frame = try frames.next() {
                switch frame.opcode {
                case .binary, .continuation:
                    packets.append(frame.payload)
                    while let packet = try packets.next() {
                        actions += try tunnelPacket(packet, now: now)
                        if isFinished { return actions }
                    }
                case .ping:
                    actions.append(.send(WebSocket.clientFrame(frame.payload, opcode: .pong, mask: mask())))
                case .close:
                    if case .holding(let since, _) = state { return actions + held(.closedByGateway, since: since, now: now) }
                    return actions + fail(currentStep, .closed(.fin), now: now)
                default:
                    break
                }
            }
        } catch {
            return actions + fail(currentStep, .protocolError(error.description), now: now)
        }
        return actions
    }

    /// The legacy OUT channel's bytes: the seed, then bare packets (read once
    /// the IN channel is up and the handshake went).
    private mutating func outBytes(_ bytes: [UInt8], now: UInt64) -> [ConnectionAction] {
        var bytes = bytes[...]
        if seedLeft > 0 {
            let skipped = min(seedLeft, bytes.count)
            seedLeft -= skipped
            bytes = bytes.dropFirst(skipped)
        }
        packets.append(bytes)
        if case .legacyIn = state { return [] }
        var actions: [ConnectionAction] = []
        do {
            while let packet = try packets.next() {
                actions += try tunnelPacket(packet, now: now)
                if isFinished { return actions }
            }
        } catch {
            return actions + fail(currentStep, .protocolError(error.description), now: now)
        }
        return actions
    }

    // MARK: - The legacy IN channel

    private mutating func second(_ happening: SecondConnectionEvent, now: UInt64) -> [ConnectionAction] {
        switch (happening, state) {
        case (.established(let info), .legacyIn(.opening)):
            // Its own authentication, and only to the gateway the OUT channel met.
            var authorization: String?
            var negotiate: [UInt8]?
            if let credentials = options.credentials, observation.authenticationScheme != nil {
                guard options.mayAuthenticate(info), info.peerChain.first == observation.tls?.peerChain.first else {
                    return fail(.http, .protocolError("the RDG_IN_DATA connection met another certificate than RDG_OUT_DATA"), now: now)
                }
                if observation.authenticationScheme == "Basic" {
                    authorization = Self.basicAuthorization(credentials)
                } else {
                    let message = NegotiateMessage(flags: .clientDefault).encoded()
                    negotiate = message
                    authorization = "NTLM " + Base64.encode(message)
                }
            }
            state = .legacyIn(.firstRequest(negotiate: negotiate))
            return inRequest(authorization, now: now)
        case (.received(let bytes), .legacyIn):
            inHTTP += bytes
            guard let end = HTTPResponseHead.end(of: inHTTP[...]) else {
                if inHTTP.count > Self.maximumHTTP {
                    return fail(.http, .protocolError("an RDG_IN_DATA answer head longer than \(Self.maximumHTTP) bytes"), now: now)
                }
                return []
            }
            let head: HTTPResponseHead
            do {
                head = try HTTPResponseHead(inHTTP[..<end])
            } catch {
                return fail(.http, .protocolError("RDG_IN_DATA: \(error.description)"), now: now)
            }
            inHTTP = Array(inHTTP[end...])
            return inAnswered(head, now: now)
        case (.received, _):
            // Nothing more is expected on the IN channel after its 200.
            return []
        case (.failed(let reason), _):
            return fail(currentStep, .protocolError("the RDG_IN_DATA connection: \(reason)"), now: now)
        case (.closed(let kind), _):
            if case .closing = state { return finish(now: now) }
            if case .holding(let since, _) = state { return held(kind == .reset ? .reset : .closedByGateway, since: since, now: now) }
            return fail(currentStep, .closed(kind), now: now)
        case (.established, _):
            return []
        }
    }

    private mutating func inRequest(_ authorization: String?, now: UInt64) -> [ConnectionAction] {
        let request = GatewayHTTP.request(
            method: "RDG_IN_DATA", host: options.gatewayHost,
            connectionID: options.connectionID, authorization: authorization,
            webSocketKey: nil)
        return [.second(.send(request)), .setDeadline(now + nanoseconds(options.timeouts.stepMs))]
    }

    private mutating func inAnswered(_ head: HTTPResponseHead, now: UInt64) -> [ConnectionAction] {
        if head.status == 401, case .legacyIn(.firstRequest(let negotiate?)) = state,
            let credentials = options.credentials,
            let token = head.authenticationToken(scheme: "NTLM"), let challenge = Base64.decode(token)
        {
            let authenticate: [UInt8]
            do {
                authenticate = try ntlmAuthenticate(credentials, negotiate: negotiate, challenge: challenge)
            } catch {
                return fail(.authentication, .protocolError("NTLM CHALLENGE on RDG_IN_DATA: \(error)"), now: now)
            }
            state = .legacyIn(.authenticating)
            return inRequest("NTLM " + Base64.encode(authenticate), now: now)
        }
        guard head.status == 200 else {
            return fail(head.status == 401 ? .authentication : .http, .httpStatus(head.status), now: now)
        }
        // The IN channel is up: its body, chunk by chunk, carries every packet from here on.
        let body = GatewayHTTP.request(
            method: "RDG_IN_DATA", host: options.gatewayHost,
            connectionID: options.connectionID, authorization: nil,
            webSocketKey: nil, chunkedBody: true)
        state = .tunnel(.handshake)
        var actions: [ConnectionAction] = [.second(.send(body))]
        actions += send(TSGU.handshakeRequest(), now: now)
        // Packets the OUT channel brought already.
        actions += outBytes([], now: now)
        return actions
    }

    private mutating func tunnelPacket(_ packet: TSGU.Packet, now: UInt64) throws(WireError) -> [ConnectionAction] {
        switch (state, packet.type) {
        case (.tunnel(.handshake), .handshakeResponse):
            let response = try HandshakeResponse(packet.body)
            observation.handshake = response
            if response.result.failed { return fail(.handshake, .refused(response.result), now: now) }
            completed(.handshake, now: now)
            state = .tunnel(.tunnelCreate)
            return send(TSGU.tunnelCreate(capabilities: Self.capabilities), now: now)
        case (.tunnel(.tunnelCreate), .tunnelResponse):
            let response = try TunnelResponse(packet.body)
            observation.tunnel = response
            if response.result.failed { return fail(.tunnelCreate, .refused(response.result), now: now) }
            completed(.tunnelCreate, now: now)
            state = .tunnel(.tunnelAuth)
            return send(TSGU.tunnelAuth(clientName: options.clientName), now: now)
        case (.tunnel(.tunnelAuth), .tunnelAuthResponse):
            let response = try TunnelAuthResponse(packet.body)
            observation.tunnelAuth = response
            if response.result.failed { return fail(.tunnelAuth, .refused(response.result), now: now) }
            completed(.tunnelAuth, now: now)
            state = .tunnel(.channelCreate)
            channelRequestedAt = now
            return send(TSGU.channelCreate(host: options.targetHost, port: options.targetPort), now: now)
        case (.tunnel(.channelCreate), .channelResponse):
            let response = try ChannelResponse(packet.body)
            observation.channel = response
            if response.result.failed { return fail(.channelCreate, .refused(response.result), now: now) }
            completed(.channelCreate, now: now)
            if options.carriesWalk {
                state = .relaying
                channelInbox.append(.opened)
                return []
            }
            guard let probe = options.channelProbe, !probe.isEmpty else { return close(now: now) }
            state = .tunnel(.channel)
            return send(TSGU.data(probe.prefix(0xFFFF)), now: now)
        case (.tunnel(.channel), .data):
            let payload = try DataPacket.payload(packet.body)
            observation.channelReplyBytes = (observation.channelReplyBytes ?? 0) + payload.count
            if observation.channelReplyIsTPKT == nil { observation.channelReplyIsTPKT = payload.first == 0x03 }
            completed(.channel, now: now)
            return close(now: now)
        case (.relaying, .data):
            let payload = try DataPacket.payload(packet.body)
            if observation.channelReplyBytes == nil { completed(.channel, now: now) }
            observation.channelReplyBytes = (observation.channelReplyBytes ?? 0) + payload.count
            if observation.channelReplyIsTPKT == nil { observation.channelReplyIsTPKT = payload.first == 0x03 }
            channelInbox.append(.data(Array(payload)))
            return []
        case (.relaying, .closeChannel):
            // The target's side ended: the gateway closes the channel (not a gateway failure).
            observation.closedByGateway = try ClosePacket.status(packet.body)
            channelInbox.append(.closed)
            return [carrying(TSGU.closeChannelResponse())] + finish(now: now)
        case (.holding(let since, _), .closeChannel):
            observation.hold?.closeStatus = try ClosePacket.status(packet.body)
            return [carrying(TSGU.closeChannelResponse())] + held(.closeChannel, since: since, now: now)
        case (.holding, .data):
            return []
        case (.closing, .closeChannelResponse), (.closing, .data):
            return packet.type == .data ? [] : finish(now: now)
        case (_, .closeChannel):
            let status = try ClosePacket.status(packet.body)
            observation.closedByGateway = status
            if case .closing = state { return finish(now: now) }
            return [carrying(TSGU.closeChannelResponse())] + fail(currentStep, .refused(status), now: now)
        case (_, .keepalive), (_, .serviceMessage):
            return []
        default:
            throw WireError(
                .invalidField(reason: "came while waiting for step \(currentStep.rawValue)"),
                pdu: "TSGU \(packet.type)", field: "type")
        }
    }

    // MARK: - Carrying a walk

    /// The channel is open and relays the carried walk's bytes.
    public var isRelaying: Bool {
        if case .relaying = state { return true }
        return false
    }

    /// What the channel brought since the last call.
    public mutating func takeChannelEvents() -> [ChannelEvent] {
        defer { channelInbox = [] }
        return channelInbox
    }

    /// The carried walk's bytes for the target, in DATA packets (the walk sets
    /// its own deadlines).
    public mutating func carry(_ bytes: [UInt8]) -> [ConnectionAction] {
        guard isRelaying else { return [] }
        var actions: [ConnectionAction] = []
        var rest = bytes[...]
        while !rest.isEmpty {
            let chunk = rest.prefix(DataPacket.maximumPayload)
            rest = rest.dropFirst(chunk.count)
            actions.append(carrying(TSGU.data(chunk)))
        }
        return actions
    }

    /// The carried walk is over: CLOSE_CHANNEL, as a client leaves.
    public mutating func closeChannel(now: UInt64) -> [ConnectionAction] {
        guard isRelaying else { return [] }
        guard options.holdMs > 0 else { return close(now: now) }
        // --hold: the channel stays open; KEEPALIVE as a client sends it when the gateway has an idle timeout.
        var hold = GatewayObservation.Hold(requestedMs: options.holdMs)
        if let minutes = observation.tunnelAuth?.idleTimeoutMinutes, minutes > 0 {
            hold.keepaliveIntervalMs = min(Double(minutes) * 60_000 / 2, Self.keepaliveCeilingMs)
        }
        observation.hold = hold
        let until = now + nanoseconds(options.holdMs)
        state = .holding(since: now, until: until)
        return [.setDeadline(nextHoldDeadline(since: now, until: until, now: now))]
    }

    /// KEEPALIVE at least this often while holding (proxies in front cut idle connections sooner than gateways).
    static let keepaliveCeilingMs: Double = 30_000

    private func nextHoldDeadline(since: UInt64, until: UInt64, now: UInt64) -> UInt64 {
        guard let interval = observation.hold?.keepaliveIntervalMs else { return until }
        return min(until, now + nanoseconds(interval))
    }

    private mutating func holdTick(since: UInt64, until: UInt64, now: UInt64) -> [ConnectionAction] {
        guard now < until else {
            observation.hold?.heldMs = Double(now - since) / 1_000_000
            observation.hold?.end = .stillOpen
            return close(now: now)
        }
        observation.hold?.keepalivesSent += 1
        return [carrying(TSGU.keepalive()), .setDeadline(nextHoldDeadline(since: since, until: until, now: now))]
    }

    /// The gateway ended the held channel.
    private mutating func held(_ end: GatewayObservation.Hold.End, since: UInt64, now: UInt64) -> [ConnectionAction] {
        observation.hold?.heldMs = now >= since ? Double(now - since) / 1_000_000 : 0
        observation.hold?.end = end
        return finish(now: now)
    }

    private mutating func close(now: UInt64) -> [ConnectionAction] {
        state = .closing
        return send(TSGU.closeChannel(), now: now)
    }

    private func mask() -> [UInt8] {
        let bytes = options.random(4)
        return bytes.count == 4 ? bytes : [0x5A, 0xA5, 0x3C, 0xC3]
    }

    // MARK: - Bookkeeping

    private mutating func completed(_ step: GatewayObservation.Step, now: UInt64) {
        let ms = now >= stepStartedAt ? Double(now - stepStartedAt) / 1_000_000 : 0
        observation.steps.append(.init(step: step, ms: ms))
        stepStartedAt = now
    }

    private mutating func fail(
        _ step: GatewayObservation.Step, _ kind: GatewayObservation.Failure.Kind,
        now: UInt64
    ) -> [ConnectionAction] {
        if observation.failure == nil { observation.failure = .init(step: step, kind: kind) }
        return finish(now: now)
    }

    private mutating func finish(now: UInt64) -> [ConnectionAction] {
        observation.totalMs = now >= startedAt ? Double(now - startedAt) / 1_000_000 : 0
        state = .finished
        return legacy ? [.second(.close), .close] : [.close]
    }

    private func nanoseconds(_ ms: Double) -> UInt64 { UInt64(max(0, ms) * 1_000_000) }
}
