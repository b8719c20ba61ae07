import Capture
import CaptureAnalysis
import Diagnosis
import Foundation
import ProbeCore
import RDPProtocol
import Testing

/// The capture reader on real traffic: dumpcap records a check against the
/// real xrdp on loopback, and tshark, reading the same file, is the
/// independent reference for what the reader finds.
@Suite("captures of real checks", .serialized)
struct CaptureRealTests {
    @Test("every RDP connection of a check is found, with the protocols it requested, as tshark reads them")
    func checkAgainstXrdp() async throws {
        let port = try Testbed.port("XRDP_NEGOTIATE")
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("rdpdoctor-capture-\(UUID().uuidString).pcapng")
        defer { try? FileManager.default.removeItem(at: file) }
        let capture = try Dumpcap.start(filter: "tcp port \(port)", file: file)
        let report = try await Testbed.check("XRDP_NEGOTIATE")
        try capture.stop()

        let bytes = try [UInt8](Data(contentsOf: file))
        var scan = CaptureScan()
        try scan.feed(bytes)
        let finished = scan.takeFinishedRDP()
        let (rest, _, ending) = scan.finish()
        let rdpConnections = finished + rest
        #expect(ending == nil)

        // Ours: each connection that began with an X.224 request, by client port.
        var ours: [UInt16: UInt32] = [:]
        for connection in rdpConnections {
            let request = try X224ConnectionRequest.decode(
                connection.toServer.stream[...].prefix(
                    Int(connection.toServer.stream[2]) << 8 | Int(connection.toServer.stream[3])))
            ours[connection.client.port] = request.requestedProtocols?.rawValue ?? 0
        }
        // tshark's, from the same file.
        let lines = try Tshark.fields(
            file, decodeAs: "tcp.port==\(port),tpkt", filter: "cotp.type == 0x0e",
            fields: ["tcp.srcport", "rdp.negReq.requestedProtocols"])
        var theirs: [UInt16: UInt32] = [:]
        for line in lines {
            let parts = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard let portText = parts.first, let clientPort = UInt16(portText) else { continue }
            let requested = parts.count > 1 ? String(parts[1]) : ""
            theirs[clientPort] = requested.isEmpty ? 0 : UInt32(requested.dropFirst(2), radix: 16) ?? UInt32(requested) ?? 0
        }
        #expect(!ours.isEmpty)
        #expect(ours == theirs, "ours \(ours.sorted { $0.key < $1.key }), tshark \(theirs.sorted { $0.key < $1.key })")
        // Every X.224 exchange of the check is in the capture (other tests may add
        // their own connections to the shared testbed, never remove ours), and each
        // of them shows how it ended: a FIN or a reset from one side.
        let walked = report.observations.probes.filter { !$0.timings.filter { $0.step == .x224 }.isEmpty }
        #expect(rdpConnections.count >= walked.count)
        let ended = rdpConnections.filter {
            [$0.toServer.finMicros, $0.toServer.resetMicros, $0.toClient.finMicros, $0.toClient.resetMicros].contains { $0 != nil }
        }
        #expect(ended.count >= walked.count)

        // Replayed from the capture, each request got the answer the live check recorded.
        func answers(_ records: [ProbeRecord]) -> Set<String> {
            Set(records.compactMap { record in record.negotiation.map { "\(record.requestedProtocols) → \($0)" } })
        }
        let replayed = rdpConnections.map { ConnectionReplay.replay($0) }.map(\.record)
        #expect(answers(walked).isSubset(of: answers(replayed)), "live \(answers(walked).sorted()), capture \(answers(replayed).sorted())")
        // And the TLS version each TLS connection settled on is the one the live check saw.
        let liveVersions = Set(walked.compactMap { $0.tls?.version })
        let capturedVersions = Set(replayed.compactMap { $0.tls?.version })
        #expect(liveVersions.isSubset(of: capturedVersions), "live \(liveVersions), capture \(capturedVersions)")
    }
}

extension CaptureRealTests {
    @Test("standard RDP security in clear: the server data a capture shows is what the check read")
    func standardSecurityServerData() async throws {
        let port = try Testbed.port("XRDP_RDP_HIGH")
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("rdpdoctor-rdpsec-\(UUID().uuidString).pcapng")
        defer { try? FileManager.default.removeItem(at: file) }
        let capture = try Dumpcap.start(filter: "tcp port \(port)", file: file)
        let report = try await Testbed.check("XRDP_RDP_HIGH") { $0.defaultClientOnly = true }
        try capture.stop()
        var analyzer = CaptureAnalyzer(trustAnchors: [])
        await analyzer.feed(try [UInt8](Data(contentsOf: file)))
        let analysis = await analyzer.finish()
        let live = try #require(report.observations.defaultClient?.serverData)
        let replayed = analysis.connections.compactMap { $0.captured.record.serverData }
        #expect(!replayed.isEmpty)
        for data in replayed {
            #expect(data.encryptionMethod == live.encryptionMethod)
            #expect(data.encryptionLevel == live.encryptionLevel)
            #expect(data.rdpVersion == live.rdpVersion)
            #expect(data.certificate == live.certificate)
        }
        // The same rule reads the weakness from the capture as from the check.
        #expect(analysis.connections.contains { $0.report.findings.contains { $0.id == .rdpsecEncryption } })
    }

