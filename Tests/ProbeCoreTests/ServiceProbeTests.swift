import ProbeCore
import Testing

/// The service probe: TLS from the first byte, then the RD Gateway's first request.
@Suite("ServiceProbeMachine: naming a TLS-first port")
struct ServiceProbeTests {
    static let ms: UInt64 = 1_000_000
    static let timeouts = StepTimeouts(connectMs: 1000, stepMs: 800)

    static func machine() -> ServiceProbeMachine {
        ServiceProbeMachine(
            host: "gw.example.test", tls: TLSParameters(serverName: "gw.example.test"),
            timeouts: timeouts, connectionID: "{11111111-2222-3333-4444-555555555555}")
    }

    @Test("TLS at once, then RDG_OUT_DATA with the connection id; a 401 with schemes, in pieces, is read")
    func gatewayAnswer() throws {
        var machine = Self.machine()
        #expect(machine.handle(.connecting, now: 0) == [.setDeadline(1000 * Self.ms)])
        #expect(
            machine.handle(.connected, now: 1 * Self.ms)
                == [.startTLS(TLSParameters(serverName: "gw.example.test")), .setDeadline(801 * Self.ms)])
        let actions = machine.handle(.tlsEstablished(TLSSessionInfo(version: .tls12, peerChain: [])), now: 2 * Self.ms)
        guard case .send(let request)? = actions.first else {
            Issue.record("\(actions)")
            return
        }
        let text = String(decoding: request, as: UTF8.self)
        #expect(text.hasPrefix("RDG_OUT_DATA /remoteDesktopGateway/ HTTP/1.1\r\n"))
        #expect(text.contains("RDG-Connection-Id: {11111111-2222-3333-4444-555555555555}\r\n"))
        #expect(text.hasSuffix("\r\n\r\n"))
        let answer =
            "HTTP/1.1 401 Unauthorized\r\nServer: Microsoft-HTTPAPI/2.0\r\nWWW-Authenticate: Negotiate\r\nWWW-Authenticate: NTLM\r\nContent-Length: 0\r\n\r\n"
        let bytes = Array(answer.utf8)
        #expect(machine.handle(.received(Array(bytes[..<30])), now: 3 * Self.ms) == [])
        #expect(machine.handle(.received(Array(bytes[30...])), now: 4 * Self.ms) == [.close])
        let http = try #require(machine.observation.http)
        #expect(
            http
                == HTTPAnswer(
                    status: 401, reason: "Unauthorized", server: "Microsoft-HTTPAPI/2.0",
                    authenticationSchemes: ["Negotiate", "NTLM"]))
    }

    @Test("the head's end is found wherever the chunks split it, the blank line included")
    func headEndAcrossChunks() {
        let bytes = Array("HTTP/1.1 404 Not Found\r\nServer: nginx\r\n\r\n".utf8)
        for split in 1..<bytes.count {
            var machine = Self.machine()
            _ = machine.handle(.connecting, now: 0)
            _ = machine.handle(.connected, now: 1)
            _ = machine.handle(.tlsEstablished(TLSSessionInfo(version: .tls13, peerChain: [])), now: 2)
            #expect(machine.handle(.received(Array(bytes[..<split])), now: 3) == [], "split at \(split)")
            #expect(machine.handle(.received(Array(bytes[split...])), now: 4) == [.close], "split at \(split)")
            #expect(machine.observation.http?.status == 404 && machine.observation.http?.server == "nginx")
        }
    }

    @Test("a close during the handshake is kept: not a TLS service")
    func closedDuringTLS() {
        var machine = Self.machine()
        _ = machine.handle(.connecting, now: 0)
        _ = machine.handle(.connected, now: 1)
        #expect(machine.handle(.peerClosed(.reset), now: 2) == [.close])
        #expect(machine.observation.closedDuringTLS == .reset)
        #expect(machine.observation.tls == nil)
    }

    @Test("endless bytes that are not HTTP stop at the bound and are counted, not kept")
    func boundedNonHTTP() {
        var machine = Self.machine()
        _ = machine.handle(.connecting, now: 0)
        _ = machine.handle(.connected, now: 1)
        _ = machine.handle(.tlsEstablished(TLSSessionInfo(version: .tls13, peerChain: [])), now: 2)
        var closed = false
        for _ in 0..<100 where !closed {
            closed = machine.handle(.received([UInt8](repeating: 0x41, count: 1024)), now: 3) == [.close]
        }
        #expect(closed)
        #expect(machine.observation.http == nil)
        #expect(machine.observation.nonHTTPBytes == 16 * 1024)
    }

    @Test("silence after the request: no answer during http")
    func silentAfterRequest() {
        var machine = Self.machine()
        _ = machine.handle(.connecting, now: 0)
        _ = machine.handle(.connected, now: 1)
        _ = machine.handle(.tlsEstablished(TLSSessionInfo(version: .tls13, peerChain: [])), now: 2)
        #expect(machine.handle(.deadline, now: 900 * Self.ms) == [.close])
        #expect(machine.observation.noAnswerDuring == .http)
    }
}
