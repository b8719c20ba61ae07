import ProbeCore
import RDPProtocol
import Testing

/// Shared fixtures for driving `RDPProbeMachine` by hand: a fake monotonic
/// clock, the machine as each probe of a check builds it, and the server PDUs
/// written out field by field.
enum Probe {
    /// One millisecond in the machine's nanosecond clock.
    static let ms: UInt64 = 1_000_000
    /// An arbitrary monotonic reading for `.connecting` (not zero, so a
    /// machine that confused absolute and relative times would show it).
    static let t0: UInt64 = 7_000 * ms
    static let timeouts = StepTimeouts(connectMs: 3000, stepMs: 2000)
    static let tls = TLSParameters(serverName: "rdp.example.test")

    /// The `end` a record carries before the machine has decided anything.
    static let undecided = ConnectionEnd.timedOut(step: .tcp, waitingFor: .probeStart)

    static func machine(
        requested: SecurityProtocols = CheckPlan.defaultClientProtocols,
        goal: RDPProbeMachine.Goal = .asFarAsPossible,
        purpose: ProbePurpose = .defaultClient
    ) -> RDPProbeMachine {
        RDPProbeMachine(purpose: purpose, requested: requested, goal: goal, tls: tls, timeouts: timeouts)
    }

    /// A machine that has opened TCP (`.connecting` at t0, `.connected` at
    /// t0 + 5 ms) and sent its Connection Request: it awaits the confirm.
    static func connected(
        requested: SecurityProtocols = CheckPlan.defaultClientProtocols,
        goal: RDPProbeMachine.Goal = .asFarAsPossible
    ) -> RDPProbeMachine {
        var machine = machine(requested: requested, goal: goal)
        _ = machine.handle(.connecting, now: t0)
        _ = machine.handle(.connected, now: t0 + 5 * ms)
        return machine
    }
}

/// Server PDUs, annotated field by field.
enum PDU {
    /// X.224 Connection Confirm with RDP_NEG_RSP selecting PROTOCOL_SSL (MS-RDPBCGR 2.2.1.2).
    static let confirmTLS: [UInt8] = [
        0x03, 0x00, 0x00, 0x13,  // TPKT: version 3, reserved, length 19
        0x0E,  // X.224 length indicator: 14 bytes follow
        0xD0,  // X.224 TPDU code: Connection Confirm (CC), credit 0
        0x00, 0x00,  // DST-REF
        0x12, 0x34,  // SRC-REF
        0x00,  // class 0
        0x02,  // RDP_NEG_RSP type
        0x01,  // flags: EXTENDED_CLIENT_DATA_SUPPORTED
        0x08, 0x00,  // length 8 (little-endian)
        0x01, 0x00, 0x00, 0x00,  // selectedProtocol: PROTOCOL_SSL
    ]

    /// The same confirm selecting PROTOCOL_HYBRID (CredSSP), flags as Windows sends them.
    static let confirmHybrid: [UInt8] = [
        0x03, 0x00, 0x00, 0x13,  // TPKT: version 3, reserved, length 19
        0x0E, 0xD0,  // X.224 length indicator 14, Connection Confirm
        0x00, 0x00, 0x12, 0x34,  // DST-REF, SRC-REF
        0x00,  // class 0
        0x02,  // RDP_NEG_RSP type
        0x1F,  // flags: extended client data, GFX, reserved, restricted admin, redirected auth
        0x08, 0x00,  // length 8
        0x02, 0x00, 0x00, 0x00,  // selectedProtocol: PROTOCOL_HYBRID
    ]

    /// RDP_NEG_FAILURE with failureCode 5, HYBRID_REQUIRED_BY_SERVER (2.2.1.2.2).
    static let failureHybridRequired: [UInt8] = [
        0x03, 0x00, 0x00, 0x13,  // TPKT: version 3, reserved, length 19
        0x0E, 0xD0,  // X.224 length indicator 14, Connection Confirm
        0x00, 0x00, 0x12, 0x34,  // DST-REF, SRC-REF
        0x00,  // class 0
        0x03,  // RDP_NEG_FAILURE type
        0x00,  // flags (none defined)
        0x08, 0x00,  // length 8
        0x05, 0x00, 0x00, 0x00,  // failureCode: HYBRID_REQUIRED_BY_SERVER
    ]

    /// A confirm without negotiation data: a pre-RDP-5.2 server, standard RDP security.
    static let confirmWithoutNegotiation: [UInt8] = [
        0x03, 0x00, 0x00, 0x0B,  // TPKT: version 3, reserved, length 11
        0x06,  // X.224 length indicator: 6 bytes follow
        0xD0,  // Connection Confirm
        0x00, 0x00,  // DST-REF
        0x12, 0x34,  // SRC-REF
        0x00,  // class 0; nothing follows
    ]

    /// xrdp's refusal: an MCS Disconnect Provider Ultimatum where the confirm should be.
    static let xrdpRefusal: [UInt8] = [
        0x03, 0x00, 0x00, 0x09,  // TPKT: version 3, reserved, length 9
        0x02, 0xF0, 0x80,  // X.224 data TPDU: length indicator 2, code DT, EOT
        0x21,  // MCS: choice 8 (disconnectProviderUltimatum) << 2 | reason bits 2..1 = 01
        0x80,  // reason bit 0 = 1: reason 3, rn-user-requested
    ]

    /// The Connection Request the probe sends, `requested` in its RDP_NEG_REQ.
    static func connectionRequest(requested: UInt8) -> [UInt8] {
        [
            0x03, 0x00, 0x00, 0x2F,  // TPKT: version 3, reserved, length 47
            0x2A,  // X.224 length indicator: 42 bytes follow
            0xE0,  // TPDU code: Connection Request (CR), credit 0
            0x00, 0x00,  // DST-REF
            0x00, 0x00,  // SRC-REF
            0x00,  // class 0, no options
            0x43, 0x6F, 0x6F, 0x6B, 0x69, 0x65, 0x3A, 0x20,  // "Cookie: "
            0x6D, 0x73, 0x74, 0x73, 0x68, 0x61, 0x73, 0x68, 0x3D,  // "mstshash="
            0x72, 0x64, 0x70, 0x64, 0x6F, 0x63, 0x74, 0x6F, 0x72,  // "rdpdoctor"
            0x0D, 0x0A,  // CR LF ends the cookie
            0x01,  // RDP_NEG_REQ type
            0x00,  // flags: none
            0x08, 0x00,  // length 8
            requested, 0x00, 0x00, 0x00,  // requestedProtocols (little-endian)
        ]
    }
}

/// A seeded generator, so every run feeds the same "random" bytes (SplitMix64).
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension ConnectionEnd {
    var isProtocolError: Bool {
        if case .protocolError = self { return true }
        return false
    }

    var message: String? {
        if case let .protocolError(_, message) = self { return message }
        return nil
    }
}
