import ProbeCore
import RDPProtocol
import Testing

/// Truncated, oversized, malformed and random server bytes: the machine must
/// wait for more while a PDU is incomplete, end with a typed error naming the
/// PDU and field when it cannot be read, and never crash.
@Suite("RDPProbeMachine: malformed input")
struct MalformedInputTests {
    typealias P = Probe

    /// A server PDU and what the default-client probe must end up with after it.
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let bytes: [UInt8]
        /// The actions once the PDU is complete.
        let finalActions: [ConnectionAction]
        let negotiation: NegotiationObservation
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "confirm selecting TLS", bytes: PDU.confirmTLS,
            finalActions: [.startTLS(P.tls), .setDeadline(P.t0 + 1000 * P.ms + 2000 * P.ms)],
            negotiation: .selected(protocol: .ssl, flags: NegotiationResponseFlags(rawValue: 1))),
        Case(
            name: "negotiation failure 5", bytes: PDU.failureHybridRequired,
            finalActions: [.close], negotiation: .failure(code: .hybridRequiredByServer)),
        Case(
            name: "xrdp's disconnect ultimatum", bytes: PDU.xrdpRefusal,
            finalActions: [.close], negotiation: .disconnected(reason: MCSDisconnectReason(rawValue: 3))),
    ]

    @Test("every prefix delivered in one piece waits for more, then the rest completes it", arguments: cases)
    func everyPrefix(_ pdu: Case) {
        for split in 1..<pdu.bytes.count {
            var machine = P.connected()
            #expect(
                machine.handle(.received(Array(pdu.bytes.prefix(split))), now: P.t0 + 500 * P.ms) == [],
                "prefix of \(split) bytes")
            #expect(!machine.isFinished, "prefix of \(split) bytes")
            #expect(machine.record.negotiation == nil)
            let actions = machine.handle(.received(Array(pdu.bytes.dropFirst(split))), now: P.t0 + 1000 * P.ms)
            #expect(actions == pdu.finalActions, "split at \(split)")
            #expect(machine.record.negotiation == pdu.negotiation, "split at \(split)")
        }
    }

    @Test("every prefix followed by a close ends as a close during x224, with nothing made up", arguments: cases)
    func everyPrefixThenClose(_ pdu: Case) {
        for split in 0..<pdu.bytes.count {
            var machine = P.connected()
            if split > 0 { _ = machine.handle(.received(Array(pdu.bytes.prefix(split))), now: P.t0 + 10 * P.ms) }
            #expect(machine.handle(.peerClosed(.fin), now: P.t0 + 20 * P.ms) == [.close])
            #expect(
                machine.record.end == .peerClosed(.fin, step: .x224, waitingFor: .connectionConfirm),
                "prefix of \(split) bytes")
            #expect(machine.record.negotiation == nil)
            #expect(machine.record.foreignService == nil, "a TPKT prefix is RDP, not a foreign service")
        }
    }

    @Test("a slow drip, one byte per read, 50 ms apart: needMore until the last byte", arguments: cases)
    func slowDrip(_ pdu: Case) {
        var machine = P.connected()
        for (index, byte) in pdu.bytes.enumerated() {
            let last = index == pdu.bytes.count - 1
            let now = last ? P.t0 + 1000 * P.ms : P.t0 + UInt64(index) * 50 * P.ms
            let actions = machine.handle(.received([byte]), now: now)
            if last {
                #expect(actions == pdu.finalActions)
            } else {
                #expect(actions == [], "byte \(index)")
                #expect(!machine.isFinished, "byte \(index)")
            }
        }
        #expect(machine.record.negotiation == pdu.negotiation)
    }

    @Test("a TPKT length of 65535 with 19 bytes present waits, then times out or closes: never completed")
    func hugeDeclaredLength() {
        let claimsTooMuch: [UInt8] =
            [
                0x03, 0x00, 0xFF, 0xFF,  // TPKT: version 3, reserved, length 65535
            ] + PDU.confirmTLS.dropFirst(4)  // the rest of a valid confirm: 19 bytes in all
        var timedOut = P.connected()
        #expect(timedOut.handle(.received(claimsTooMuch), now: P.t0 + 10 * P.ms) == [])
        #expect(!timedOut.isFinished)
        #expect(timedOut.record.negotiation == nil)
        #expect(timedOut.handle(.deadline, now: P.t0 + 2005 * P.ms) == [.close])
        #expect(timedOut.record.end == .timedOut(step: .x224, waitingFor: .connectionConfirm))

        var closed = P.connected()
        _ = closed.handle(.received(claimsTooMuch), now: P.t0 + 10 * P.ms)
        _ = closed.handle(.peerClosed(.fin), now: P.t0 + 20 * P.ms)
        #expect(closed.record.end == .peerClosed(.fin, step: .x224, waitingFor: .connectionConfirm))

        // Filling the 65535 bytes makes a whole frame that is not a confirm: a protocol error.
        var filled = P.connected()
        _ = filled.handle(.received(claimsTooMuch), now: P.t0 + 10 * P.ms)
        let actions = filled.handle(.received([UInt8](repeating: 0, count: 65535 - 19)), now: P.t0 + 20 * P.ms)
        #expect(actions == [.close])
        #expect(filled.record.end.step == .x224)
        let message = filled.record.end.message ?? ""
        #expect(message.contains("X.224 connection confirm") && message.contains("length indicator"), "\(message)")
        #expect(filled.record.unexpectedBytes?.count == 64, "at most 32 bytes are kept, as hex")
    }

    @Test(
        "a TPKT length below 7 is a protocol error naming the TPKT header's length field",
        arguments: [0, 4, 5, 6] as [UInt8])
    func tpktLengthTooSmall(length: UInt8) {
        var machine = P.connected()
        let bytes: [UInt8] = [
            0x03, 0x00, 0x00, length,  // TPKT: version 3, reserved, length < 7
            0x02, 0xD0, 0x00,  // whatever follows is never read
        ]
        #expect(machine.handle(.received(bytes), now: P.t0 + P.ms) == [.close])
        #expect(
            machine.record.end
                == .protocolError(
                    step: .x224, message: "TPKT header: length \(length) is below the minimum of 7"))
        #expect(machine.record.unexpectedBytes == "030000" + String(format2: length) + "02d000")
        #expect(machine.record.foreignService == nil)
    }

    /// Whole TPKT frames that are not a Connection Confirm, and the field the error must name.
    static let badConfirms: [(name: String, bytes: [UInt8], field: String)] = [
        (
            "length indicator one short",
            [
                0x03, 0x00, 0x00, 0x13,  // TPKT length 19
                0x0D, 0xD0, 0x00, 0x00, 0x12, 0x34, 0x00,  // LI 13, but 14 bytes follow it
                0x02, 0x01, 0x08, 0x00, 0x01, 0x00, 0x00, 0x00,
            ], "length indicator"
        ),
        (
            "a Connection Request echoed back",
            [
                0x03, 0x00, 0x00, 0x0B,  // TPKT length 11
                0x06, 0xE0,  // LI 6, TPDU code CR instead of CC
                0x00, 0x00, 0x00, 0x00, 0x00,
            ], "TPDU code"
        ),
        (
            "negotiation length 9",
            [
                0x03, 0x00, 0x00, 0x13,
                0x0E, 0xD0, 0x00, 0x00, 0x12, 0x34, 0x00,
                0x02, 0x01, 0x09, 0x00,  // RDP_NEG_RSP with length 9
                0x01, 0x00, 0x00, 0x00,
            ], "negotiation length"
        ),
        (
            "negotiation type 0x07",
            [
                0x03, 0x00, 0x00, 0x13,
                0x0E, 0xD0, 0x00, 0x00, 0x12, 0x34, 0x00,
                0x07, 0x00, 0x08, 0x00,  // type 7: neither RSP (2) nor FAILURE (3)
                0x01, 0x00, 0x00, 0x00,
            ], "negotiation type"
        ),
        (
            "negotiation data cut short",
            [
                0x03, 0x00, 0x00, 0x0F,  // TPKT length 15
                0x0A, 0xD0, 0x00, 0x00, 0x12, 0x34, 0x00,
                0x02, 0x01, 0x08, 0x00,  // RDP_NEG_RSP header, then no selectedProtocol
            ], "selectedProtocol"
        ),
    ]

    @Test(
        "a whole frame that is not a confirm: protocolError naming the PDU and the field",
        arguments: badConfirms.indices)
    func badConfirm(index: Int) {
        let (name, bytes, field) = Self.badConfirms[index]
        var machine = P.connected()
        #expect(machine.handle(.received(bytes), now: P.t0 + P.ms) == [.close], "\(name)")
        #expect(machine.record.end.step == .x224, "\(name)")
        let message = machine.record.end.message ?? "(not a protocol error: \(machine.record.end))"
        #expect(message.hasPrefix("X.224 connection confirm: \(field)"), "\(name): \(message)")
        #expect(machine.record.unexpectedBytes != nil)
        #expect(machine.record.negotiation == nil)
    }

    // MARK: - Random input

    /// Random server bytes of a few shapes: pure noise, TPKT-looking noise,
    /// and mutations of real confirms.
    static func randomInput(_ rng: inout SplitMix64) -> [UInt8] {
        func noise(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8.random(in: 0...255, using: &rng) } }
        switch Int.random(in: 0..<5, using: &rng) {
        case 0:
            return noise(Int.random(in: 0...64, using: &rng))
        case 1:  // a TPKT header with any length, then noise
            return [0x03, 0x00] + noise(2 + Int.random(in: 0...40, using: &rng))
        case 2:  // a self-consistent TPKT length around noise
            let body = noise(Int.random(in: 0...30, using: &rng))
            let length = body.count + 4
            return [0x03, 0x00, UInt8(length >> 8), UInt8(length & 0xFF)] + body
        default:  // a real PDU with 1-3 bytes changed, maybe truncated or extended
            let bases = [
                PDU.confirmTLS, PDU.confirmHybrid, PDU.failureHybridRequired,
                PDU.confirmWithoutNegotiation, PDU.xrdpRefusal,
            ]
            var bytes = bases[Int.random(in: 0..<bases.count, using: &rng)]
            for _ in 0..<Int.random(in: 1...3, using: &rng) {
                bytes[Int.random(in: 0..<bytes.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
            }
            switch Int.random(in: 0..<3, using: &rng) {
            case 0: bytes = Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &rng)))
            case 1: bytes += noise(Int.random(in: 1...20, using: &rng))
            default: break
            }
            return bytes
        }
    }

    /// Delivers `bytes` in random chunks; checks that `.close` and `isFinished` agree throughout.
    static func deliver(_ bytes: [UInt8], to machine: inout RDPProbeMachine, rng: inout SplitMix64, now: inout UInt64) {
        var rest = bytes[...]
        while !rest.isEmpty {
            let chunk = rest.prefix(Int.random(in: 1...max(1, rest.count), using: &rng))
            rest = rest.dropFirst(chunk.count)
            now += P.ms
            let wasFinished = machine.isFinished
            let actions = machine.handle(.received(Array(chunk)), now: now)
            if wasFinished { #expect(actions.isEmpty, "a finished machine acted: \(actions)") }
            #expect(
                actions.contains(.close) == (machine.isFinished && !wasFinished),
                "close \(actions) vs finished \(machine.isFinished)")
        }
    }

    @Test("10,000 random byte strings after connected: no crash, and a terminal state after a FIN")
    func randomBytes() {
        var rng = SplitMix64(seed: 0x5EED_0F_7D0C)
        let goals: [(SecurityProtocols, RDPProbeMachine.Goal)] = [
            (CheckPlan.defaultClientProtocols, .asFarAsPossible), (.ssl, .negotiation),
            (.rdp, .serverData), ([.ssl, .hybrid], .tlsHandshake),
        ]
        var ends: [String: Int] = [:]
        for round in 0..<10_000 {
            let (requested, goal) = goals[round % goals.count]
            var machine = P.connected(requested: requested, goal: goal)
            var now = P.t0 + 10 * P.ms
            let input = Self.randomInput(&rng)
            Self.deliver(input, to: &machine, rng: &rng, now: &now)
            _ = machine.handle(.peerClosed(.fin), now: now + P.ms)
            #expect(machine.isFinished, "round \(round): \(input)")
            #expect(machine.record.end != P.undecided, "round \(round)")
            if machine.record.end == .completed {
                #expect(machine.record.negotiation != nil, "round \(round): completed without a negotiation answer")
            }
            if let message = machine.record.end.message { #expect(!message.isEmpty) }
            if machine.record.end.isProtocolError, machine.record.end.step == .x224 {
                #expect(machine.record.unexpectedBytes != nil, "round \(round): \(machine.record.end)")
            }
            ends[String(describing: machine.record.end).prefix { $0 != "(" }.description, default: 0] += 1
        }
        // The generator reaches more than one kind of ending (it is not all noise).
        #expect(ends.count >= 3, "\(ends)")
    }

    @Test("random MCS frames after standard RDP security was selected: no crash, always terminal")
    func randomSessionFrames() {
        var rng = SplitMix64(seed: 0xC0FF_EE00_5E55)
        // The first byte of each MCS PDU kind the session stage reads.
        let choices: [UInt8] = [0x7F, 0x2C, 0x2E, 0x3C, 0x3E, 0x68, 0x20, 0x21]
        for round in 0..<3_000 {
            let goal: RDPProbeMachine.Goal = round.isMultiple(of: 2) ? .serverData : .asFarAsPossible
            var machine = P.connected(requested: CheckPlan.defaultClientProtocols, goal: goal)
            var now = P.t0 + 10 * P.ms
            _ = machine.handle(.received(PDU.confirmWithoutNegotiation), now: now)
            #expect(!machine.isFinished)
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                var mcs = [choices[Int.random(in: 0..<choices.count, using: &rng)]]
                if mcs[0] == 0x7F { mcs.append(0x66) }
                mcs += (0..<Int.random(in: 0...60, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
                let frame = X224Data.frame(mcs)
                Self.deliver(frame, to: &machine, rng: &rng, now: &now)
            }
            _ = machine.handle(.peerClosed(.fin), now: now + P.ms)
            #expect(machine.isFinished, "round \(round)")
            #expect(machine.record.end.step.map { $0 >= .mcs } ?? true, "round \(round): \(machine.record.end)")
        }
    }

    @Test("random TSRequest-shaped bytes during CredSSP: no crash, always terminal")
    func randomCredSSPBytes() {
        var rng = SplitMix64(seed: 0xC8ED_55B0)
        let info = TLSSessionInfo(version: .tls12, peerChain: [])
        for round in 0..<3_000 {
            var machine = P.connected()
            var now = P.t0 + 10 * P.ms
            _ = machine.handle(.received(PDU.confirmHybrid), now: now)
            _ = machine.handle(.tlsEstablished(info), now: now)
            #expect(!machine.isFinished)
            let body = (0..<Int.random(in: 0...80, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let length: [UInt8] =
                switch Int.random(in: 0..<3, using: &rng) {
                case 0: [UInt8(min(body.count, 0x7F))]
                case 1: [0x81, UInt8(min(body.count, 0xFF))]
                default: [UInt8.random(in: 0...255, using: &rng), UInt8.random(in: 0...255, using: &rng)]
                }
            Self.deliver([0x30] + length + body, to: &machine, rng: &rng, now: &now)
            _ = machine.handle(.peerClosed(.fin), now: now + P.ms)
            #expect(machine.isFinished, "round \(round)")
            #expect(machine.record.end.step.map { $0 == .credssp } ?? true, "round \(round): \(machine.record.end)")
        }
    }
}
