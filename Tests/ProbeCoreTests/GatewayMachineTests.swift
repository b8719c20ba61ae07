import Foundation
import NTLM
import ProbeCore
import RDPWire
import TSGU
import Testing

/// A scripted RD Gateway: it answers each thing the machine sends the way the
/// testbed's gateway.py (and an RD Gateway) does, with variants for each failure.
struct ScriptedGateway {
    enum Variant { case healthy, rapDenied, napDenied, notFound, legacyOnly, wrongPassword, badPacketLength, consentClose }
    var variant: Variant
    var step = 0
    var frames = WebSocketDecoder()
    var packets = TSGUFramer()
    var sentRequests: [String] = []
    var clientPackets: [TSGU.PacketType] = []
    /// The legacy IN channel: its request heads, and its chunked body not yet read.
    var inRequests: [String] = []
    var inBody: [UInt8] = []

    init(_ variant: Variant) { self.variant = variant }

    static func http(_ status: String, _ headers: [String]) -> [UInt8] {
        Array((["HTTP/1.1 \(status)"] + headers + ["", ""]).joined(separator: "\r\n").utf8)
    }

    static func server(_ type: UInt16, _ body: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = [UInt8(type & 0xFF), UInt8(type >> 8), 0, 0]
        let length = UInt32(8 + body.count)
        bytes += [UInt8(length & 0xFF), UInt8(length >> 8 & 0xFF), 0, 0]
        return [0x82, UInt8(bytes.count + body.count)] + bytes + body
    }

