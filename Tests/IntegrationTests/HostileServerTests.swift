import Diagnosis
import Foundation
import NIOCore
import NIOPosix
import ProbeCore
import RDPProtocol
import Testing
import Transport

/// Servers that attack the client rather than merely misbehave (issue 11's
/// hostile-server suite), on 127.0.0.1 with the `MisbehavingServer` of
/// MisbehavingServerTests. Each case: a typed end that names the step, the
/// overall deadline kept within 10 %, and no socket of the server's port left
/// open in this process (client side or server side) once the server stops.
@Suite("check against a hostile server", .serialized)
struct HostileServerTests {
    typealias M = MisbehavingServerTests

    /// The test process's peak resident set (VmHWM), in kB.
    static func peakRSSkB() -> Int {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") } ?? ""
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? -1
    }

    /// This process's descriptors that are still sockets to or from `port` (TCP or
    /// UDP, IPv4 or IPv6) once the server has stopped; closing is asynchronous on
    /// both sides, so it waits up to 2 s for them to go. Other suites running at
    /// the same time open their own sockets: only the server's port counts.
    static func socketsLeft(port: Int) async throws -> [String] {
        var left = socketsOf(port: port)
        for _ in 0..<40 where !left.isEmpty {
            try await Task.sleep(for: .milliseconds(50))
            left = socketsOf(port: port)
        }
        return left
    }

    static func socketsOf(port: Int) -> [String] {
        var inodes = Set<String>()
        for table in ["tcp", "tcp6", "udp", "udp6"] {
            let text = (try? String(contentsOfFile: "/proc/self/net/" + table, encoding: .utf8)) ?? ""
            for line in text.split(separator: "\n").dropFirst() {
                let fields = line.split(separator: " ")
                guard fields.count > 9 else { continue }
                let ports = [fields[1], fields[2]].compactMap { $0.split(separator: ":").last.flatMap { Int($0, radix: 16) } }
                if ports.contains(port) { inodes.insert("socket:[\(fields[9])]") }
            }
        }
        return openDescriptors().filter { inodes.contains($0.value) }.map { "\($0.key) → \($0.value)" }.sorted()
    }

