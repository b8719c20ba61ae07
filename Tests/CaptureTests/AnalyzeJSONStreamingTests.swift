import Foundation
import Testing

@testable import CaptureAnalysis
@testable import Reporting

/// `analyze --json` writes its document connection by connection (so the
/// encoder never holds a thousand connections at once); the pieces must join
/// into exactly the document that encoding it whole gives.
@Suite("analyze --json, written piece by piece")
struct AnalyzeJSONStreamingTests {
    static func report(connections count: Int) async -> CaptureReport {
        var analyzer = CaptureAnalyzer(trustAnchors: [])
        await analyzer.feed(BoundedCaptureTests.capture(count))
        return await analyzer.finish()
    }

    static func whole(_ report: CaptureReport, file: String) -> String {
        JSONDocuments.encode(
            JSONDocuments.AnalyzeDocument(
                file: file, packets: report.packets, tcpConnections: report.tcpConnections, rdpConnections: report.rdpConnections,
                notShown: Dictionary(uniqueKeysWithValues: report.notShown.map { ($0.key.rawValue, $0.value) }),
                readProblem: report.readProblem, hasKeyLog: report.hasKeyLog,
                connections: report.connections.map { JSONDocuments.document($0, showNames: false) }))
    }

    @Test("the pieces joined equal the whole document, byte for byte, with 0, 1 and 3 connections", arguments: [0, 1, 3])
    func joinedEqualsWhole(count: Int) async throws {
        let report = await Self.report(connections: count)
        #expect(report.connections.count == count)
        var pieces: [String] = []
        JSONDocuments.analyze(report, file: "x.pcap", showNames: false) { pieces.append($0) }
        #expect(pieces.joined() == Self.whole(report, file: "x.pcap"))
        // One piece per connection, and the envelope around them.
        #expect(pieces.count == (count == 0 ? 1 : count + 2))
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(pieces.joined().utf8)) as? [String: Any])
        #expect((parsed["connections"] as? [Any])?.count == count)
    }
}