    static func le32(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8(value >> (8 * $0) & 0xFF) } }

    static let challenge: [UInt8] = ChallengeMessage(
        flags: NegotiateFlags.clientDefault.union([.negotiateTargetInfo]).subtracting([.negotiateVersion]), targetName: "TESTBED",
        serverChallenge: [1, 2, 3, 4, 5, 6, 7, 8],
        targetInfo: TargetInfo(pairs: [
            AVPair(id: .nbDomainName, string: "TESTBED"),
            AVPair(id: .nbComputerName, string: "GATEWAY"),
        ])
    ).encoded()

    /// What the gateway answers to `sent`.
    mutating func answer(_ sent: [UInt8]) -> [UInt8] {
        if sentRequests.count < 2, let text = String(bytes: sent, encoding: .utf8), text.hasPrefix("RDG_OUT_DATA") {
            sentRequests.append(text)
            if variant == .notFound {
                return Self.http("404 Not Found", ["Server: Microsoft-IIS/10.0", "Content-Length: 0"])
            }
            if sentRequests.count == 1 {
                return Self.http(
                    "401 Unauthorized",
                    [
                        "WWW-Authenticate: NTLM " + Base64.encode(Self.challenge),
                        "WWW-Authenticate: Negotiate", "Content-Length: 0",
                    ])
            }
            if variant == .wrongPassword {
                return Self.http("401 Unauthorized", ["WWW-Authenticate: Negotiate", "WWW-Authenticate: NTLM"])
            }
            if variant == .legacyOnly { return Self.http("200 OK", []) + [UInt8](repeating: 0xAB, count: 10) }
            let key =
                text.split(separator: "\r\n").first { $0.hasPrefix("Sec-WebSocket-Key: ") }
                .map { String($0.dropFirst("Sec-WebSocket-Key: ".count)) } ?? ""
            return Self.http(
                "101 Switching Protocols",
                [
                    "Upgrade: websocket", "Connection: Upgrade",
                    "Sec-WebSocket-Accept: " + WebSocket.accept(key: key),
                ])
        }
        frames.append(sent)
        var out: [UInt8] = []
        while let frame = try? frames.next() {
            packets.append(frame.payload)
            while let packet = try? packets.next() {
                clientPackets.append(packet.type)
                out += reply(to: packet)
            }
        }
        return out
    }

    /// What the gateway answers to bytes on the legacy IN channel: an HTTP
    /// answer on that channel, and bare packets on the OUT channel.
    mutating func answerIn(_ sent: [UInt8]) -> (inChannel: [UInt8], outChannel: [UInt8]) {
        if let text = String(bytes: sent, encoding: .utf8), text.hasPrefix("RDG_IN_DATA") {
            inRequests.append(text)
            switch inRequests.count {
            case 1:
                return (
                    Self.http(
                        "401 Unauthorized",
                        [
                            "WWW-Authenticate: NTLM " + Base64.encode(Self.challenge),
                            "Content-Length: 0",
                        ]), []
                )
            case 2: return (Self.http("200 OK", ["Content-Length: 0"]), [])
            default: return ([], [])
            }
        }
        inBody += sent
        var out: [UInt8] = []
        // chunks: hex size CRLF, the packet, CRLF
        while let lineEnd = (0..<max(0, inBody.count - 1)).first(where: { inBody[$0] == 0x0D && inBody[$0 + 1] == 0x0A }),
            let size = Int(String(decoding: inBody[..<lineEnd], as: UTF8.self), radix: 16),
            inBody.count >= lineEnd + 2 + size + 2
        {
            packets.append(inBody[(lineEnd + 2)..<(lineEnd + 2 + size)])
            inBody.removeFirst(lineEnd + 2 + size + 2)
            while let packet = try? packets.next() {
                clientPackets.append(packet.type)
                out += reply(to: packet).dropFirst(2)  // bare: no WebSocket frame head
            }
        }
        return ([], out)
    }

    func reply(to packet: TSGU.Packet) -> [UInt8] {
        switch packet.type {
        case .handshakeRequest:
            return Self.server(0x2, [0, 0, 0, 0, 1, 0, 0, 0, 0, 0])
        case .tunnelCreate:
            if variant == .badPacketLength { return [0x82, 8, 0x05, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0x7F] }
            return Self.server(0x5, [0, 0] + Self.le32(0) + [3, 0, 0, 0] + Self.le32(7) + Self.le32(3))
        case .tunnelAuth:
            if variant == .napDenied { return Self.server(0x7, Self.le32(0x8007_59DB) + [0, 0, 0, 0]) }
            return Self.server(0x7, Self.le32(0) + [3, 0, 0, 0] + Self.le32(0) + Self.le32(30))
        case .channelCreate:
            if variant == .rapDenied { return Self.server(0x9, Self.le32(0x8007_59DA) + [0, 0, 0, 0]) }
            return Self.server(0x9, Self.le32(0) + [1, 0, 0, 0] + Self.le32(9))
        case .data:
            if variant == .consentClose { return Self.server(0x10, Self.le32(0x8007_59DD)) }
            // an X.224 Connection Confirm, as xrdp sends it
            let confirm: [UInt8] = [3, 0, 0, 19, 14, 0xD0, 0, 0, 0x12, 0x34, 0, 2, 0x1F, 8, 0, 1, 0, 0, 0]
            return Self.server(0xA, [UInt8(confirm.count), 0] + confirm)
        case .closeChannel:
            return Self.server(0x11, Self.le32(0))
        default:
            return []
        }
    }
}

@Suite("GatewayMachine: a walk through an RD Gateway, driven by scripted bytes")
struct GatewayMachineTests {
    static let ms: UInt64 = 1_000_000
    static let password = "Gw-Secret-4242"

    static func options(credentials: Bool = true, trusted: Bool = true) -> GatewayMachine.Options {
        let counter = Counter()
        return GatewayMachine.Options(
            gatewayHost: "gw.example.test", tls: TLSParameters(serverName: "gw.example.test"),
            timeouts: StepTimeouts(connectMs: 1000, stepMs: 800),
            connectionID: "{11111111-2222-3333-4444-555555555555}", clientName: "rdpdoctor",
            targetHost: "rdp.example.test", targetPort: 3389,
            credentials: credentials ? GatewayCredentials(user: "gwuser", domain: "", password: password) : nil,
            mayAuthenticate: { _ in trusted }, random: { counter.next($0) },
            currentTime: FileTime(rawValue: 133_000_000_000_000_000),
            channelProbe: [3, 0, 0, 11, 6, 0xE0, 0, 0, 0, 0, 0])
    }

