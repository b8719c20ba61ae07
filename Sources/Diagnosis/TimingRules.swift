import ProbeCore

/// How long the default client's steps took, and the slowest one.
enum TimingRules: DiagnosisRule {
    /// Steps slower than this make an interactive connection feel stuck.
    static let slowStepMs = 1000.0

    static func findings(_ input: RuleInput) -> [Finding] {
        let o = input.observations
        guard let probe = o.defaultClient, !probe.timings.isEmpty else { return [] }
        let done = probe.timings.compactMap { timing in timing.durationMs.map { (timing.step, $0) } }
        // A connection that never got going has no timing worth a line.
        guard done.contains(where: { $0.0 != .tcp }) || probe.end == .completed else { return [] }
        let text = done.map { "\(Names.step($0.0)) \(Names.ms($0.1))" }.joined(separator: ", ")
        var findings = [
            Finding(
                id: .timingSteps, level: .info, section: .timing,
                title: o.capture != nil
                    ? "The connection lasted \(Names.ms(probe.totalMs))"
                    : "Default client replay took \(Names.ms(probe.totalMs))",
                detail: text.isEmpty ? "No step completed." : text + ".")
        ]
        if let slowest = done.max(by: { $0.1 < $1.1 }), slowest.1 > slowStepMs {
            findings.append(
                Finding(
                    id: .timingSlowStep, level: .warn, section: .timing,
                    title: "\(Names.step(slowest.0).prefix(1).uppercased() + Names.step(slowest.0).dropFirst()) is slow (\(Names.ms(slowest.1)))",
                    detail: "A step this slow on its own points at latency or loss on the path (VPN, Wi-Fi) or an overloaded server.",
                    fixes: ["Compare from another network; check the server's load and, for CredSSP, its domain controller's response time."]))
        }
        return findings
    }
}
