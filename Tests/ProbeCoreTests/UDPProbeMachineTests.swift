import Foundation
import ProbeCore
import RDPProtocol
import Testing

/// `UDPProbeMachine` driven by hand with a fake monotonic clock.
@Suite("UDP probe machine")
struct UDPProbeMachineTests {
    static let ms: UInt64 = 1_000_000
    static let t0: UInt64 = 5_000 * ms
    static let isn: UInt32 = 0x0BAD_F00D

    static func machine(_ settings: UDPProbeSettings = .init()) -> UDPProbeMachine {
        UDPProbeMachine(port: 3389, initialSequenceNumber: isn, settings: settings)
    }

    /// A server's valid answer to the machine's SYN.
    static func synAck(acknowledging ack: UInt32 = isn) throws -> [UInt8] {
        var answer = RDPUDPSynDatagram.synAck(
            answering: try RDPUDPSynDatagram.decodeSyn(machine().syn[...]), initialSequenceNumber: 0x42)
        answer.sourceAck = ack
        return try answer.encode()
    }

    @Test("sends a 1232-byte SYN at once, with its retransmission deadline")
    func sendsSYN() throws {
        var machine = Self.machine()
        let actions = machine.handle(.ready, now: Self.t0)
        #expect(actions == [.send(machine.syn), .setDeadline(Self.t0 + 300 * Self.ms)])
        #expect(machine.syn.count == 1232)
        let syn = try RDPUDPSynDatagram.decodeSyn(machine.syn[...])
        #expect(syn.sourceAck == 0xFFFF_FFFF && syn.synData.initialSequenceNumber == Self.isn)
        #expect(machine.observation.attempts == 1)
        #expect(machine.observation.offeredVersion == 2)
    }

    @Test("a SYN+ACK ends the probe: RTT from the last SYN, the server's parameters kept")
    func answered() throws {
        var machine = Self.machine()
        _ = machine.handle(.ready, now: Self.t0)
        _ = machine.handle(.deadline, now: Self.t0 + 300 * Self.ms)  // second SYN
        let actions = machine.handle(.received(try Self.synAck()), now: Self.t0 + 312 * Self.ms)
        #expect(actions == [.close])
        #expect(machine.isFinished)
        let seen = machine.observation
        #expect(seen.outcome == .synAck && seen.udpAvailable)
        #expect(seen.attempts == 2)
        #expect(seen.rttMs == 12)
        #expect(seen.elapsedMs == 312)
        #expect(seen.server?.initialSequenceNumber == 0x42)
        #expect(seen.server?.version == 2 && seen.server?.versionName == "RDPUDP_PROTOCOL_VERSION_2")
        #expect(seen.server?.upStreamMTU == 1232 && seen.server?.downStreamMTU == 1232)
        #expect(seen.answerLength == 1232)
        #expect(seen.answerPrefix?.bytes.count == 64)
    }

    @Test("retransmits up to the limit, then gives up with no answer")
    func retransmitsThenGivesUp() {
        var machine = Self.machine(UDPProbeSettings(attempts: 3, retransmitMs: 300))
        var sends = 0
        var now = Self.t0
        var actions = machine.handle(.ready, now: now)
        while !machine.isFinished {
            sends += actions.filter { if case .send = $0 { true } else { false } }.count
            guard case .setDeadline(let next)? = actions.last else { break }
            now = next
            actions = machine.handle(.deadline, now: now)
        }
        #expect(sends == 3)
        #expect(actions == [.close])
        #expect(machine.observation.outcome == .noAnswer)
        #expect(machine.observation.attempts == 3)
        #expect(machine.observation.elapsedMs == 900)
        #expect(machine.observation.rttMs == nil)
    }

    @Test("the check's deadline stops the retransmissions")
    func timeUp() {
        var machine = Self.machine()
        _ = machine.handle(.ready, now: Self.t0)
        #expect(machine.handle(.timeUp, now: Self.t0 + 100 * Self.ms) == [.close])
        #expect(machine.observation.outcome == .noAnswer && machine.observation.attempts == 1)
        #expect(machine.handle(.deadline, now: Self.t0 + 300 * Self.ms) == [])
    }

    @Test("ICMP port unreachable and local failures are told apart")
    func unreachable() {
        var refused = Self.machine()
        _ = refused.handle(.ready, now: Self.t0)
        _ = refused.handle(.portUnreachable, now: Self.t0 + Self.ms)
        #expect(refused.observation.outcome == .icmpUnreachable)

        var noRoute = Self.machine()
        _ = noRoute.handle(.failed("network unreachable (ENETUNREACH)"), now: Self.t0)
        #expect(noRoute.observation.outcome == .unreachable("network unreachable (ENETUNREACH)"))
        #expect(noRoute.observation.attempts == 0)
    }

    @Test(
        "garbage, a reflected SYN or a wrong acknowledgement is malformed",
        arguments: [
            [UInt8](),
            Array("HTTP/1.1 400 Bad Request\r\n".utf8),
        ])
    func garbage(bytes: [UInt8]) {
        var machine = Self.machine()
        _ = machine.handle(.ready, now: Self.t0)
        _ = machine.handle(.received(bytes), now: Self.t0 + Self.ms)
        guard case .malformed(let reason) = machine.observation.outcome else {
            Issue.record("expected malformed, got \(machine.observation.outcome)")
            return
        }
        #expect(reason.hasPrefix("RDP-UDP SYN+ACK datagram:"))
        #expect(machine.observation.answerLength == bytes.count)
    }

    @Test("our own SYN coming back is not an answer")
    func reflected() {
        var machine = Self.machine()
        _ = machine.handle(.ready, now: Self.t0)
        _ = machine.handle(.received(machine.syn), now: Self.t0 + Self.ms)
        #expect(
            machine.observation.outcome
                == .malformed("RDP-UDP SYN+ACK datagram: uFlags is 0x1001 (RDPUDP_FLAG_SYN | RDPUDP_FLAG_SYNEX), expected RDPUDP_FLAG_SYN | RDPUDP_FLAG_ACK"))
    }

    @Test("a SYN+ACK for another SYN is malformed")
    func wrongAcknowledgement() throws {
        var machine = Self.machine()
        _ = machine.handle(.ready, now: Self.t0)
        _ = machine.handle(.received(try Self.synAck(acknowledging: 0x1234)), now: Self.t0 + Self.ms)
        #expect(
            machine.observation.outcome
                == .malformed(
                    "RDP-UDP SYN+ACK datagram: snSourceAck 0x00001234 does not acknowledge our snInitialSequenceNumber 0x0BADF00D"))
        #expect(machine.observation.server?.initialSequenceNumber == 0x42)
    }

    @Test("the observation survives JSON")
    func codable() throws {
        var machine = Self.machine()
        _ = machine.handle(.ready, now: Self.t0)
        _ = machine.handle(.received(Array("nope".utf8)), now: Self.t0 + Self.ms)
        let data = try JSONEncoder().encode(machine.observation)
        #expect(try JSONDecoder().decode(UDPObservation.self, from: data) == machine.observation)
    }
}