    final class Counter: @unchecked Sendable {
        private var value: UInt8 = 0
        func next(_ count: Int) -> [UInt8] {
            (0..<count).map { _ in
                value &+= 1; return value
            }
        }
    }

    /// Runs the machine against the scripted gateway until it finishes (bounded).
    static func walk(_ variant: ScriptedGateway.Variant, options: GatewayMachine.Options = options())
        -> (GatewayMachine, ScriptedGateway)
    {
        var machine = GatewayMachine(options: options)
        var gateway = ScriptedGateway(variant)
        var now: UInt64 = 0
        var pending = machine.handle(.connecting, now: now)
        now += ms
        pending += machine.handle(.connected, now: now)
        var rounds = 0
        while !machine.isFinished && rounds < 50 {
            rounds += 1
            var next: [ConnectionAction] = []
            for action in pending {
                now += ms
                switch action {
                case .startTLS:
                    next += machine.handle(.tlsEstablished(TLSSessionInfo(version: .tls13, peerChain: [[0x30, 0]])), now: now)
                case .send(let bytes):
                    let reply = gateway.answer(bytes)
                    if !reply.isEmpty { next += machine.handle(.received(reply), now: now) }
                case .second(.open):
                    next += machine.handle(.second(.established(TLSSessionInfo(version: .tls13, peerChain: [[0x30, 0]]))), now: now)
                case .second(.send(let bytes)):
                    let (toIn, toOut) = gateway.answerIn(bytes)
                    if !toIn.isEmpty { next += machine.handle(.second(.received(toIn)), now: now) }
                    if !toOut.isEmpty { next += machine.handle(.received(toOut), now: now) }
                case .close, .setDeadline, .tunnelTLS, .second(.close):
                    break
                }
            }
            pending = next
        }
        return (machine, gateway)
    }

    @Test("healthy: NTLM over HTTP, the WebSocket, HANDSHAKE to CHANNEL_CREATE, the target answers like RDP, CLOSE_CHANNEL")
    func healthy() throws {
        let (machine, gateway) = Self.walk(.healthy)
        let o = machine.observation
        #expect(machine.isFinished)
        #expect(o.failure == nil, "\(String(describing: o.failure))")
        #expect(o.steps.map(\.step) == GatewayObservation.Step.allCases)
        #expect(o.firstAnswer?.status == 401 && o.firstAnswer?.authenticationSchemes == ["NTLM", "Negotiate"])
        #expect(o.authentication == .accepted && o.transport == .webSocket)
        #expect(o.tunnel?.tunnelID == 7 && o.tunnelAuth?.idleTimeoutMinutes == 30 && o.channel?.channelID == 9)
        #expect(o.channelReplyIsTPKT == true && o.channelReplyBytes == 19)
        #expect(gateway.clientPackets == [.handshakeRequest, .tunnelCreate, .tunnelAuth, .channelCreate, .data, .closeChannel])
        // the first request carries NTLM's NEGOTIATE and asks for the upgrade, the second the AUTHENTICATE
        #expect(gateway.sentRequests[0].contains("Authorization: NTLM TlRMTVNTUAAB"))
        #expect(gateway.sentRequests[0].contains("Upgrade: websocket"))
        #expect(gateway.sentRequests[1].contains("Authorization: NTLM TlRMTVNTUAAD"))
    }

    @Test("RAP denied at CHANNEL_CREATE and NAP denied at TUNNEL_AUTH: the raw E_PROXY code and the step")
    func refusals() {
        let rap = Self.walk(.rapDenied).0.observation
        #expect(rap.failure == .init(step: .channelCreate, kind: .refused(GatewayResult(rawValue: 0x8007_59DA))))
        #expect(rap.reached == .tunnelAuth)
        let nap = Self.walk(.napDenied).0.observation
        #expect(nap.failure == .init(step: .tunnelAuth, kind: .refused(GatewayResult(rawValue: 0x8007_59DB))))
    }

