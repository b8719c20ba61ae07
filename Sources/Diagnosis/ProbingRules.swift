import Catalogue
import ProbeCore

/// How the server coped with rdpdoctor's connections, and what the polite
/// plan cost: a server that drops concurrent connections is itself a finding.
enum ProbingRules: DiagnosisRule {
    static func findings(_ input: RuleInput) -> [Finding] {
        let o = input.observations
        let catalogue = input.catalogue
        guard let probing = o.probing else { return [] }
        var findings: [Finding] = []
        if !probing.answeredAlone.isEmpty {
            let names = probing.answeredAlone.map(Names.purpose).joined(separator: "; ")
            findings.append(
                Finding(
                    id: .tcpDropsConcurrent, level: .warn, section: .tcp,
                    title: "The server drops connections when several are open at once",
                    detail:
                        "\(probing.answeredAlone.count) of rdpdoctor's connections failed while others were open (at most \(probing.highestSimultaneous) at once) and got their answer when repeated alone: \(names). rdpdoctor finished the check one connection at a time. Clients that connect while others do (several users at once, a monitoring probe) can fail the same way, and show 0x904 / 0x7.",
                    fixes: [
                        "Look at the server's (or the proxy's in front of it) limits on concurrent connections and handshakes, and at its logs at the time of the check.",
                        "Until it is fixed, keep monitoring probes and scanners to one connection at a time against it.",
                    ],
                    codes: catalogue.clientCodes(.setupClosed).keys))
        }
        if let slow = probing.slowestConcurrentAnswerMs {
            findings.append(
                Finding(
                    id: .tcpSlowWhenConcurrent, level: .warn, section: .tcp,
                    title: "The server answers much later when several connections are open",
                    detail:
                        "Alone it answered the X.224 request in \(Names.ms(probing.defaultAnswerMs ?? 0)); with others open, after \(Names.ms(slow)). A listener or proxy that serves connections one after another (single-threaded) does this; so does a server, or the machine running rdpdoctor, that was busy at that moment, once: if a second check does not show it again, it was the moment. rdpdoctor went on one connection at a time.",
                    fixes: ["Check for a single-threaded proxy, port forwarder or inspection device in front of the server."]))
        }
        var plan =
            "rdpdoctor opened \(probing.connections) connection\(probing.connections == 1 ? "" : "s"), at most \(probing.highestSimultaneous) at once (its limit is \(probing.limit)), the default client's walk first."
        if probing.wentSequential { plan += " It went on one at a time once the server struggled." }
        findings.append(Finding(id: .timingPlan, level: .info, section: .timing, title: "How the check probed", detail: plan))
        if !probing.notStarted.isEmpty {
            findings.append(
                Finding(
                    id: .timingNotStarted, level: .warn, section: .timing,
                    title: "\(probing.notStarted.count) probe\(probing.notStarted.count == 1 ? "" : "s") did not run: the deadline came first",
                    detail:
                        "Not run: \(probing.notStarted.map(Names.purpose).joined(separator: "; ")). What they would have told is reported as not determined.",
                    fixes: ["Run again with a longer --timeout."]))
        }
        return findings
    }
}
