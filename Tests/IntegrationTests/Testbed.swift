import CertificateAudit
import Diagnosis
import Foundation
import ProbeCore
import Transport

/// The real servers scripts/testbed/start.sh runs on loopback, and a helper
/// that checks one of them the way `rdpdoctor check` does.
enum Testbed {
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// NAME=PORT lines of scripts/testbed/ports.env.
    static let ports: [String: UInt16] = {
        let url = root.appendingPathComponent("scripts/testbed/ports.env")
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return [:] }
        var ports: [String: UInt16] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: "=", maxSplits: 1)
            if parts.count == 2, let port = UInt16(parts[1].trimmingCharacters(in: .whitespaces)) {
                ports[String(parts[0])] = port
            }
        }
        return ports
    }()

    static var stateDirectory: URL {
        if let dir = ProcessInfo.processInfo.environment["TESTBED_DIR"] { return URL(fileURLWithPath: dir) }
        return root.appendingPathComponent(".testbed")
    }

    static func port(_ name: String) throws -> UInt16 {
        guard let port = ports[name] else { throw TestbedError("no port \(name) in scripts/testbed/ports.env") }
        return port
    }

    /// The test CA's certificate (start.sh writes it).
    static func testCA() throws -> [[UInt8]] {
        let text = try String(contentsOf: stateDirectory.appendingPathComponent("ca.pem"), encoding: .utf8)
        return PEM.derBlocks(from: text)
    }

    /// Runs a check against a testbed port and diagnoses it. The testbed must be
    /// up (scripts/test.sh starts it): a server that is not there fails the test.
    static func check(
        _ name: String, host: String = "127.0.0.1", timeoutMs: Double = 5000,
        anchors: [[UInt8]] = [], edit: (inout CheckRunner.Options) -> Void = { _ in }
    ) async throws -> CheckReport {
        let target = Target(host: host, port: try port(name))
        var options = CheckRunner.Options(timeoutMs: timeoutMs)
        // The credential gate's judgement, as `rdpdoctor check` makes it.
        options.judgeCertificate = Diagnoser.certificateJudge(host: host, trustAnchors: { anchors })
        edit(&options)
        let observations = await CheckRunner().run(target, options: options)
        return await Diagnoser.diagnose(
            observations, context: .init(trustAnchors: anchors, nowUnix: Int64(Date().timeIntervalSince1970)))
    }

    /// The X display start.sh runs Xvfb on (real clients need one).
    static var display: String { ":" + (ProcessInfo.processInfo.environment["TESTBED_DISPLAY"] ?? "98") }
}

struct TestbedError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension CheckReport {
    func has(_ id: String) -> Bool { findings.contains { $0.id.rawValue == id } }
    func finding(_ id: String) -> Finding? { findings.first { $0.id.rawValue == id } }
    var ids: [String] { findings.map(\.id.rawValue) }
}
