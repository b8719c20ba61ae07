import NIOConcurrencyHelpers

/// Bounds how many TCP handshakes to one host are in flight at once. Probes
/// still overlap, but a server with a tiny listen backlog (xrdp listens with
/// a backlog of 2) does not see a burst of SYNs it would drop, which costs a
/// one-second SYN retransmission each. Release is synchronous, so an event
/// loop callback frees a slot at once, whatever the task pool is doing.
final class ConnectGate: Sendable {
    private struct State {
        var available: Int
        var waiting: [CheckedContinuation<Void, Never>] = []
    }

    private let state: NIOLockedValueBox<State>

    init(slots: Int) {
        state = NIOLockedValueBox(State(available: max(1, slots)))
    }

    func acquire() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let granted = state.withLockedValue { state -> Bool in
                if state.available > 0 {
                    state.available -= 1
                    return true
                }
                state.waiting.append(continuation)
                return false
            }
            if granted { continuation.resume() }
        }
    }

    func release() {
        let next = state.withLockedValue { state -> CheckedContinuation<Void, Never>? in
            if state.waiting.isEmpty {
                state.available += 1
                return nil
            }
            return state.waiting.removeFirst()
        }
        next?.resume()
    }
}
