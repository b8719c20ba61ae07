/// Bounds how many TCP handshakes to one host are in flight at once. Probes
/// still overlap, but a server with a tiny listen backlog (xrdp listens with
/// a backlog of 2) does not see a burst of SYNs it would drop, which costs a
/// one-second SYN retransmission each.
actor ConnectGate {
    private var available: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(slots: Int) {
        available = max(1, slots)
    }

    func acquire() async {
        if available > 0 {
            available -= 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    func release() {
        if waiting.isEmpty {
            available += 1
        } else {
            waiting.removeFirst().resume()
        }
    }
}

extension ConnectGate {
    /// Releases from synchronous code (an event loop callback).
    nonisolated func releaseSoon() {
        Task { await self.release() }
    }
}
