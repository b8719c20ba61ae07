import ArgumentParser
import Foundation
import RDPDoctorKit
import Service

struct Scan: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check many hosts: one target per line (HOST[:PORTS], [IPv6]:PORTS, CIDR[:PORTS]), a summary at the end.",
        discussion: """
            FILE is the target list, or - for standard input. PORTS is a comma list \
            of ports and ranges (3389,33890-33899); without it, 3389. Every target \
            appears in the output, also when its check runs out of time. With \
            --jsonl, one JSON line per target as it finishes (docs/scan.md), then \
            the summary on standard error.

            Exit codes: 0 every target connectable and clean; 1 warnings; 2 a \
            target would fail; 3 could not run (bad list or arguments); 4 a target \
            could not be told (no failing target).
            """
    )

    @Argument(help: "The target list, or - for standard input.")
    var file: String

    @Option(name: .shortAndLong, help: "Targets checked at once (1-10000; a quick check holds one socket, a --full one up to 3, within the open-file limit).")
    var jobs: Int = 256

    @Option(name: .long, help: "Each target's overall deadline in seconds.")
    var timeout: Double = 5

    @Option(
        name: .long,
        help:
            "Each step (the TCP connect, every answer) waits at most this many seconds; a target silent that long is 'no answer within' it, undetermined. 0.5 by default; none with --full."
    )
    var stepTimeout: Double?

    @Flag(
        name: .long,
        help: "A full check of each target (by default only the default client's walk, as check --quick, with short waits and one connection to a silent port)."
    )
    var full = false

    @Flag(name: .long, help: "Print one JSON line per target as it finishes (docs/scan.md); the summary goes to standard error.")
    var jsonl = false

    @Option(name: .long, help: "Skip the targets already in this earlier --jsonl output.")
    var resume: String?

    @Flag(name: .long, help: "No progress line on standard error.")
    var quiet = false

    static let maximumListSize = 16 << 20
    /// A quick scan's wait for each step: far above a LAN's or a continent's
    /// round trip, far below a client's patience; silence that long is reported
    /// as such, never as a down host.
    static let quickStepTimeout = 0.5

    func run() async throws {
        guard (1...10_000).contains(jobs) else { throw fail("-j must be between 1 and 10000") }
        // A quick check holds one socket at a time, a full one up to 3: keep within
        // the open-file limit (raised to its hard limit).
        let fileLimit = Self.raiseFileLimit()
        var jobs = jobs
        let allowedJobs = max(1, (fileLimit - 64) / (full ? CheckCoordinator.maximumSimultaneousConnections : 1))
        guard timeout > 0, timeout <= 120 else { throw fail("--timeout must be more than 0 and at most 120 seconds") }
        let stepTimeout = stepTimeout ?? (full ? nil : min(Self.quickStepTimeout, timeout))
        if let stepTimeout, !(stepTimeout > 0 && stepTimeout <= timeout) {
            throw fail("--step-timeout must be more than 0 and at most --timeout")
        }
        let text = try readList()
        var targets: [String]
        do {
            targets = try ScanList.expand(text)
        } catch {
            throw fail("\(file == "-" ? "standard input" : file): \(error.description)")
        }
        if let resume {
            guard let data = FileManager.default.contents(atPath: resume) else { throw fail("cannot read --resume \(resume)") }
            let done = ScanList.finishedTargets(jsonl: String(decoding: data, as: UTF8.self))
            targets.removeAll { done.contains($0) }
        }
        if jobs > allowedJobs {
            if targets.count > allowedJobs, !quiet {
                Output.standardError("rdpdoctor: the open-file limit (\(fileLimit)) allows \(allowedJobs) checks at a time; -j lowered to \(allowedJobs)\n")
            }
            jobs = allowedJobs
        }
        let progress = !quiet && Output.isTerminal(2)
        let started = ContinuousClock.now
        var records: [ScanRecord] = []
        records.reserveCapacity(targets.count)
        var checkOptions = CheckOptions(timeout: timeout, quick: !full)
        checkOptions.stepTimeout = stepTimeout
        // A quick scan asks a silent port nothing more: one connection, one wait.
        checkOptions.serviceProbeAfterSilence = full
        let options = checkOptions
        // A target's check is bounded by its own deadline; the scan adds a margin and
        // then records the target as undetermined rather than wait without end.
        let hardLimit = Duration.milliseconds(Int64(timeout * 1000) + 5000)
        await withTaskGroup(of: ScanRecord.self) { group in
            var next = 0
            func launch() {
                let target = targets[next]
                next += 1
                group.addTask { await Self.checkOne(target, options: options, hardLimit: hardLimit) }
            }
            while next < min(jobs, targets.count) { launch() }
            while let record = await group.next() {
                records.append(record)
                if jsonl { Output.standardOutput(record.jsonLine) }
                if progress {
                    Output.standardError("\r\u{1B}[2K\(records.count)/\(targets.count) done, \(next - records.count) in flight")
                }
                if next < targets.count { launch() }
            }
        }
        if progress { Output.standardError("\r\u{1B}[2K") }
        let summary = ScanSummary.render(records, wallSeconds: ServiceSeconds.of(ContinuousClock.now - started))
        if jsonl {
            Output.standardError(summary)
        } else {
            var table = ""
            for record in records.sorted(by: { $0.target < $1.target }) {
                var verdict = record.outcome
                if let verdict0 = record.verdict, verdict0.outcome == .fails || verdict0.outcome == .undetermined,
                    let step = verdict0.step
                {
                    verdict += " at \(step.rawValue)"
                }
                table +=
                    record.target.padding(toLength: max(28, record.target.count), withPad: " ", startingAt: 0) + " "
                    + verdict.padding(toLength: 26, withPad: " ", startingAt: 0) + " "
                    + (record.error ?? record.verdict?.summary ?? "") + "\n"
            }
            Output.standardOutput(table + "\n" + summary)
        }
        let statuses = Set(records.map(\.exitStatus))
        if statuses.contains(2) { throw Reported(status: .failure) }
        if statuses.contains(4) || statuses.contains(3) { throw Reported(status: .undetermined) }
        if statuses.contains(1) { throw Reported(status: .attention) }
    }

    static func checkOne(_ target: String, options: CheckOptions, hardLimit: Duration) async -> ScanRecord {
        let started = ContinuousClock.now
        let elapsedMs: @Sendable () -> Double = { ServiceSeconds.of(ContinuousClock.now - started) * 1000 }
        return await withTaskGroup(of: ScanRecord?.self) { group in
            group.addTask {
                do {
                    let report = try await check(target, options: options)
                    return ScanRecord(report: report, durationMs: elapsedMs())
                } catch {
                    return ScanRecord(target: target, exitStatus: 3, error: "\(error)", durationMs: elapsedMs())
                }
            }
            group.addTask {
                try? await Task.sleep(for: hardLimit)
                return Task.isCancelled
                    ? nil
                    : ScanRecord(target: target, exitStatus: 4, error: "no answer within the scan's limit", durationMs: elapsedMs())
            }
            var result: ScanRecord?
            while result == nil, let next = await group.next() { result = next }
            group.cancelAll()
            return result ?? ScanRecord(target: target, exitStatus: 4, error: "no result", durationMs: elapsedMs())
        }
    }

    /// The soft open-file limit, first raised to the hard limit.
    static func raiseFileLimit() -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1024 }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { limit = raised }
        }
        return Int(min(limit.rlim_cur, 1 << 20))
    }

    private func readList() throws -> String {
        if file == "-" {
            switch Output.readStandardInput(limit: Self.maximumListSize) {
            case .success(let bytes): return String(decoding: bytes, as: UTF8.self)
            case .failure: throw fail("cannot read standard input (at most 16 MiB)")
            }
        }
        guard let handle = FileHandle(forReadingAtPath: file) else { throw fail("cannot open \(file)") }
        defer { try? handle.close() }
        guard let data = try? handle.read(upToCount: Self.maximumListSize + 1), data.count <= Self.maximumListSize else {
            throw fail("cannot read \(file) (at most 16 MiB)")
        }
        return String(decoding: data, as: UTF8.self)
    }

    private func fail(_ message: String) -> Reported {
        Output.standardError("rdpdoctor: \(message)\n")
        return Reported(status: .couldNotRun)
    }
}

enum ServiceSeconds {
    static func of(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
