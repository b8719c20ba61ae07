import Capture
import CaptureAnalysis
import Catalogue
import CertificateAudit
import Diagnosis
import ProbeCore

/// `rdpdoctor analyze`: one section per RDP connection of a capture, newest
/// failure first; each with the verdict the live check would give, what the
/// capture shows, and what it cannot show.
public struct AnalyzeTextRenderer: Sendable {
    let style: TextStyle
    /// Show the user names clients put in `mstshash=` cookies.
    let showNames: Bool

    public init(style: TextStyle, showNames: Bool = false) {
        self.style = style
        self.showNames = showNames
    }

    public func render(_ capture: CaptureReport, file: String) -> String {
        var out = [style.bold("rdpdoctor analyze \(file)")]
        let count = capture.rdpConnections
        out.append(
            "\(count) RDP connection\(count == 1 ? "" : "s") among \(capture.tcpConnections) TCP connection\(capture.tcpConnections == 1 ? "" : "s") in \(capture.packets) packets."
        )
        if !capture.notShown.isEmpty {
            let counted = capture.notShown.sorted { $0.key.rawValue < $1.key.rawValue }.map { "\($0.value) \($0.key.rawValue)" }
            out.append(
                "Shown: \(capture.connections.count), failures first; the other \(capture.notShown.values.reduce(0, +)) are counted by verdict: \(counted.joined(separator: ", "))."
            )
        }
        if let problem = capture.readProblem { out.append(style.yellow("Could not read the whole file: \(problem).")) }
        if count == 0 {
            out.append(
                "No TCP connection in this capture starts with an X.224 Connection Request (the first bytes every RDP client sends, on any port). Capture on the client or the server while it connects, e.g. `tcpdump -i any -w rdp.pcap port 3389`."
            )
        }
        let failuresFirst = capture.connections.enumerated().sorted {
            let a = $0.element.report.verdict.outcome == .fails
            let b = $1.element.report.verdict.outcome == .fails
            return a != b ? a : $0.element.captured.startMicros > $1.element.captured.startMicros
        }
        for (index, connection) in failuresFirst {
            out.append("")
            out += section(connection, number: index + 1)
        }
        return out.joined(separator: "\n") + "\n"
    }

    func section(_ connection: AnalyzedConnection, number: Int) -> [String] {
        let captured = connection.captured
        let report = connection.report
        let checkText = CheckTextRenderer(style: style)
        var lines = [style.bold("Connection \(number): \(captured.client) → \(captured.server), \(Self.time(captured.startMicros))")]
        lines.append("  " + checkText.verdictLine(report.verdict))
        let pair = [report.verdict.errorCode, report.verdict.extendedCode].compactMap { $0 }
        if !pair.isEmpty {
            lines.append(style.dim("  Likely client code: \(pair.map(\.description).joined(separator: " + "))"))
        }
        lines.append(style.paragraph("Seen: " + seen(captured) + ".", indent: "  "))
        if let client = clientLine(captured) { lines.append(style.paragraph(client, indent: "  ")) }
        if let rtt = captured.tcp.handshakeRTTMicros {
            lines.append(style.paragraph("TCP handshake round trip \(Names.ms(Double(rtt) / 1000)) (as seen where the capture was taken).", indent: "  "))
        }
        for finding in report.findings where finding.level >= .warn || finding.id.rawValue.hasPrefix("capture.") {
            lines.append(style.paragraph(finding.title, indent: "         ", first: "  " + checkText.tag(finding.level) + " "))
        }
        if let hidden = notVisible(captured) { lines.append(style.paragraph("Not visible: " + hidden, indent: "  ")) }
        return lines
    }

    func seen(_ captured: CapturedConnection) -> String {
        var facts: [String] = []
        let record = captured.record
        if let cookie = captured.cookie {
            facts.append(
                showNames || !cookie.hasPrefix("mstshash=") ? "the client's cookie \(cookie)" : "a user name in the cookie (hidden; --show-names shows it)")
        }
        facts.append("the client asked for \(Names.requested(record.requestedProtocols))")
        switch record.negotiation {
        case .selected(let selected, _)?: facts.append("the server selected \(Names.requested(selected))")
        case .failure(let code)?: facts.append("the server refused with negotiation failure \(code.rawValue)")
        case .disconnected?: facts.append("the server hung up at the MCS level instead of answering")
        case .noNegotiationData?: facts.append("the server answered without negotiation data (standard RDP security)")
        case nil: facts.append(record.unexpectedBytes.map { "the server answered with bytes that are not RDP (\($0))" } ?? "no answer from the server")
        }
        if let hello = captured.serverHello {
            facts.append(
                "\(record.tls?.version?.rawValue ?? "TLS version 0x" + String(hello.version, radix: 16)), cipher suite 0x\(String(hello.cipherSuite, radix: 16, uppercase: true))"
            )
        } else if let hello = captured.clientHello {
            facts.append("a TLS ClientHello (\(hello.serverName.map { "for \($0)" } ?? "without a server name")) but no ServerHello")
        }
        for alert in captured.alerts {
            facts.append("the \(alert.side.rawValue) sent the TLS alert \(TLSAlert.name(alert.description))")
        }
        facts += decryptedFacts(captured)
        if captured.closedBy == nil { facts.append("the capture ends before the connection does") }
        return facts.joined(separator: "; ")
    }

    /// UTC, to the second (ISO 8601).
    static func time(_ micros: Int64) -> String {
        CivilTime.iso8601(secondsSinceEpoch: micros / 1_000_000)
    }
}
