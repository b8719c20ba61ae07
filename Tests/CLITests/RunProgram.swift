import Foundation

/// Runs the built `rdpdoctor` binary as a person would, with a deadline.
struct ProgramRun {
    let status: Int32
    let stdout: String
    let stderr: String

    /// The binary SwiftPM built beside this test bundle.
    static let binary: String = {
        let tests =
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? CommandLine.arguments[0]
        let directory = URL(fileURLWithPath: tests).deletingLastPathComponent()
        // On macOS the test bundle sits in .../debug/X.xctest/Contents/MacOS/.
        for candidate in [directory, directory.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()] {
            let path = candidate.appendingPathComponent("rdpdoctor").path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return directory.appendingPathComponent("rdpdoctor").path
    }()

    /// Writing to a program that has already exited must be an error here, not a signal.
    static let ignoreBrokenPipes: Void = { signal(SIGPIPE, SIG_IGN) }()

    static func run(
        _ arguments: [String], stdin: Data? = nil, environment: [String: String] = [:],
        timeout: TimeInterval = 20, executable: String = binary
    ) throws -> ProgramRun {
        _ = ignoreBrokenPipes
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "NO_COLOR")
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let input = Pipe()
        let output = Pipe()
        let errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        // Feed stdin on its own thread: a large input must not deadlock against output.
        let writer = Thread {
            if let stdin { try? input.fileHandleForWriting.write(contentsOf: stdin) }
            try? input.fileHandleForWriting.close()
        }
        writer.start()
        let collected = Collected()
        let readers = [(output, true), (errors, false)].map { pipe, isOut in
            Thread {
                let data = pipe.fileHandleForReading.readDataToEndOfFile()
                collected.set(data, isOut: isOut)
            }
        }
        readers.forEach { $0.start() }
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning, Date() < deadline { usleep(10_000) }
        if process.isRunning {
            // SIGKILL: the child inherits the test process's blocked signals, SIGTERM among them.
            kill(process.processIdentifier, SIGKILL)
            throw TimedOut(arguments: arguments)
        }
        process.waitUntilExit()
        while !collected.done { usleep(1_000) }
        return ProgramRun(
            status: process.terminationStatus,
            stdout: String(decoding: collected.out, as: UTF8.self),
            stderr: String(decoding: collected.err, as: UTF8.self))
    }

    struct TimedOut: Error { let arguments: [String] }

    final class Collected: @unchecked Sendable {
        private let lock = NSLock()
        private var parts: [Bool: Data] = [:]
        func set(_ data: Data, isOut: Bool) { lock.lock(); parts[isOut] = data; lock.unlock() }
        var done: Bool { lock.lock(); defer { lock.unlock() }; return parts.count == 2 }
        var out: Data { lock.lock(); defer { lock.unlock() }; return parts[true] ?? Data() }
        var err: Data { lock.lock(); defer { lock.unlock() }; return parts[false] ?? Data() }
    }
}
