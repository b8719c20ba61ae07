import ArgumentParser

/// Exit codes shared by every subcommand (README.md documents them).
enum ExitStatus: Int32 {
    /// Answered: explained, or connectable and clean.
    case ok = 0
    /// Answered with reservations: nothing matched (explain), warnings (check).
    case attention = 1
    /// The connection would fail (check).
    case failure = 2
    /// rdpdoctor could not run: bad arguments or unreadable input.
    case couldNotRun = 3
    /// Could not tell (check): a step got no answer within the deadline.
    case undetermined = 4
}

/// A failure already reported to the user; only its exit status remains.
struct Reported: Error {
    let status: ExitStatus
}

struct RDPDoctor: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rdpdoctor",
        abstract: "Explain Remote Desktop (RDP) connection failures, and find the step that breaks.",
        discussion: """
            Exit codes: 0 answered / connectable and clean; 1 nothing matched /
            warnings; 2 the connection would fail; 3 could not run (bad arguments
            or input).
            """,
        version: "0.1.0",
        subcommands: [Explain.self, Check.self, Lint.self, Analyze.self, Serve.self, Scan.self]
    )
}

@main
enum Main {
    static func main() async {
        Output.ignoreBrokenPipes()
        do {
            var command = try RDPDoctor.parseAsRoot()
            if var asynchronous = command as? any AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
        } catch let reported as Reported {
            exit(reported.status)
        } catch {
            let code = RDPDoctor.exitCode(for: error)
            let message = RDPDoctor.fullMessage(for: error)
            if code == .success {
                Output.standardOutput(message + "\n")
                exit(.ok)
            }
            Output.standardError(message + "\n")
            exit(.couldNotRun)
        }
    }

    static func exit(_ status: ExitStatus) -> Never {
        Output.exit(status.rawValue)
    }
}
