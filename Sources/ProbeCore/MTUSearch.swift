/// The path-MTU black hole search. When the default client stalls after the
/// server starts a large flight, the same walk with small TCP segments tells
/// whether packet size is the problem; a few more sizes bound the largest
/// that gets through.
public enum MTUSearch {
    /// The segment size of the always-run small-segment walk: the IPv4 minimum.
    public static let smallMSS = 536
    /// Sizes tried at once when a black hole is suspected, largest first.
    public static let candidates = [1400, 1360, 1300, 1240, 1180, 1100, 1000, 800]
    /// Each try may wait at least this share of the check's budget for a step.
    public static let tryBudgetShare = 0.05

    /// The step where the default client stalled with nothing more arriving,
    /// when the small-segment walk got past it: the signature of a black hole.
    public static func stalledStep(_ observations: CheckObservations) -> Step? {
        guard let probe = observations.defaultClient, case let .timedOut(step, _) = probe.end,
            step >= .tls,
            let small = observations.probes.first(where: { $0.purpose == .smallSegments })
        else { return nil }
        return got(small, pastStep: step) ? step : nil
    }

    /// True when a probe finished `step` (or got further).
    public static func got(_ probe: ProbeRecord, pastStep step: Step) -> Bool {
        probe.timings.contains { $0.step > step } || probe.timings.contains { $0.step == step && $0.durationMs != nil }
    }

    /// What the tries say: the largest segment size that worked and the
    /// smallest that did not. Tries in `cutShort` stalled on a wait the
    /// budget had shortened; they are named, never counted as stalls.
    public static func conclude(
        stalledAt step: Step, tries: [MTUTry], cutShort: [Int] = [], ipv6: Bool
    ) -> MTUSearchObservation {
        let working = tries.filter(\.worked).map(\.mss)
        let failing = tries.filter { !$0.worked }.map(\.mss)
        let largest = working.max() ?? smallMSS
        let smallestFailing = failing.filter { $0 > largest }.min()
        let overhead = ipv6 ? 60 : 40
        return MTUSearchObservation(
            stalledStep: step, tries: tries.sorted { $0.mss > $1.mss },
            largestWorkingMSS: largest, smallestFailingMSS: smallestFailing,
            estimatedPathMTU: largest + overhead,
            cutShortMSS: cutShort.isEmpty ? nil : cutShort.sorted(by: >))
    }
}

public struct MTUTry: Codable, Sendable, Equatable {
    public let mss: Int
    public let worked: Bool
    public let ms: Double

    public init(mss: Int, worked: Bool, ms: Double) {
        self.mss = mss
        self.worked = worked
        self.ms = ms
    }
}

public struct MTUSearchObservation: Codable, Sendable, Equatable {
    /// Where the default client stalled.
    public let stalledStep: Step
    public let tries: [MTUTry]
    public let largestWorkingMSS: Int
    /// The smallest tried size above the largest working one that failed.
    public let smallestFailingMSS: Int?
    /// Largest working segment plus IP and TCP headers.
    public let estimatedPathMTU: Int
    /// Sizes whose try ran out of the check's time before it could tell
    /// (nil when none): neither working nor stalling.
    public let cutShortMSS: [Int]?
}

extension MTUSearch {
    /// The same judgement from the two walks alone.
    static func stalledStep(defaultClient probe: ProbeRecord, small: ProbeRecord) -> Step? {
        guard case let .timedOut(step, _) = probe.end, step >= .tls else { return nil }
        return got(small, pastStep: step) ? step : nil
    }
}
