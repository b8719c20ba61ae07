/// The RDP walk inside an RD Gateway channel, on the gateway's connection.
/// `GatewayMachine` walks the gateway to an open channel and then carries
/// bytes; `RDPProbeMachine` walks the target through it exactly as it walks a
/// direct connection (no second RDP walk): its TCP step is the gateway's
/// CHANNEL_CREATE, and its TLS runs inside the tunnel through the transport's
/// in-memory TLS engine (`ConnectionAction.tunnelTLS`), whose ciphertext
/// travels in DATA packets.
public struct TunnelledProbeMachine: ConnectionMachine {
    public private(set) var gateway: GatewayMachine
    public private(set) var walk: RDPProbeMachine
    /// The channel opened and the walk began.
    public private(set) var walked = false
    /// The walk asked for TLS: every byte both ways goes through the engine.
    var insideTLS = false

    public init(gateway options: GatewayMachine.Options, walk: RDPProbeMachine) {
        var options = options
        options.carriesWalk = true
        gateway = GatewayMachine(options: options)
        self.walk = walk
        self.walk.record.throughGateway = options.gatewayHost
    }

    public var isFinished: Bool { gateway.isFinished }

    /// The gateway's NTLM or the target's account inside the tunnel.
    public var carriesAccount: Bool { gateway.options.credentials != nil || walk.carriesAccount }

    /// The walk's record when the channel opened; nil when the gateway
    /// stopped before (its observation says where).
    public var record: ProbeRecord? { walked ? walk.record : nil }

    public mutating func handle(_ event: ConnectionEvent, now: UInt64) -> [ConnectionAction] {
        guard !gateway.isFinished else { return [] }
        switch event {
        case .tunnelTLS(let happening):
            // Only an engine the walk started speaks for the walk.
            return insideTLS ? fromTLS(happening, now: now) : []
        case .deadline where gateway.isRelaying:
            // A walk that ended without closing would leave the channel open for
            // good: the deadline closes it, so deadlines always end the machine.
            if walk.isFinished { return gateway.closeChannel(now: now) }
            return fromWalk(walk.handle(.deadline, now: now), now: now)
        case .peerClosed(let kind) where gateway.isRelaying:
            // The gateway's connection ended without CLOSE_CHANNEL: the gateway
            // records its failure, the walk that it was cut off.
            let actions = gateway.handle(event, now: now)
            _ = walk.handle(.peerClosed(kind), now: now)
            return actions
        default:
            let actions = gateway.handle(event, now: now)
            return actions + channel(gateway.takeChannelEvents(), now: now)
        }
    }

    private mutating func channel(_ events: [GatewayMachine.ChannelEvent], now: UInt64) -> [ConnectionAction] {
        var actions: [ConnectionAction] = []
        for event in events {
            switch event {
            case .opened:
                walked = true
                _ = walk.handle(.connecting, now: gateway.channelRequestedAt)
                actions += fromWalk(walk.handle(.connected, now: now), now: now)
            case .data(let bytes):
                _ = walk.handle(.rawBytesArrived(bytes.count), now: now)
                actions += insideTLS ? [.tunnelTLS(.feed(bytes))] : fromWalk(walk.handle(.received(bytes), now: now), now: now)
            case .closed:
                _ = walk.handle(.peerClosed(.fin), now: now)
            }
        }
        return actions
    }

    private mutating func fromTLS(_ happening: TunnelTLSEvent, now: UInt64) -> [ConnectionAction] {
        switch happening {
        case .output(let bytes): gateway.carry(bytes)
        case .established(let info): fromWalk(walk.handle(.tlsEstablished(info), now: now), now: now)
        case .plaintext(let bytes): fromWalk(walk.handle(.received(bytes), now: now), now: now)
        case .failed(let reason): fromWalk(walk.handle(.tlsFailed(reason), now: now), now: now)
        }
    }

    /// The walk's actions on the tunnel: bytes into DATA (through TLS once it
    /// started), its deadlines as they are, its close as CLOSE_CHANNEL.
    private mutating func fromWalk(_ actions: [ConnectionAction], now: UInt64) -> [ConnectionAction] {
        var out: [ConnectionAction] = []
        for action in actions {
            switch action {
            case .send(let bytes):
                out += insideTLS ? [.tunnelTLS(.write(bytes))] : gateway.carry(bytes)
            case .startTLS(let parameters):
                insideTLS = true
                out.append(.tunnelTLS(.start(parameters)))
            case .setDeadline:
                out.append(action)
            case .close:
                out += gateway.closeChannel(now: now)
            case .tunnelTLS, .second:
                break
            }
        }
        return out
    }
}