    /// Open file descriptors of this process, each with what it points at.
    static func openDescriptors() -> [String: String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        return Dictionary(
            uniqueKeysWithValues: names.map {
                ($0, (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/" + $0)) ?? "?")
            })
    }

    /// Runs the check against `mode` and returns the report, the time it took,
    /// the sockets of the server's port still open once it is gone, and what it sent.
    static func run(_ name: String, _ mode: Misbehaviour) async throws -> (CheckReport, Duration, leaked: [String], sent: Int) {
        let server = try await MisbehavingServer.start(mode)
        let (report, elapsed) = await M.check(server)
        let sent = server.log.dripped
        server.stop()
        let leaked = try await socketsLeft(port: server.port)
        print("hostile case \(name): \(elapsed) for a \(M.timeoutMs) ms deadline, test process peak RSS \(peakRSSkB()) kB")
        return (report, elapsed, leaked, sent)
    }

    @Test("an endless stream after a confirm selecting TLS: the TLS step fails, the stream is counted, not kept")
    func endlessStreamAfterConfirm() async throws {
        let (report, elapsed, leaked, sent) = try await Self.run(
            "endless stream after a TLS confirm", .flood(first: M.confirmTLS, chunk: [UInt8](repeating: 0x41, count: 16 * 1024), every: .milliseconds(2)))
        #expect(elapsed < M.allowed, "took \(elapsed) for a \(M.timeoutMs) ms deadline")
        #expect(leaked.isEmpty, "descriptors left open: \(leaked)")
        #expect(sent > 0, "the server flooded")
        let probe = try #require(report.observations.defaultClient)
        #expect(probe.negotiation == .selected(protocol: .ssl, flags: NegotiationResponseFlags(rawValue: 1)))
        #expect(probe.end.step == .tls, "\(probe.end)")
        if case .tlsFailed = probe.end {
        } else if case .timedOut = probe.end {
        } else {
            Issue.record("expected the TLS step to fail or time out, got \(probe.end)")
        }
        #expect([.fails, .undetermined].contains(report.verdict.outcome), "\(report.verdict.summary)")
        #expect(report.verdict.step == .tls, "\(report.verdict.summary)")
    }

    @Test("confirm after confirm under standard RDP security: a protocol error naming the MCS Connect Response")
    func repeatedConfirms() async throws {
        // RDP_NEG_RSP selecting PROTOCOL_RDP: no TLS, so MCS follows on the plain connection.
        var confirmRDP = M.confirmTLS
        confirmRDP[15] = 0x00
        let (report, elapsed, leaked, _) = try await Self.run(
            "confirm after confirm", .flood(first: confirmRDP, chunk: confirmRDP, every: .milliseconds(5)))
        #expect(elapsed < M.allowed, "took \(elapsed) for a \(M.timeoutMs) ms deadline")
        #expect(leaked.isEmpty, "descriptors left open: \(leaked)")
        let probe = try #require(report.observations.defaultClient)
        #expect(probe.negotiation == .selected(protocol: .rdp, flags: NegotiationResponseFlags(rawValue: 1)))
        guard case let .protocolError(step, message) = probe.end else {
            Issue.record("expected a protocol error, got \(probe.end)")
            return
        }
        #expect(step == .mcs)
        #expect(message.contains("MCS Connect Response"), "\(message)")
        #expect(report.verdict.outcome == .fails, "\(report.verdict.summary)")
        #expect(report.verdict.step == .mcs, "\(report.verdict.summary)")
    }

    @Test("a half-close (FIN) after the request, the server still reading: a FIN during x224")
    func halfCloseAfterRequest() async throws {
        let (report, elapsed, leaked, _) = try await Self.run("half-close after the request", .halfCloseAfterRequest)
        #expect(elapsed < M.allowed, "took \(elapsed) for a \(M.timeoutMs) ms deadline")
        #expect(leaked.isEmpty, "descriptors left open: \(leaked)")
        let probe = try #require(report.observations.defaultClient)
        #expect(probe.end == .peerClosed(.fin, step: .x224, waitingFor: .connectionConfirm), "\(probe.end)")
        #expect(report.verdict.outcome == .fails, "\(report.verdict.summary)")
        #expect(report.verdict.step == .x224, "\(report.verdict.summary)")
    }

    @Test("a TLS server that never finishes its flight: the TLS step times out, undetermined, deadline kept")
    func unfinishedTLSFlight() async throws {
        // The confirm selecting TLS, then the header of a 16 KiB handshake record and nothing more.
        let (report, elapsed, leaked, _) = try await Self.run("unfinished TLS flight", .answer(M.confirmTLS + [0x16, 0x03, 0x03, 0x40, 0x00, 0x02]))
        #expect(elapsed < M.allowed, "took \(elapsed) for a \(M.timeoutMs) ms deadline")
        #expect(leaked.isEmpty, "descriptors left open: \(leaked)")
        let probe = try #require(report.observations.defaultClient)
        #expect(probe.negotiation == .selected(protocol: .ssl, flags: NegotiationResponseFlags(rawValue: 1)))
        #expect(probe.end == .timedOut(step: .tls, waitingFor: .tlsHandshake), "\(probe.end)")
        #expect(report.verdict.outcome == .undetermined, "\(report.verdict.summary)")
        #expect(report.verdict.step == .tls, "\(report.verdict.summary)")
    }

    @Test("a server that stops reading after its confirm (its TCP window closes): the zero window is named, deadline kept, nothing held")
    func zeroWindow() async throws {
        let (report, elapsed, leaked, _) = try await Self.run("zero window after the confirm", .stopReading(M.confirmTLS))
        #expect(elapsed < M.allowed, "took \(elapsed) for a \(M.timeoutMs) ms deadline")
        #expect(leaked.isEmpty, "descriptors left open: \(leaked)")
        let probe = try #require(report.observations.defaultClient)
        #expect(probe.end == .timedOut(step: .tls, waitingFor: .tlsHandshake), "\(probe.end)")
        #expect(probe.tcp?.peerWindow == 0, "\(String(describing: probe.tcp))")
        #expect((probe.tcp?.unsentBytes ?? 0) > 0, "part of the ClientHello waits: \(String(describing: probe.tcp))")
        #expect(report.findings.contains { $0.id == .pathZeroWindow }, "\(report.findings.map(\.id))")
        #expect(report.verdict.outcome == .undetermined, "\(report.verdict.summary)")
        #expect(report.verdict.summary.contains("stopped reading"), "\(report.verdict.summary)")
    }

    @Test("a TPKT length of 65535, then one byte a second: undetermined at x224, deadline kept, nothing held")
    func slowestDrip() async throws {
        let (report, elapsed, leaked, _) = try await Self.run(
            "TPKT 65535, a byte a second",
            .drip(header: [0x03, 0x00, 0xFF, 0xFF], every: .seconds(1)))
        #expect(elapsed < M.allowed, "took \(elapsed) for a \(M.timeoutMs) ms deadline")
        #expect(leaked.isEmpty, "descriptors left open: \(leaked)")
        let probe = try #require(report.observations.defaultClient)
        #expect(probe.end == .timedOut(step: .x224, waitingFor: .connectionConfirm))
        #expect(report.verdict.outcome == .undetermined, "\(report.verdict.summary)")
        #expect(report.verdict.step == .x224, "\(report.verdict.summary)")
    }

    @Test("a flood of 5,000 garbage datagrams answering the SYN: malformed from the first, the rest ignored, nothing held")
    func udpFlood() async throws {
        let garbage = [UInt8](repeating: 0xEE, count: 1200)
        let responder = try await UDPResponder.start(.flood(count: 5_000, datagram: garbage))
        let (seen, elapsed) = await UDPProbeTests.probe(port: responder.port, deadline: .milliseconds(1500))
        responder.stop()
        print("hostile case UDP flood: \(elapsed) for a 1500 ms deadline, test process peak RSS \(Self.peakRSSkB()) kB")
        guard case .malformed(let reason) = seen.outcome else {
            Issue.record("expected malformed, got \(seen.outcome)")
            return
        }
        #expect(reason.hasPrefix("RDP-UDP SYN+ACK datagram: "), "\(reason)")
        #expect(seen.answerPrefix?.bytes == Array(garbage.prefix(seen.answerPrefix?.bytes.count ?? 0)))
        #expect(elapsed < .milliseconds(1650))
        let leaked = try await Self.socketsLeft(port: responder.port)
        #expect(leaked.isEmpty, "descriptors left open: \(leaked)")
    }
}
