import Foundation
import Testing

/// `rdpdoctor analyze` on captures recorded inside the network lab: the same
/// faults the live check names, told again from the packets alone. dumpcap
/// (Debian's wireshark-common) records the server's interface while a check
/// crosses the faulty router.
extension NetworkLabTests {
    /// Records the server's interface in the lab while `body` runs, as a
    /// capture taken on the server would be; returns the file.
    func recordingServerInterface(filter: String, _ body: () throws -> Void) throws -> URL {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("rdpdoctor-netlab-\(UUID().uuidString).pcapng")
        let pidFile = file.path + ".pid"
        // dumpcap outlives this shell: started detached, its pid kept to stop it.
        let start =
            Self.closeInheritedDescriptors
            + "NETLAB_NS=rdpd-server \"$0\" dumpcap -q -i veth-s -f \"\(filter)\" -w \"\(file.path)\" >/dev/null 2>&1 </dev/null & echo $! >\"\(pidFile)\""
        _ = try ProgramRun.run(["-c", start, Self.script("exec.sh")], timeout: 10, executable: "/bin/bash")
        let pid = try #require(
            Int32(
                (try? String(contentsOfFile: pidFile, encoding: .utf8))?
                    .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""), "dumpcap did not start")
        defer { try? FileManager.default.removeItem(atPath: pidFile) }
        // dumpcap creates the file once it captures; wait for that (bounded).
        for _ in 0..<50 where !FileManager.default.fileExists(atPath: file.path) { usleep(100_000) }
        try #require(FileManager.default.fileExists(atPath: file.path), "dumpcap wrote no file")
        try body()
        kill(pid, SIGINT)
        for _ in 0..<50 where kill(pid, 0) == 0 { usleep(100_000) }
        if kill(pid, 0) == 0 { kill(pid, SIGKILL) }
        return file
    }

    func analyze(_ file: URL) throws -> [String: Any] {
        let run = try ProgramRun.run(["analyze", "--json", file.path], timeout: 30)
        let object = try? JSONSerialization.jsonObject(with: Data(run.stdout.utf8))
        return try #require(object as? [String: Any], "no JSON (exit \(run.status)): \(run.stderr.prefix(400))")
    }

    @Test("a server-side capture of a check through an MTU black hole: analyze finds the full-size segments sent again and the stall in TLS")
    func capturedMTUBlackHole() throws {
        try withLab(["--mtu-blackhole", "1280"]) {
            let file = try recordingServerInterface(filter: "tcp port 3389") {
                _ = try check([Self.server, "--timeout", "5"])
            }
            defer { try? FileManager.default.removeItem(at: file) }
            let analysis = try analyze(file)
            let connections = try #require(analysis["connections"] as? [[String: Any]])
            #expect(connections.count >= 2, "the default walk and the small-segment walk at least")
            // The server's certificate flight is larger than 1280 bytes: its full-size
            // segments are sent again and again and never acknowledged.
            let stalled = connections.filter { connection in
                ((connection["findings"] as? [[String: Any]]) ?? []).contains { $0["id"] as? String == "capture.full-size-retransmitted" }
            }
            try #require(!stalled.isEmpty, "findings: \(connections.map { ($0["findings"] as? [[String: Any]])?.compactMap { $0["id"] } ?? [] })")
            let verdict = try #require(stalled[0]["verdict"] as? [String: Any])
            #expect(verdict["step"] as? String == "tls", "\(verdict)")
            let fromServer = try #require(stalled[0]["serverToClient"] as? [String: Any])
            #expect((fromServer["largestRetransmitted"] as? Int ?? 0) > 1240, "\(fromServer)")
            // Segments forced small by the check's MTU search get through the same path.
            #expect(connections.contains { ($0["verdict"] as? [String: Any])?["step"] as? String != "tls" })
        }
    }
}