    @Test("xfreerdp asking a TLS-only xrdp for standard security: analyze shows where the server hangs up")
    func xfreerdpNegotiationFailure() async throws {
        let port = try Testbed.port("XRDP_TLS")
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("rdpdoctor-xfreerdp-\(UUID().uuidString).pcapng")
        defer { try? FileManager.default.removeItem(at: file) }
        let capture = try Dumpcap.start(filter: "tcp port \(port)", file: file)
        let client = try RealClient.start(["/v:127.0.0.1:\(port)", "/sec:rdp", "/cert:ignore", "/u:nobody", "/p:"])
        for _ in 0..<1000 where client.isRunning { usleep(10_000) }
        client.stop()
        try capture.stop()

        var analyzer = CaptureAnalyzer(trustAnchors: [])
        await analyzer.feed(try [UInt8](Data(contentsOf: file)))
        let report = await analyzer.finish()
        // The capture may also hold other tests' connections to the shared testbed:
        // the one that asked for standard security only is xfreerdp's.
        let refused = try #require(
            report.connections.first { $0.captured.record.requestedProtocols == .rdp },
            "connections: \(report.connections.map { $0.captured.record.requestedProtocols })")
        // xfreerdp's /sec:rdp request carries no negotiation data; xrdp answers
        // without any either, then closes as soon as the client's MCS data comes.
        #expect(refused.captured.record.negotiation == .noNegotiationData)
        #expect(refused.captured.closedBy == .server, "\(refused.report.verdict.summary)")
        #expect(refused.report.verdict.outcome == .fails)
        #expect(refused.report.verdict.step == .mcs, "\(refused.report.verdict.summary)")
        #expect(refused.report.verdict.errorCode?.description == "disconnect:0x904")
    }
}

extension CaptureRealTests {
    @Test(
        "xfreerdp asking a standard-security xrdp for TLS only: xrdp selects standard RDP security, the client leaves; analyze says the client gave up at the negotiation"
    )
    func xfreerdpLeavesAfterNegotiation() async throws {
        let port = try Testbed.port("XRDP_RDP_HIGH")
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("rdpdoctor-xfreerdp-neg-\(UUID().uuidString).pcapng")
        defer { try? FileManager.default.removeItem(at: file) }
        let capture = try Dumpcap.start(filter: "tcp port \(port)", file: file)
        let client = try RealClient.start(["/v:127.0.0.1:\(port)", "/sec:tls", "/cert:ignore", "/u:nobody", "/p:"])
        for _ in 0..<1000 where client.isRunning { usleep(10_000) }
        let output = client.output
        client.stop()
        try capture.stop()
        #expect(output.contains("ERRCONNECT_SECURITY_NEGO_CONNECT_FAILED"), "\(output)")

        var analyzer = CaptureAnalyzer(trustAnchors: [])
        await analyzer.feed(try [UInt8](Data(contentsOf: file)))
        let report = await analyzer.finish()
        let left = try #require(
            report.connections.first { $0.captured.record.requestedProtocols == .ssl },
            "connections: \(report.connections.map { $0.captured.record.requestedProtocols })")
        #expect(left.captured.record.negotiation?.selectedProtocol == .rdp)
        #expect(left.captured.clientLeftAfterNegotiation)
        #expect(left.captured.closedBy == .client)
        #expect(left.report.verdict.outcome == .fails)
        #expect(left.report.verdict.step == .x224)
        #expect(left.report.verdict.summary.contains("gave up after the negotiation"), "\(left.report.verdict.summary)")
    }
}

/// dumpcap (Wireshark's capture engine, from Debian's tshark package) on loopback.
final class Dumpcap: @unchecked Sendable {
    let process = Process()
    let errorLog: URL

    init() {
        errorLog = FileManager.default.temporaryDirectory.appendingPathComponent("rdpdoctor-dumpcap-\(UUID().uuidString).log")
    }

