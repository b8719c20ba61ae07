import RDPProtocol

// Temporary: replaced by the CredSSP and session stages.
struct CredSSPStage: Sendable {
    mutating func receive(_ bytes: [UInt8], machine: inout RDPProbeMachine, now: UInt64) -> [ConnectionAction] { [] }
}

struct SessionStage: Sendable {
    mutating func receive(_ bytes: [UInt8], machine: inout RDPProbeMachine, now: UInt64) -> [ConnectionAction] { [] }
}

extension RDPProbeMachine {
    mutating func startCredSSP(selected: SecurityProtocols, serverPublicKey: [UInt8]?, now: UInt64) -> [ConnectionAction] {
        finish(.completed, now: now)
    }

    mutating func startSession(selected: SecurityProtocols, now: UInt64) -> [ConnectionAction] {
        finish(.completed, now: now)
    }
}
