import Capture
import CaptureAnalysis
import CertificateAudit
import Diagnosis
import ProbeCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `rdpdoctor analyze --json` (docs/analyze-json.md).
extension JSONDocuments {
    public static let analyzeSchema = "rdpdoctor.analyze/3"

    struct AnalyzeDocument: Encodable {
        let schema = JSONDocuments.analyzeSchema
        let file: String
        let packets: Int
        let tcpConnections: Int
        let rdpConnections: Int
        let notShown: [String: Int]
        let readProblem: String?
        let hasKeyLog: Bool
        let connections: [ConnectionDocument]
    }

    struct DirectionDocument: Encodable {
        let bytes: Int
        let segments: Int
        let retransmissions: Int
        let largestRetransmitted: Int
        let outOfOrder: Int
        let missingBytes: Int
        let zeroWindows: Int

        init(_ side: TCPDirection) {
            bytes = side.bytesDelivered
            segments = side.segments
            retransmissions = side.retransmissions
            largestRetransmitted = side.largestRetransmitted
            outOfOrder = side.outOfOrder
            missingBytes = side.missingBytes
            zeroWindows = side.zeroWindows
        }
    }

    struct ConnectionDocument: Encodable {
        let client: String
        let server: String
        let start: String
        let cookie: String?
        let handshakeSeen: Bool
        let handshakeRTTMs: Double?
        let clientToServer: DirectionDocument
        let serverToClient: DirectionDocument
        let tlsServerName: String?
        let tlsVersion: String?
        let tlsCipherSuite: UInt16?
        let alerts: [String]
        let closedBy: String?
        let closeKind: String?
        let closedAtMs: Double?
        /// The TLS part: decrypted with which key, what the client's CredSSP carried, or why not (schema 2).
        let decryption: CaptureFacts.Decryption?
        /// The client's MCS Connect Initial, when visible in clear or decrypted (schema 3).
        let clientData: ClientDataObservation?
        /// The Connect Initial was visible but did not decode: why (schema 3).
        let clientDataProblem: String?
        let verdict: Verdict
        let findings: [Finding]
        let record: ProbeRecord
    }

    /// The whole document, written piece by piece through `write`: each
    /// connection is encoded on its own and handed over, so the memory the
    /// encoder needs is one connection's, not the whole report's (the
    /// pieces joined are exactly what encoding the whole document gives).
    public static func analyze(_ capture: CaptureReport, file: String, showNames: Bool, write: (String) -> Void) {
        let envelope = encode(
            AnalyzeDocument(
                file: file, packets: capture.packets, tcpConnections: capture.tcpConnections,
                rdpConnections: capture.rdpConnections,
                notShown: Dictionary(uniqueKeysWithValues: capture.notShown.map { ($0.key.rawValue, $0.value) }),
                readProblem: capture.readProblem, hasKeyLog: capture.hasKeyLog,
                connections: []))
        // Sorted keys put "connections" first; its empty array is replaced by the connections.
        let opening = "{\n  \"connections\" : ["
        guard envelope.hasPrefix(opening),
            let emptyEnd = envelope.range(of: "]", range: envelope.index(envelope.startIndex, offsetBy: opening.count)..<envelope.endIndex)
        else {
            write(envelope)  // not the shape expected: never the case with Foundation's encoder
            return
        }
        guard !capture.connections.isEmpty else {
            write(envelope)
            return
        }
        write(opening)
        let encoder = documentEncoder()
        for (index, analyzed) in capture.connections.enumerated() {
            let data = (try? encoder.encode(document(analyzed, showNames: showNames))) ?? Data("{}".utf8)
            write((index == 0 ? "\n" : ",\n") + indentedTwoLevels(data))
        }
        write("\n  " + envelope[emptyEnd.lowerBound...])
    }

    /// A document encoded alone, indented as an element of the top-level
    /// object's array (4 more spaces on every line that is not empty), by bytes.
    static func indentedTwoLevels(_ json: Data) -> String {
        let space = UInt8(ascii: " ")
        let newline = UInt8(ascii: "\n")
        var out: [UInt8] = []
        out.reserveCapacity(json.count + json.count / 8)
        var atLineStart = true
        for byte in json {
            if atLineStart && byte != newline { out += [space, space, space, space] }
            out.append(byte)
            atLineStart = byte == newline
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func document(_ analyzed: AnalyzedConnection, showNames: Bool) -> ConnectionDocument {
        let captured = analyzed.captured
        let cookie = captured.cookie.map { showNames || !$0.hasPrefix("mstshash=") ? $0 : "mstshash=(hidden)" }
        return ConnectionDocument(
            client: captured.client.description, server: captured.server.description,
            start: CivilTime.iso8601(secondsSinceEpoch: captured.startMicros / 1_000_000), cookie: cookie,
            handshakeSeen: captured.tcp.handshakeSeen,
            handshakeRTTMs: captured.tcp.handshakeRTTMicros.map { Double($0) / 1000 },
            clientToServer: DirectionDocument(captured.tcp.toServer), serverToClient: DirectionDocument(captured.tcp.toClient),
            tlsServerName: captured.clientHello?.serverName, tlsVersion: captured.record.tls?.version?.rawValue,
            tlsCipherSuite: captured.serverHello?.cipherSuite,
            alerts: captured.alerts.map { "\($0.side.rawValue): \($0.description)" },
            closedBy: captured.closedBy?.rawValue, closeKind: captured.closeKind?.rawValue,
            closedAtMs: captured.closedAtMs, decryption: hidingNames(captured.decryption, showNames: showNames),
            clientData: captured.clientData, clientDataProblem: captured.clientDataProblem,
            verdict: analyzed.report.verdict, findings: analyzed.report.findings,
            record: captured.record)
    }
}

extension JSONDocuments {
    /// The decrypted NTLM user name is a name like the cookie's: hidden unless asked.
    static func hidingNames(_ decryption: CaptureFacts.Decryption?, showNames: Bool) -> CaptureFacts.Decryption? {
        guard var decryption, !showNames, decryption.client?.user != nil else { return decryption }
        decryption.client?.user = "(hidden)"
        return decryption
    }
}
