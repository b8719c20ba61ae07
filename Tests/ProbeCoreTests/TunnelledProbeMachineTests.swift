import ProbeCore
import RDPProtocol
import TSGU
import Testing

/// The RDP walk inside an RD Gateway channel: the scripted gateway opens the
/// channel and answers the first DATA with xrdp's X.224 Connection Confirm;
/// the test plays the in-memory TLS engine (it only records what it is asked).
@Suite("TunnelledProbeMachine: the direct walk's machine, carried in DATA packets")
struct TunnelledProbeMachineTests {
    static let ms = GatewayMachineTests.ms

    struct Run {
        var machine: TunnelledProbeMachine
        var gateway: ScriptedGateway
        var tlsRequests: [TunnelTLSAction] = []
    }

    /// `early` comes right after the gateway's TCP connection, before any channel.
    static func run(_ variant: ScriptedGateway.Variant, early: ConnectionEvent? = nil) -> Run {
        let walk = CheckPlan(target: Target(host: "rdp.example.test", port: 3389))
            .machine(.defaultClient, timeouts: StepTimeouts(connectMs: 800, stepMs: 800))
        var run = Run(
            machine: TunnelledProbeMachine(gateway: GatewayMachineTests.options(), walk: walk),
            gateway: ScriptedGateway(variant))
        var now: UInt64 = 0
        var pending = run.machine.handle(.connecting, now: now)
        now += ms
        pending += run.machine.handle(.connected, now: now)
        if let early { pending += run.machine.handle(early, now: now) }
        var rounds = 0
        while !run.machine.isFinished, !pending.isEmpty, rounds < 60 {
            rounds += 1
            var next: [ConnectionAction] = []
            for action in pending {
                now += ms
                switch action {
                case .startTLS:
                    next += run.machine.handle(.tlsEstablished(TLSSessionInfo(version: .tls13, peerChain: [[0x30, 0]])), now: now)
                case .send(let bytes):
                    let reply = run.gateway.answer(bytes)
                    if !reply.isEmpty { next += run.machine.handle(.received(reply), now: now) }
                case .tunnelTLS(let request):
                    run.tlsRequests.append(request)
                    if case .start = request {
                        // The target's TLS "completes" at once; what follows goes no further.
                        next += run.machine.handle(.tunnelTLS(.established(TLSSessionInfo(version: .tls12, peerChain: [[0x30, 1]]))), now: now)
                    }
                case .close, .setDeadline, .second:
                    break
                }
            }
            pending = next
        }
        return run
    }

    @Test("the channel carries the X.224 request; the confirm is the walk's; its TLS goes to the tunnel's engine")
    func walksInside() throws {
        let run = Self.run(.healthy)
        let record = try #require(run.machine.record)
        #expect(record.throughGateway == "gw.example.test")
        #expect(record.purpose == .defaultClient)
        // The first DATA was the default client's X.224 Connection Request (TLS, CredSSP, HYBRID_EX).
        #expect(run.gateway.clientPackets.contains(.data))
        #expect(record.negotiation == .selected(protocol: .ssl, flags: NegotiationResponseFlags(rawValue: 0x1F)))
        #expect(record.timings.map(\.step).prefix(3) == [.tcp, .x224, .tls])
        #expect(record.tls?.version == .tls12)
        // After the target's TLS, the walk's MCS Connect Initial went to the engine, not into DATA in clear.
        guard case .start(let parameters) = run.tlsRequests.first else {
            Issue.record("no TLS start: \(run.tlsRequests)")
            return
        }
        #expect(parameters.serverName == "rdp.example.test")
        #expect(run.tlsRequests.contains { if case .write = $0 { true } else { false } })
        #expect(run.machine.gateway.observation.failure == nil)
        #expect(run.machine.gateway.observation.channel != nil)
    }

    @Test("RAP denied: the gateway stops before the channel; there is no tunnelled record")
    func refusedBeforeChannel() {
        let run = Self.run(.rapDenied)
        #expect(run.machine.isFinished)
        #expect(run.machine.record == nil)
        #expect(run.machine.gateway.observation.failure?.step == .channelCreate)
    }

    @Test("the gateway closes the channel on the first DATA: the target hung up at X.224, not a gateway failure")
    func targetHangsUp() throws {
        let run = Self.run(.consentClose)
        let record = try #require(run.machine.record)
        guard case .peerClosed(.fin, let step, _) = record.end else {
            Issue.record("\(record.end)")
            return
        }
        #expect(step == .x224)
        #expect(run.machine.gateway.observation.failure == nil)
        #expect(run.machine.gateway.observation.closedByGateway?.rawValue == 0x8007_59DD)
        #expect(run.machine.isFinished)
    }

    /// unasked-tunnel-tls-never-ends (gateway-tunnel fuzz target, 6.4 million
    /// executions in; Fuzz/regressions/gateway-tunnel/): a tunnel TLS failure
    /// before the walk had asked for TLS ended the walk before the channel
    /// opened; the channel then relayed for a walk that would never close it,
    /// and no deadline ended the machine.
    @Test("unasked-tunnel-tls-never-ends: a tunnel TLS event the walk never asked for is ignored; deadlines end the machine")
    func unaskedTunnelTLS() throws {
        var run = Self.run(.healthy, early: .tunnelTLS(.failed("bad record mac")))
        let record = try #require(run.machine.record)
        #expect(record.tls?.version == .tls12, "the walk went on as if nothing came: \(record.end)")
        var now: UInt64 = 1_000 * Self.ms
        for _ in 0..<4 where !run.machine.isFinished {
            now += 1_000 * Self.ms
            _ = run.machine.handle(.deadline, now: now)
        }
        #expect(run.machine.isFinished)
    }
}
