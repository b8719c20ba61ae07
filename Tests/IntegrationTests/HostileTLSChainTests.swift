import Diagnosis
import Foundation
import ProbeCore
import Testing
import Transport

/// A real TLS server (OpenSSL, scripts/testbed/hostile_tls.py) that presents
/// certificate chains far longer than any real server sends: the handshake and
/// the certificate audit stay bounded, and the report says what happened.
@Suite("check against a TLS server with a hostile certificate chain", .serialized)
struct HostileTLSChainTests {
    /// Starts the server with a chain of `count` certificates; returns it and its port.
    static func start(chain count: Int) throws -> (Process, UInt16) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [Testbed.root.appendingPathComponent("scripts/testbed/hostile_tls.py").path, "\(count)"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        // The port is its first line; making 400 certificates takes about a second.
        var line = Data()
        while !line.contains(0x0A) {
            let byte = output.fileHandleForReading.readData(ofLength: 1)
            guard !byte.isEmpty else { break }
            line.append(byte)
        }
        let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let port = UInt16(text) else {
            stop(process)
            throw TestbedError("hostile_tls.py did not start (printed \"\(text)\")")
        }
        return (process, port)
    }

    /// Kills the server and waits for it. SIGKILL, because a child started from
    /// the test process inherits its blocked signals: SIGTERM never arrived, and
    /// every run left two servers behind.
    static func stop(_ process: Process) {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    static func check(port: UInt16) async -> (CheckReport, Duration) {
        let clock = ContinuousClock()
        let start = clock.now
        let observations = await CheckRunner().run(
            Target(host: "127.0.0.1", port: port),
            options: .init(timeoutMs: 5000))
        let report = await Diagnoser.diagnose(
            observations, context: .init(trustAnchors: [], nowUnix: Int64(Date().timeIntervalSince1970)))
        return (report, clock.now - start)
    }

    @Test("a chain of 40 certificates: the handshake completes, the audit judges it untrusted, within the deadline")
    func longChain() async throws {
        let (server, port) = try Self.start(chain: 40)
        defer { Self.stop(server) }
        let (report, elapsed) = await Self.check(port: port)
        #expect(elapsed < .milliseconds(5500), "took \(elapsed) for a 5 s deadline")
        let probe = try #require(report.observations.defaultClient)
        #expect(probe.tls?.peerChain.count == 40)
        #expect(report.findings.contains { $0.id == .certUntrusted }, "\(report.findings.map(\.id))")
        #expect(report.verdict.step != .tls, "\(report.verdict.summary)")
    }

    @Test("a chain of 400 certificates (about 170 KB): refused by the TLS library as too large, a failure at TLS, within the deadline")
    func oversizedChain() async throws {
        let (server, port) = try Self.start(chain: 400)
        defer { Self.stop(server) }
        let (report, elapsed) = await Self.check(port: port)
        #expect(elapsed < .milliseconds(5500), "took \(elapsed) for a 5 s deadline")
        let probe = try #require(report.observations.defaultClient)
        guard case .tlsFailed(let reason) = probe.end else {
            Issue.record("expected a TLS failure, got \(probe.end)")
            return
        }
        #expect(reason.contains("EXCESSIVE_MESSAGE_SIZE"), "\(reason)")
        #expect(report.verdict.outcome == .fails)
        #expect(report.verdict.step == .tls)
    }
}