    @Test("404 at the first request: an HTTP server without the gateway role")
    func notFound() {
        let o = Self.walk(.notFound).0.observation
        #expect(o.failure == .init(step: .http, kind: .httpStatus(404)))
        #expect(o.firstAnswer?.server == "Microsoft-IIS/10.0")
    }

    @Test("200 to the upgrade request: the tunnel walked over the legacy transport (RDG_IN_DATA on a second connection)")
    func legacyOnly() {
        let (machine, gateway) = Self.walk(.legacyOnly)
        let o = machine.observation
        #expect(o.transport == .legacyOnly && o.authentication == .accepted && o.failure == nil, "\(String(describing: o.failure))")
        #expect(o.steps.map(\.step) == GatewayObservation.Step.allCases)
        #expect(o.channelReplyIsTPKT == true && o.channelReplyBytes == 19)
        #expect(gateway.clientPackets == [.handshakeRequest, .tunnelCreate, .tunnelAuth, .channelCreate, .data, .closeChannel])
        // the IN channel authenticates on its own (NTLM again), then opens its chunked body
        #expect(gateway.inRequests.count == 3)
        #expect(gateway.inRequests.first?.contains("Authorization: NTLM TlRMTVNTUAAB") == true)
        #expect(gateway.inRequests.dropFirst().first?.contains("Authorization: NTLM TlRMTVNTUAAD") == true)
        #expect(gateway.inRequests.last?.contains("Transfer-Encoding: chunked") == true)
        #expect(gateway.inRequests.allSatisfy { !$0.contains("Upgrade") && $0.contains("{11111111-2222-3333-4444-555555555555}") })
    }

    /// A machine relaying an open channel (healthy gateway, idle timeout 30 min), holding it HOLD ms after the walk.
    static func holding(_ holdMs: Double) -> (GatewayMachine, ScriptedGateway, [ConnectionAction]) {
        var options = Self.options()
        options.carriesWalk = true
        options.holdMs = holdMs
        var (machine, gateway) = Self.walk(.healthy, options: options)
        #expect(machine.isRelaying)
        let actions = machine.closeChannel(now: 1_000 * ms)
        return (machine, gateway, actions)
    }

    @Test("--hold: the channel stays open after the walk, KEEPALIVE every 30 s (idle timeout advertised), closed by rdpdoctor at the end")
    func holdStillOpen() throws {
        var (machine, gateway, actions) = Self.holding(70_000)
        #expect(actions == [.setDeadline(31_000 * Self.ms)])
        var keepalives = 0
        for at in [31_000, 61_000, 71_000] as [UInt64] {
            for case .send(let bytes) in machine.handle(.deadline, now: at * Self.ms) {
                _ = gateway.answer(bytes)
                keepalives += 1
            }
        }
        #expect(gateway.clientPackets.suffix(3) == [.keepalive, .keepalive, .closeChannel])
        let hold = try #require(machine.observation.hold)
        #expect(hold.end == .stillOpen && hold.keepalivesSent == 2 && hold.heldMs == 70_000 && keepalives == 3)
        #expect(hold.keepaliveIntervalMs == 30_000)
    }

    @Test("--hold: the gateway closes the idle channel with CLOSE_CHANNEL: when and its status")
    func holdClosedByGateway() throws {
        var (machine, _, _) = Self.holding(70_000)
        let actions = machine.handle(.received(ScriptedGateway.server(0x10, ScriptedGateway.le32(0x8007_59F8))), now: 13_500 * Self.ms)
        #expect(machine.isFinished && actions.contains(.close))
        let hold = try #require(machine.observation.hold)
        #expect(hold.end == .closeChannel && hold.closeStatus == GatewayResult(rawValue: 0x8007_59F8) && hold.heldMs == 12_500)
        #expect(machine.observation.failure == nil)
        // a reset instead
        var (reset, _, _) = Self.holding(70_000)
        _ = reset.handle(.peerClosed(.reset), now: 2_000 * Self.ms)
        #expect(reset.observation.hold?.end == .reset && reset.observation.failure == nil)
    }

