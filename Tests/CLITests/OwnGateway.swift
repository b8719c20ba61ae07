import Foundation

/// A gateway.py of this checkout, run by a test on a free loopback port (for
/// variants the shared testbed does not run); its log goes to a file.
final class OwnGateway {
    let process = Process()
    let port: Int
    let log: URL

    init(_ variant: String) throws {
        port = try Self.freePort()
        log = FileManager.default.temporaryDirectory.appendingPathComponent("gateway-\(variant)-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let certs = GatewayCheckTests.testbed.appendingPathComponent("certs")
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [
            GatewayCheckTests.root.appendingPathComponent("scripts/testbed/gateway.py").path,
            variant, String(port),
            "--cert", certs.appendingPathComponent("testca-localhost.pem").path,
            "--key", certs.appendingPathComponent("testca-localhost.key").path,
        ]
        process.standardOutput = try FileHandle(forWritingTo: log)
        process.standardError = FileHandle.nullDevice
        try process.run()
    }

    /// Starts VARIANT and waits (5 s at most) until it accepts connections.
    static func start(_ variant: String) async throws -> OwnGateway {
        let gateway = try OwnGateway(variant)
        for _ in 0..<50 {
            if GatewayCheckTests.answers(String(gateway.port)) { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        return gateway
    }

    deinit { stop() }

    func stop() {
        if process.isRunning {
            // SIGKILL: a child of the test process may inherit SIGTERM blocked.
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: log)
    }

    var output: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

    /// A loopback port nothing listens on now (the kernel's pick).
    static func freePort() throws -> Int {
        let probe = Process()
        let pipe = Pipe()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        probe.arguments = ["-c", "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])"]
        probe.standardOutput = pipe
        try probe.run()
        probe.waitUntilExit()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        guard let port = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) else { throw CocoaError(.fileReadUnknown) }
        return port
    }
}
