import CaptureAnalysis
import Foundation
import ProbeCore
import Reporting
import Testing

/// The client's MCS Connect Initial read from a capture: xfreerdp with
/// standard RDP security (its client data in clear) against the testbed's
/// xrdp, recorded by dumpcap; tshark reads the same file, and both must
/// also say what xfreerdp was told to send.
@Suite("client data in captures, against tshark", .serialized)
struct ClientDataCaptureTests {
    @Test("xfreerdp /sec:rdp: client build, name, desktop, keyboard as tshark decodes them, and in --zeek")
    func xfreerdpInClear() async throws {
        let port = try Testbed.port("XRDP_RDP_HIGH")
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("rdpdoctor-clientdata-\(UUID().uuidString).pcapng")
        defer { try? FileManager.default.removeItem(at: file) }
        let capture = try Dumpcap.start(filter: "tcp port \(port)", file: file)
        let client = try RealClient.start([
            "/v:127.0.0.1:\(port)", "/sec:rdp", "/cert:ignore", "/u:nobody", "/p:",
            "/client-hostname:capture-test", "/w:800", "/h:600", "/bpp:16", "/kbd:0x407",
        ])
        // (Within the Xvfb screen: FreeRDP asks for no more than the screen holds.)
        // The Connect Initial goes out within the first second; xrdp then shows its login screen.
        for _ in 0..<300 where client.isRunning { usleep(10_000) }
        client.stop()
        try capture.stop()

        var analyzer = CaptureAnalyzer(trustAnchors: [])
        await analyzer.feed(try [UInt8](Data(contentsOf: file)))
        let report = await analyzer.finish()
        let ours = try #require(
            report.connections.first { $0.captured.clientData?.clientName == "capture-test" },
            "client data: \(report.connections.map { $0.captured.clientData as Any })"
        ).captured
        let data = try #require(ours.clientData)
        #expect(data.seen == .clear)
        // What xfreerdp was told.
        #expect(data.desktopWidth == 800 && data.desktopHeight == 600, "\(data)")
        #expect(data.keyboardLayout == 0x407)
        #expect(data.highColorDepth == 16)
        #expect(data.channels != nil)

        // tshark's reading of the same Client Core Data.
        let lines = try Tshark.fields(
            file, decodeAs: "tcp.port==\(port),tpkt", filter: "rdp.client.build",
            fields: [
                "tcp.srcport", "rdp.client.build", "rdp.client.name", "rdp.desktop.width",
                "rdp.desktop.height", "rdp.keyboardLayout", "rdp.highColorDepth",
            ])
        let theirs = try #require(
            lines.map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
                .first { $0.first == String(ours.client.port) }, "tshark: \(lines)")
        #expect(theirs.count == 7)
        #expect(theirs[1] == String(data.clientBuild), "tshark \(theirs)")
        #expect(theirs[2] == data.clientName, "tshark \(theirs)")
        #expect(theirs[3] == String(data.desktopWidth) && theirs[4] == String(data.desktopHeight), "tshark \(theirs)")
        #expect(Self.number(theirs[5]) == Int(data.keyboardLayout), "tshark \(theirs)")
        #expect(Self.number(theirs[6]) == data.highColorDepth.map(Int.init), "tshark \(theirs)")

        // --zeek: Zeek's columns from the same observation.
        let log = ZeekLogRenderer(showNames: false).render(report)
        let rows = log.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
        let row = try #require(rows.first { $0.count == 22 && $0[3] == String(ours.client.port) }, "\(log)")
        #expect(row[10] == "German - Germany")
        #expect(row[11] == "client_build-\(data.clientBuild)" || row[11].hasPrefix("RDP "))
        #expect(row[12] == "capture-test")
        #expect(row[14] == "800" && row[15] == "600")
        #expect(row[16] == (data.requestedColorDepth == 32 ? "32bit" : "16bit"))
        // The text names the client too.
        let text = AnalyzeTextRenderer(style: .plain).render(report, file: "x.pcapng")
        #expect(text.contains("computer name capture-test"), "\(text)")
    }

    /// tshark writes numbers as decimal or 0x-hex.
    static func number(_ text: String) -> Int? {
        text.hasPrefix("0x") ? Int(text.dropFirst(2), radix: 16) : Int(text)
    }
}
