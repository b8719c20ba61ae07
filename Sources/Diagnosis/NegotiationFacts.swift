import ProbeCore
import RDPProtocol

/// What the negotiation probes say the server accepts, derived once from the
/// observations and shared by the rules.
struct NegotiationFacts {
    /// Protocol (by requested value) → what the server answered.
    let answers: [SecurityProtocols: NegotiationObservation]
    let defaultSelected: SecurityProtocols?
    /// A request that offered CredSSP was answered without selecting it.
    /// (A capture may hold only requests that never offered it; then nothing
    /// can be said about NLA.)
    let credSSPDeclined: Bool

    init(_ observations: CheckObservations) {
        var answers: [SecurityProtocols: NegotiationObservation] = [:]
        for probe in observations.probes {
            if case .negotiation(let requested) = probe.purpose, let answer = probe.negotiation {
                answers[requested] = answer
            }
        }
        self.answers = answers
        defaultSelected = observations.defaultClient?.negotiation?.selectedProtocol
        let credSSP: SecurityProtocols = [.hybrid, .hybridEx]
        credSSPDeclined = observations.probes.contains { probe in
            guard !probe.requestedProtocols.isDisjoint(with: credSSP), let answer = probe.negotiation else { return false }
            return (answer.selectedProtocol ?? .rdp).isDisjoint(with: credSSP)
        }
    }

    /// The protocol a negotiation probe is about: HYBRID_EX is asked for
    /// together with HYBRID, as the specification requires.
    static func target(of requested: SecurityProtocols) -> SecurityProtocols {
        requested.contains(.hybridEx) ? .hybridEx : requested
    }

    /// True when asking for `requested` made the server select `selected`.
    func accepts(_ requested: SecurityProtocols, selecting selected: SecurityProtocols) -> Bool {
        answers[requested]?.selectedProtocol == selected
    }

    var acceptsStandardSecurity: Bool { accepts(.rdp, selecting: .rdp) }
    var acceptsTLS: Bool { accepts(.ssl, selecting: .ssl) }
    var acceptsCredSSP: Bool {
        accepts(.hybrid, selecting: .hybrid) || acceptsHybridEx
            || !(defaultSelected ?? .rdp).isDisjoint(with: [.hybrid, .hybridEx])
    }

    /// True only when the probe for `requested` was answered, and not with it:
    /// a probe that got no answer refuses nothing.
    func refuses(_ requested: SecurityProtocols) -> Bool {
        guard let answer = answers[requested] else { return false }
        return answer.selectedProtocol != Self.target(of: requested)
    }
    var acceptsHybridEx: Bool { accepts([.hybrid, .hybridEx], selecting: .hybridEx) }
    var acceptsRDSTLS: Bool { accepts(.rdstls, selecting: .rdstls) }
    var acceptsRDSAAD: Bool { accepts(.rdsaad, selecting: .rdsaad) }

    /// Any negotiation probe got an answer at all.
    var anyAnswer: Bool { !answers.isEmpty || defaultSelected != nil }

    /// NLA is required: CredSSP is selected and both weaker protocols are refused.
    var nlaRequired: Bool { acceptsCredSSP && refuses(.ssl) && refuses(.rdp) }
    /// CredSSP is accepted, but a weaker protocol's probe got no answer.
    var nlaRequirementUnknown: Bool { acceptsCredSSP && !nlaRequired && !acceptsTLS && !acceptsStandardSecurity }

    func failureCode(for requested: SecurityProtocols) -> NegotiationFailureCode? {
        if case .failure(let code) = answers[requested] { return code }
        return nil
    }
}