    static func start(filter: String, file: URL) throws -> Dumpcap {
        let capture = Dumpcap()
        _ = FileManager.default.createFile(atPath: capture.errorLog.path, contents: nil)
        let handle = try FileHandle(forWritingTo: capture.errorLog)
        capture.process.executableURL = URL(fileURLWithPath: "/usr/bin/dumpcap")
        capture.process.arguments = ["-i", "lo", "-f", filter, "-w", file.path]
        capture.process.standardError = handle
        capture.process.standardOutput = handle
        try capture.process.run()
        // Ready once it says it is capturing (within a few seconds).
        for _ in 0..<500 {
            let text = (try? String(contentsOf: capture.errorLog, encoding: .utf8)) ?? ""
            if text.contains("Capturing on") {
                usleep(300_000)  // the message comes a moment before the filter is in place
                return capture
            }
            if !capture.process.isRunning { throw TestbedError("dumpcap exited: \(text)") }
            usleep(10_000)
        }
        capture.process.terminate()
        throw TestbedError("dumpcap did not start capturing within 5 s")
    }

    /// SIGINT lets dumpcap write out what it has; polls rather than waitUntilExit.
    func stop() throws {
        usleep(200_000)  // the last FINs of the check reach the capture
        kill(process.processIdentifier, SIGINT)
        for _ in 0..<500 where process.isRunning { usleep(10_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(at: errorLog)
    }
}

enum Tshark {
    /// tshark -T fields over a file: one line per matching packet.
    static func fields(
        _ file: URL, options: [String] = [], decodeAs: String, alsoDecodeAs: [String] = [], filter: String,
        fields: [String]
    ) throws -> [String] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/tshark")
        process.arguments =
            ["-r", file.path] + options.flatMap { ["-o", $0] } + ([decodeAs] + alsoDecodeAs).flatMap { ["-d", $0] }
            + ["-Y", filter, "-T", "fields"]
            + fields.flatMap { ["-e", $0] }
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("rdpdoctor-tshark-\(UUID().uuidString).txt")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: output) }
        let handle = try FileHandle(forWritingTo: output)
        process.standardOutput = handle
        process.standardError = FileHandle.nullDevice
        try process.run()
        for _ in 0..<3000 where process.isRunning { usleep(10_000) }
        if process.isRunning { process.terminate(); throw TestbedError("tshark did not finish within 30 s") }
        try handle.close()
        let text = try String(contentsOf: output, encoding: .utf8)
        return text.split(separator: "\n").map(String.init)
    }
}

/// The real Windows captures in ../shared/captures (optional extra data: the
/// test reads them when they are there), compared with tshark field by field.
@Suite("real Windows captures against tshark")
struct WindowsCaptureTests {
    static let folder = Testbed.root.deletingLastPathComponent().appendingPathComponent("shared/captures/windows")

    static var captures: [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix(".pcap") }.sorted().map { folder.appendingPathComponent($0) }
    }

    @Test("requested and selected protocols, TLS version and cipher: ours equal tshark's")
    func agreeWithTshark() async throws {
        for file in Self.captures {
            var analyzer = CaptureAnalyzer(trustAnchors: [])
            await analyzer.feed(try [UInt8](Data(contentsOf: file)))
            let report = await analyzer.finish()
            #expect(report.readProblem == nil, "\(file.lastPathComponent)")
            var ours: [String: String] = [:]
            for connection in report.connections {
                let port = connection.captured.client.port
                ours["\(port) requested"] = String(connection.captured.record.requestedProtocols.rawValue)
                ours["\(port) selected"] = connection.captured.record.negotiation?.selectedProtocol.map { String($0.rawValue) }
                if let hello = connection.captured.serverHello {
                    ours["\(port) tls"] = "\(hello.version) \(hello.cipherSuite)"
                }
            }
            var theirs: [String: String] = [:]
            for line in try Tshark.fields(
                file, decodeAs: "tcp.port==3389,tpkt", filter: "rdp.negReq.requestedProtocols or rdp.negReq.selectedProtocol",
                fields: ["tcp.srcport", "tcp.dstport", "rdp.negReq.requestedProtocols", "rdp.negReq.selectedProtocol"])
            {
                let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
                guard f.count >= 4 else { continue }
                if !f[2].isEmpty { theirs["\(f[0]) requested"] = String(UInt32(f[2].dropFirst(2), radix: 16) ?? 0) }
                if !f[3].isEmpty { theirs["\(f[1]) selected"] = String(UInt32(f[3].dropFirst(2), radix: 16) ?? 0) }
            }
            for line in try Tshark.fields(
                file, decodeAs: "tcp.port==3389,tls", filter: "tls.handshake.type==2",
                fields: ["tcp.dstport", "tls.handshake.version", "tls.handshake.ciphersuite"])
            {
                let f = line.split(separator: "\t").map(String.init)
                guard f.count >= 3, let version = UInt16(f[1].dropFirst(2), radix: 16),
                    let suite = UInt16(f[2].dropFirst(2), radix: 16)
                else { continue }
                theirs["\(f[0]) tls"] = "\(version) \(suite)"
            }
            #expect(!ours.isEmpty, "\(file.lastPathComponent)")
            #expect(ours == theirs, "\(file.lastPathComponent): ours \(ours.sorted { $0.key < $1.key }), tshark \(theirs.sorted { $0.key < $1.key })")
        }
    }
}
