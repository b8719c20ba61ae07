import ProbeCore
import RDPProtocol
import Testing

/// `RDPProbeMachine` driven event by event with byte vectors, as the
/// transport would drive it.
@Suite("RDPProbeMachine: TCP and the X.224 exchange")
struct ProbeMachineTests {
    typealias P = Probe

    // MARK: - Connection Request

    @Test("connecting arms the connect deadline; connected sends the Connection Request and arms the step deadline")
    func sendsConnectionRequest() throws {
        var machine = P.machine()
        #expect(machine.handle(.connecting, now: P.t0) == [.setDeadline(P.t0 + 3000 * P.ms)])
        #expect(!machine.isFinished)

        let actions = machine.handle(.connected, now: P.t0 + 5 * P.ms)
        #expect(
            actions == [
                .send(PDU.connectionRequest(requested: 0x0B)),  // SSL | HYBRID | HYBRID_EX, as mstsc asks
                .setDeadline(P.t0 + 5 * P.ms + 2000 * P.ms),
            ])
        #expect(!machine.isFinished)
        #expect(machine.record.requestedProtocols == [.ssl, .hybrid, .hybridEx])
        #expect(machine.record.purpose == .defaultClient)

        // TCP took 5 ms; the X.224 step starts at 5 ms and is still open.
        let timings = machine.record.timings
        try #require(timings.count == 2)
        #expect(timings.map(\.step) == [.tcp, .x224])
        #expect(timings[0].startMs == 0 && timings[0].durationMs == 5)
        #expect(timings[1].startMs == 5 && timings[1].durationMs == nil)
    }

    @Test(
        "the request carries the mstshash cookie and exactly the requested protocols",
        arguments: [0x00, 0x01, 0x02, 0x04, 0x0A, 0x10] as [UInt32])  // RDP, SSL, HYBRID, RDSTLS, HYBRID|HYBRID_EX, RDSAAD
    func requestBytes(raw: UInt32) throws {
        let requested = SecurityProtocols(rawValue: raw)
        let byte = UInt8(raw)
        var machine = P.machine(requested: requested, goal: .negotiation, purpose: .negotiation(requested))
        _ = machine.handle(.connecting, now: P.t0)
        let actions = machine.handle(.connected, now: P.t0)
        guard case let .send(bytes)? = actions.first else {
            Issue.record("expected a send first, got \(actions)")
            return
        }
        #expect(bytes == PDU.connectionRequest(requested: byte))
        // And our own decoder reads it back the same way.
        let decoded = try X224ConnectionRequest.decode(bytes[...])
        #expect(decoded.token == .cookie("rdpdoctor"))
        #expect(decoded.requestedProtocols == requested)
    }

    // MARK: - Confirm

    @Test("RDP_NEG_RSP selecting TLS: startTLS, the TLS step begins with its own deadline")
    func confirmSelectsTLS() {
        var machine = P.connected()
        let now = P.t0 + 30 * P.ms
        let actions = machine.handle(.received(PDU.confirmTLS), now: now)
        #expect(actions == [.startTLS(P.tls), .setDeadline(now + 2000 * P.ms)])
        #expect(!machine.isFinished)
        #expect(machine.record.negotiation == .selected(protocol: .ssl, flags: NegotiationResponseFlags(rawValue: 0x01)))
        #expect(machine.record.plaintextAfterConfirm == nil)
        #expect(machine.record.timings.map(\.step) == [.tcp, .x224, .tls])
        #expect(machine.record.duration(of: .x224) == 25)
    }

    @Test("plaintext after a confirm that selected TLS is counted, never parsed")
    func plaintextAfterConfirm() {
        var machine = P.connected()
        _ = machine.handle(.received(PDU.confirmTLS), now: P.t0 + 10 * P.ms)
        // Plaintext that would be a perfectly good negotiation failure if it were read as RDP.
        #expect(machine.handle(.received(PDU.failureHybridRequired), now: P.t0 + 11 * P.ms) == [])
        #expect(machine.handle(.received(Array("HTTP/1.0 400 Bad Request\r\n".utf8)), now: P.t0 + 12 * P.ms) == [])
        #expect(machine.record.plaintextAfterConfirm == 19 + 26)
        #expect(machine.record.negotiation == .selected(protocol: .ssl, flags: NegotiationResponseFlags(rawValue: 0x01)))
        #expect(machine.record.foreignService == nil)
        #expect(!machine.isFinished)

        // The TLS step then fails on its own terms.
        #expect(machine.handle(.deadline, now: P.t0 + 2010 * P.ms) == [.close])
        #expect(machine.record.end == .timedOut(step: .tls, waitingFor: .tlsHandshake))
    }

    @Test("plaintext in the same read as the confirm is counted too")
    func plaintextInSameRead() {
        var machine = P.connected()
        let trailing = Array("not TLS\r\n".utf8)
        let actions = machine.handle(.received(PDU.confirmTLS + trailing), now: P.t0 + 10 * P.ms)
        #expect(actions.first == .startTLS(P.tls))
        #expect(machine.record.plaintextAfterConfirm == trailing.count)
        _ = machine.handle(.received([0x41, 0x42]), now: P.t0 + 11 * P.ms)
        #expect(machine.record.plaintextAfterConfirm == trailing.count + 2)
    }

    @Test("TLS up: goal tlsHandshake completes; the default client goes on to CredSSP when HYBRID was selected")
    func tlsEstablished() {
        let info = TLSSessionInfo(version: .tls12, peerChain: [[0x30, 0x00]])
        var handshake = P.machine(requested: [.ssl, .hybrid], goal: .tlsHandshake, purpose: .tlsVersion(.tls12))
        _ = handshake.handle(.connecting, now: P.t0)
        _ = handshake.handle(.connected, now: P.t0)
        _ = handshake.handle(.received(PDU.confirmTLS), now: P.t0 + P.ms)
        #expect(handshake.handle(.tlsEstablished(info), now: P.t0 + 9 * P.ms) == [.close])
        #expect(handshake.record.end == .completed)
        #expect(handshake.record.tls == info)
        #expect(handshake.record.duration(of: .tls) == 8)

        var client = P.connected()
        _ = client.handle(.received(PDU.confirmHybrid), now: P.t0 + P.ms)
        let actions = client.handle(.tlsEstablished(info), now: P.t0 + 9 * P.ms)
        #expect(actions.count == 2)
        guard case let .send(tsRequest)? = actions.first else {
            Issue.record("expected the CredSSP NEGOTIATE, got \(actions)")
            return
        }
        #expect(tsRequest.first == 0x30)  // a DER SEQUENCE: the TSRequest
        #expect(actions.last == .setDeadline(P.t0 + 9 * P.ms + 2000 * P.ms))
        #expect(client.record.timings.last?.step == .credssp)

        // Nothing more: the deadline names CredSSP and what it waited for.
        _ = client.handle(.deadline, now: P.t0 + 3000 * P.ms)
        #expect(client.record.end == .timedOut(step: .credssp, waitingFor: .ntlmChallenge))
    }

    @Test("RDP_NEG_FAILURE code 5: recorded, the probe completed")
    func negotiationFailure() {
        var machine = P.connected()
        #expect(machine.handle(.received(PDU.failureHybridRequired), now: P.t0 + 20 * P.ms) == [.close])
        #expect(machine.isFinished)
        #expect(machine.record.negotiation == .failure(code: .hybridRequiredByServer))
        #expect(machine.record.end == .completed)
        #expect(machine.record.totalMs == 20)
        // A finished machine ignores whatever else happens.
        #expect(machine.handle(.received(PDU.confirmTLS), now: P.t0 + 21 * P.ms) == [])
        #expect(machine.handle(.peerClosed(.reset), now: P.t0 + 22 * P.ms) == [])
        #expect(machine.record.end == .completed)
    }

    @Test("a confirm without negotiation data: standard RDP security")
    func noNegotiationData() {
        var negotiation = P.connected(requested: .ssl, goal: .negotiation)
        #expect(negotiation.handle(.received(PDU.confirmWithoutNegotiation), now: P.t0 + P.ms) == [.close])
        #expect(negotiation.record.negotiation == .noNegotiationData)
        #expect(negotiation.record.negotiation?.selectedProtocol == .rdp)
        #expect(negotiation.record.end == .completed)

        // The default client carries on to MCS on the plain connection.
        var client = P.connected()
        let actions = client.handle(.received(PDU.confirmWithoutNegotiation), now: P.t0 + P.ms)
        #expect(!client.isFinished)
        #expect(actions.count == 2)
        if case let .send(connectInitial)? = actions.first {
            #expect(Array(connectInitial.prefix(7)) == [0x03, 0x00] + [connectInitial[2], connectInitial[3]] + [0x02, 0xF0, 0x80])
            #expect(Array(connectInitial[7...8]) == [0x7F, 0x65])  // BER [APPLICATION 101] Connect-Initial
        } else {
            Issue.record("expected the MCS Connect Initial, got \(actions)")
        }
        #expect(!actions.contains { if case .startTLS = $0 { return true } else { return false } })
        #expect(client.record.timings.last?.step == .mcs)
    }

    @Test("xrdp hangs up with an MCS Disconnect Provider Ultimatum instead of a confirm")
    func xrdpRefusal() {
        var machine = P.connected()
        #expect(machine.handle(.received(PDU.xrdpRefusal), now: P.t0 + P.ms) == [.close])
        #expect(machine.record.negotiation == .disconnected(reason: MCSDisconnectReason(rawValue: 3)))
        #expect(machine.record.end == .completed)
        #expect(machine.record.foreignService == nil)
    }

    // MARK: - Not RDP

    @Test(
        "a port that is not RDP is named from its first bytes",
        arguments: [
            (Array("HTTP/1.0 400 Bad Request\r\n".utf8), ForeignService.http),
            (Array("SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13\r\n".utf8), .ssh),
            (
                [
                    0x15,  // TLS record: content type alert
                    0x03, 0x01,  // version TLS 1.0
                    0x00, 0x02,  // length 2
                    0x02, 0x28,
                ], .tls
            ),  // fatal, handshake_failure (40)
            ([0x16, 0x03, 0x03, 0x00, 0x31, 0x02], .tls),  // a ServerHello record header
            (Array("RFB 003.008\n".utf8), .vnc),
        ])
    func foreignService(bytes: [UInt8], service: ForeignService) {
        var machine = P.connected()
        #expect(machine.handle(.received(bytes), now: P.t0 + P.ms) == [.close])
        #expect(machine.record.foreignService == service)
        #expect(machine.record.end.step == .x224)
        #expect(machine.record.end.isProtocolError)
        #expect(machine.record.negotiation == nil)
        let shown = Array(bytes.prefix(32))
        #expect(machine.record.unexpectedBytes == shown.map { String(format2: $0) }.joined())
    }

    @Test("a banner dripped byte by byte is named once its signature is complete")
    func foreignServiceDripped() {
        var machine = P.connected()
        let banner = Array("SSH-2.0-x\r\n".utf8)
        for (index, byte) in banner.prefix(4).enumerated() {
            let actions = machine.handle(.received([byte]), now: P.t0 + UInt64(index) * P.ms)
            #expect(actions == (index < 3 ? [] : [.close]), "after byte \(index)")
        }
        #expect(machine.record.foreignService == .ssh)
    }

    @Test("an HTTP server that sends half a status line and then waits is named at the deadline")
    func foreignServiceAtDeadline() {
        var machine = P.connected()
        #expect(machine.handle(.received(Array("HTTP".utf8)), now: P.t0 + P.ms) == [])
        #expect(machine.handle(.deadline, now: P.t0 + 2005 * P.ms) == [.close])
        #expect(machine.record.end == .timedOut(step: .x224, waitingFor: .connectionConfirm))
        // "HTTP" is still only the start of "HTTP/": the best guess names the first byte.
        #expect(machine.record.foreignService != nil)
    }

    // MARK: - Closes and deadlines

    @Test("a reset while the confirm is due ends at x224 with kind reset")
    func resetDuringX224() {
        var machine = P.connected()
        #expect(machine.handle(.peerClosed(.reset), now: P.t0 + 40 * P.ms) == [.close])
        #expect(machine.record.end == .peerClosed(.reset, step: .x224, waitingFor: .connectionConfirm))
        #expect(machine.record.totalMs == 40)
        #expect(machine.record.foreignService == nil)
    }

    @Test("the deadline during the TLS handshake ends at tls")
    func deadlineDuringTLS() {
        var machine = P.connected()
        _ = machine.handle(.received(PDU.confirmTLS), now: P.t0 + 10 * P.ms)
        #expect(machine.handle(.deadline, now: P.t0 + 2010 * P.ms) == [.close])
        #expect(machine.record.end == .timedOut(step: .tls, waitingFor: .tlsHandshake))
        #expect(machine.record.end.step == .tls)
        #expect(machine.record.duration(of: .tls) == nil)
        #expect(machine.record.totalMs == 2010)
    }

    @Test("TCP: refused, timed out, and a deadline before the connection opens")
    func tcpFailures() {
        var refused = P.machine()
        _ = refused.handle(.connecting, now: P.t0)
        #expect(refused.handle(.connectFailed(.refused), now: P.t0 + P.ms) == [.close])
        #expect(refused.record.end == .refused)

        var silent = P.machine()
        _ = silent.handle(.connecting, now: P.t0)
        _ = silent.handle(.deadline, now: P.t0 + 3000 * P.ms)
        #expect(silent.record.end == .timedOut(step: .tcp, waitingFor: .tcpConnection))

        var unreachable = P.machine()
        _ = unreachable.handle(.connecting, now: P.t0)
        _ = unreachable.handle(.connectFailed(.unreachable("no route to host")), now: P.t0 + P.ms)
        #expect(unreachable.record.end == .unreachable("no route to host"))
        #expect(unreachable.record.end.step == .tcp)
    }

    @Test("a TLS failure ends at tls with the reason")
    func tlsFailed() {
        var machine = P.connected()
        _ = machine.handle(.received(PDU.confirmTLS), now: P.t0 + P.ms)
        #expect(machine.handle(.tlsFailed("alert 40 handshake_failure"), now: P.t0 + 2 * P.ms) == [.close])
        #expect(machine.record.end == .tlsFailed("alert 40 handshake_failure"))
        #expect(machine.record.end.step == .tls)
    }
}

extension String {
    /// Two lower-case hex digits.
    init(format2 byte: UInt8) {
        let digits = String(byte, radix: 16)
        self = digits.count == 1 ? "0" + digits : digits
    }
}
