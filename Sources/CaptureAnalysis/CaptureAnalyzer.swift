import Capture
import CertificateAudit
import Diagnosis
import ProbeCore

/// One RDP connection of a capture, judged by the same rules as a live check.
public struct AnalyzedConnection: Sendable {
    public let captured: CapturedConnection
    public let report: CheckReport
}

/// Everything `analyze` says about a capture.
public struct CaptureReport: Sendable {
    public let packets: Int
    public let otherFrames: Int
    /// TCP connections of any kind in the capture.
    public let tcpConnections: Int
    /// The RDP connections, in the order they began.
    public let connections: [AnalyzedConnection]
    /// Why the file could not be read to its end, if it could not.
    public let readProblem: String?
    /// Whether the capture carries TLS keys (a pcapng Decryption Secrets Block).
    public let hasKeyLog: Bool
}

/// Sans-IO: feed the file's bytes, then `finish` judges each RDP connection.
public struct CaptureAnalyzer: Sendable {
    private var scan = CaptureScan()
    private var failure: CaptureError?

    public init() {}

    /// Reads what the bytes complete. After a malformed record the rest of the
    /// file is not read; what came before is still analysed.
    public mutating func feed(_ chunk: some Sequence<UInt8>) {
        guard failure == nil else { return }
        do { try scan.feed(chunk) } catch { failure = error }
    }

    /// True once the file cannot be read further (the caller may stop reading).
    public var stopped: Bool { failure != nil }

    /// Judges every RDP connection. Certificates are judged at the time of
    /// the connection, against `trustAnchors`.
    public mutating func finish(trustAnchors: @escaping @Sendable () -> [[UInt8]]) async -> CaptureReport {
        let (contents, ending) = scan.finish()
        if case .notACapture? = failure, contents.packets == 0 {
            return CaptureReport(packets: 0, otherFrames: 0, tcpConnections: 0, connections: [],
                                 readProblem: CaptureError.notACapture.description, hasKeyLog: false)
        }
        var analyzed: [AnalyzedConnection] = []
        for connection in contents.rdpConnections.sorted(by: { $0.firstMicros < $1.firstMicros }) {
            let captured = ConnectionReplay.replay(connection)
            var observations = CheckObservations(
                target: Target(host: connection.server.address.description, port: connection.server.port),
                startedAtUnix: Double(captured.startMicros) / 1_000_000, timeoutMs: captured.record.totalMs)
            observations.reachability = [ReachabilityObservation(
                address: connection.server.address.description,
                connectMs: captured.record.timings.first { $0.step == .tcp }?.durationMs, failure: nil)]
            observations.probes = [captured.record]
            observations.totalMs = captured.record.totalMs
            let context = Diagnoser.Context(trustAnchors: trustAnchors, nowUnix: captured.startMicros / 1_000_000)
            analyzed.append(AnalyzedConnection(captured: captured, report: await Diagnoser.diagnose(observations, context: context)))
        }
        return CaptureReport(packets: contents.packets, otherFrames: contents.otherFrames,
                             tcpConnections: contents.connections.count, connections: analyzed,
                             readProblem: (failure ?? ending)?.description, hasKeyLog: !contents.keyLog.isEmpty)
    }
}
