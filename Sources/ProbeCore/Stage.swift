/// What a stage (a sub-machine of `RDPProbeMachine`: CredSSP, the session)
/// hands back to its parent, in order. A stage owns its state and never sees
/// its parent; the parent maps these to its record, step timings, deadline
/// and `ConnectionEnd`.
enum StageOutput<Observation: Sendable & Equatable, Waiting: StageWaiting, Outcome: Sendable & Equatable>: Sendable, Equatable {
    /// Bytes for the server.
    case send([UInt8])
    /// A typed fact for the parent's record.
    case observed(Observation)
    /// The step under way is complete.
    case stepCompleted
    /// The stage waits for this now: a new step when the previous one
    /// completed, else the same step waiting for something else. The step
    /// deadline starts again.
    case awaiting(Waiting)
    /// The stage is done; nothing follows this output.
    case finished(Outcome)
}

/// What a stage waits for, in the stage's own words; `shared` is the same
/// wait as the record and every report name it.
protocol StageWaiting: Sendable, Equatable {
    var shared: Awaiting { get }
}

extension StageWaiting {
    /// The connection step this wait belongs to.
    var step: Step { shared.step }
}

extension RDPProbeMachine {
    /// Maps a stage's outputs; `observe` records an observation, `finished` turns the outcome into
    /// the machine's actions (a `ConnectionEnd`, or the next stage).
    mutating func apply<Observation, Waiting, Outcome>(
        _ outputs: [StageOutput<Observation, Waiting, Outcome>], now: UInt64,
        observe: (inout RDPProbeMachine, Observation) -> Void,
        finished: (inout RDPProbeMachine, Outcome) -> [ConnectionAction]
    ) -> [ConnectionAction] {
        var actions: [ConnectionAction] = []
        var armDeadline = false
        for output in outputs {
            switch output {
            case .send(let bytes):
                actions.append(.send(bytes))
            case .observed(let observation):
                observe(&self, observation)
            case .stepCompleted:
                endStep(now: now)
            case .awaiting(let waiting):
                if stepUnderWay {
                    waitingFor = waiting.shared
                } else {
                    begin(waiting.step, waiting: waiting.shared, now: now)
                }
                armDeadline = true
            case .finished(let outcome):
                return actions + finished(&self, outcome)
            }
        }
        return armDeadline ? actions + [deadline(now: now)] : actions
    }
}