    @Test("a wrong password: 401 again, authentication rejected (apart from the target)")
    func wrongPassword() {
        let o = Self.walk(.wrongPassword).0.observation
        #expect(o.authentication == .rejected)
        #expect(o.failure == .init(step: .authentication, kind: .httpStatus(401)))
    }

    @Test("an untrusted gateway certificate: no AUTHENTICATE goes out")
    func untrusted() {
        let (machine, gateway) = Self.walk(.healthy, options: Self.options(trusted: false))
        #expect(machine.observation.authentication == .withheldUntrustedCertificate)
        #expect(gateway.sentRequests.count == 1)
        let none = Self.walk(.healthy, options: Self.options(credentials: false)).0.observation
        #expect(none.authentication == .noCredentials && none.firstAnswer?.status == 401)
    }

    @Test("a packet length of 2 GiB: a typed protocol error at its step, nothing allocated")
    func badLength() throws {
        let o = Self.walk(.badPacketLength).0.observation
        let failure = try #require(o.failure)
        #expect(failure.step == .tunnelCreate)
        guard case .protocolError(let text) = failure.kind else {
            Issue.record("\(failure)")
            return
        }
        #expect(text.contains("packetLength"))
    }

    @Test("CLOSE_CHANNEL from the gateway with a status: kept raw")
    func closedByGateway() {
        let o = Self.walk(.consentClose).0.observation
        #expect(o.closedByGateway == GatewayResult(rawValue: 0x8007_59DD))
        #expect(o.failure == .init(step: .channel, kind: .refused(GatewayResult(rawValue: 0x8007_59DD))))
    }

    @Test("every step has a deadline: silence after the first request is 'no answer' at http; an SSH banner is a protocolError")
    func silence() {
        var machine = GatewayMachine(options: Self.options())
        _ = machine.handle(.connecting, now: 0)
        _ = machine.handle(.connected, now: Self.ms)
        _ = machine.handle(.tlsEstablished(TLSSessionInfo(version: .tls13, peerChain: [])), now: 2 * Self.ms)
        #expect(machine.handle(.deadline, now: 900 * Self.ms) == [.close])
        #expect(machine.observation.failure == .init(step: .http, kind: .noAnswer))
        var garbage = GatewayMachine(options: Self.options())
        _ = garbage.handle(.connecting, now: 0)
        _ = garbage.handle(.connected, now: Self.ms)
        _ = garbage.handle(.tlsEstablished(TLSSessionInfo(version: .tls13, peerChain: [])), now: 2 * Self.ms)
        _ = garbage.handle(.received(Array("SSH-2.0-OpenSSH_9.2\r\n\r\n".utf8)), now: 3 * Self.ms)
        #expect(garbage.isFinished)
        guard case .protocolError? = garbage.observation.failure?.kind else {
            Issue.record("\(String(describing: garbage.observation.failure))")
            return
        }
    }

    @Test("the password is in no observation, description or encoding")
    func passwordNeverShown() throws {
        let (machine, _) = Self.walk(.healthy)
        let json = String(decoding: try JSONEncoder().encode(machine.observation), as: UTF8.self)
        #expect(!json.contains(Self.password))
        let credentials = GatewayCredentials(user: "u", domain: "d", password: Self.password)
        #expect(!"\(credentials)".contains(Self.password))
        #expect(!String(reflecting: credentials).contains(Self.password))
        var dumped = ""
        dump(credentials, to: &dumped)
        #expect(!dumped.contains(Self.password))
    }
}
