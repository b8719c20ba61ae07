import Capture
import CertificateAudit
import Diagnosis
import ProbeCore
import TLSDecryption

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
    /// RDP connections found.
    public let rdpConnections: Int
    /// The RDP connections reported, in the order they began (at most
    /// `CaptureAnalyzer.maximumReported`, failures kept first).
    public let connections: [AnalyzedConnection]
    /// Verdicts of the connections past that limit, counted.
    public let notShown: [Verdict.Outcome: Int]
    /// Why the file could not be read to its end, if it could not.
    public let readProblem: String?
    /// Whether the capture carries TLS keys (a pcapng Decryption Secrets Block).
    public let hasKeyLog: Bool
}

/// Sans-IO: feed the file's bytes; each RDP connection is judged as soon as
/// it ends and its bytes are dropped, so memory stays bounded whatever the
/// capture's length.
public struct CaptureAnalyzer: Sendable {
    /// Connections kept in full for the report; the rest are counted by verdict.
    public static let maximumReported = 1000

    private var scan = CaptureScan()
    private var failure: CaptureError?
    private var kept: [AnalyzedConnection] = []
    private var notShown: [Verdict.Outcome: Int] = [:]
    private var rdpCount = 0
    /// Where the kept connections whose verdict is not a failure are, in
    /// order (a failure may replace the last one).
    private var keptSuccesses: [Int] = []
    private let trustAnchors: @Sendable () -> [[UInt8]]
    /// The same servers' chains come back connection after connection.
    private let audits = CertificateAuditCache()

    /// The keys given (--rsa-key, --keylog) and those of the capture's own secrets blocks.
    private var keys: DecryptionKeys
    private var keyLogRead = 0
    /// Master secrets by session ID, for connections that resume a session (bounded).
    private var resumable: [[UInt8]: [UInt8]] = [:]
    static let maximumResumable = 10_000

    /// Certificates are judged at the time of their connection, against
    /// `trustAnchors` (read once). TLS is decrypted where `keys` fit.
    public init(trustAnchors: [[UInt8]], keys: DecryptionKeys = DecryptionKeys()) {
        self.trustAnchors = { trustAnchors }
        self.keys = keys
    }

    /// Reads what the bytes complete and judges the connections that ended.
    /// After a malformed record the rest of the file is not read; what came
    /// before is still analysed.
    public mutating func feed(_ chunk: some Sequence<UInt8>) async {
        guard failure == nil else { return }
        do { try scan.feed(chunk) } catch { failure = error }
        takeSecrets()
        for connection in scan.takeFinishedRDP() { await judge(connection) }
    }

    /// True once the file cannot be read further (the caller may stop reading).
    public var stopped: Bool { failure != nil }

    public mutating func finish() async -> CaptureReport {
        takeSecrets()
        let (rest, summary, ending) = scan.finish()
        for connection in rest { await judge(connection) }
        if case .notACapture? = failure, summary.packets == 0 {
            return CaptureReport(
                packets: 0, otherFrames: 0, tcpConnections: 0, rdpConnections: 0, connections: [],
                notShown: [:], readProblem: CaptureError.notACapture.description, hasKeyLog: false)
        }
        return CaptureReport(
            packets: summary.packets, otherFrames: summary.otherFrames,
            tcpConnections: summary.tcpConnections, rdpConnections: rdpCount,
            connections: kept.sorted { $0.captured.startMicros < $1.captured.startMicros },
            notShown: notShown, readProblem: (failure ?? ending)?.description,
            hasKeyLog: !summary.keyLog.isEmpty)
    }

    /// Adds key log lines the capture's secrets blocks brought since the last chunk.
    private mutating func takeSecrets() {
        let log = scan.keyLogSoFar
        guard log.count > keyLogRead else { return }
        // Only whole lines: a block always ends with one.
        keys.keyLog.add(log[keyLogRead...])
        keyLogRead = log.count
    }

    private mutating func judge(_ connection: TCPConnection) async {
        rdpCount += 1
        let captured = ConnectionReplay.replay(connection, keys: keys, resumable: resumable)
        if let session = captured.resumableSession, resumable.count < Self.maximumResumable {
            resumable[session.id] = session.master
        }
        var observations = CheckObservations(
            target: Target(host: connection.server.address.description, port: connection.server.port),
            startedAtUnix: Double(captured.startMicros) / 1_000_000, timeoutMs: captured.record.totalMs)
        observations.reachability = [
            ReachabilityObservation(
                address: connection.server.address.description,
                connectMs: captured.record.timings.first { $0.step == .tcp }?.durationMs, failure: nil)
        ]
        observations.probes = [captured.record]
        observations.totalMs = captured.record.totalMs
        observations.capture = captured.facts
        // Past the limit, only a failure that can take a kept success's place is
        // judged in full; the rest are counted by their verdict alone (cheap:
        // captures of many short connections would otherwise spend their time here).
        if kept.count >= Self.maximumReported {
            let verdict = Diagnoser.quickVerdict(observations)
            guard verdict.outcome == .fails, !keptSuccesses.isEmpty else {
                notShown[verdict.outcome, default: 0] += 1
                return
            }
        }
        var context = Diagnoser.Context(trustAnchors: trustAnchors, nowUnix: captured.startMicros / 1_000_000)
        context.auditCache = audits
        let analyzed = AnalyzedConnection(captured: captured, report: await Diagnoser.diagnose(observations, context: context))
        keep(analyzed)
    }

    /// Keeps the first connections in full; once full, a failure takes the
    /// place of a kept connection that did not fail, and the other is counted.
    private mutating func keep(_ analyzed: AnalyzedConnection) {
        let fails = analyzed.report.verdict.outcome == .fails
        guard kept.count >= Self.maximumReported else {
            if !fails { keptSuccesses.append(kept.count) }
            kept.append(analyzed)
            return
        }
        if fails, let index = keptSuccesses.popLast() {
            notShown[kept[index].report.verdict.outcome, default: 0] += 1
            kept[index] = analyzed
        } else {
            notShown[analyzed.report.verdict.outcome, default: 0] += 1
        }
    }
}
