import Capture
import CaptureAnalysis
import Diagnosis
import ProbeCore

/// What `analyze` reads: a capture file from anyone (a ticket, a firewall).
enum CaptureTargets {
    static let all: [FuzzTarget] = [
        FuzzTarget(
            name: "capture", summary: "pcap/pcapng in odd chunks, packet decoding, TCP reassembly, each RDP connection replayed and its verdict", run: capture)
    ]

    static func capture(_ bytes: [UInt8]) {
        var scan = CaptureScan(streamLimit: 4096)
        // The first byte picks a chunk size, so the same file also arrives split differently.
        let chunk = max(1, Int(bytes.first ?? 1))
        var finished: [TCPConnection] = []
        var index = 0
        while index < bytes.count {
            if (try? scan.feed(bytes[index..<min(bytes.count, index + chunk)])) == nil { break }
            finished += scan.takeFinishedRDP()
            index += chunk
        }
        let (rest, summary, _) = scan.finish()
        guard summary.packets >= 0, summary.tcpConnections >= finished.count else {
            violated("capture: more RDP connections than TCP connections")
        }
        for connection in (finished + rest).prefix(16) {
            guard connection.toServer.stream.count <= 4096, connection.toClient.stream.count <= 4096 else {
                violated("capture: a stream kept past its limit")
            }
            let captured = ConnectionReplay.replay(connection)
            var observations = CheckObservations(
                target: Target(host: "capture", port: connection.server.port),
                startedAtUnix: 0, timeoutMs: 0)
            observations.probes = [captured.record]
            observations.capture = captured.facts
            _ = Diagnoser.quickVerdict(observations)
        }
    }
}
