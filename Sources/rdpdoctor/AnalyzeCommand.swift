import ArgumentParser
import CaptureAnalysis
import Foundation
import RDPDoctorKit
import Reporting

struct Analyze: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Explain each RDP connection in a packet capture (pcap or pcapng), as check would.",
        discussion: """
        Reads the capture in chunks (any size), rebuilds every TCP connection
        that begins with an X.224 Connection Request (on any port), and tells
        for each one how far it got, who closed it and why, with the same rules
        as `check`. TLS-encrypted parts (CredSSP, licensing, the session) are
        not decrypted yet; the report says what could not be seen.

        Exit codes: 0 no connection fails; 1 warnings; 2 a connection fails;
        3 rdpdoctor could not run (unreadable file, not a capture, no RDP in it
        is exit 0 with a note).
        """
    )

    @Argument(help: "A pcap or pcapng file (tcpdump -w, dumpcap, Wireshark).")
    var file: String

    @Flag(name: .long, help: "Print JSON (docs/analyze-json.md).")
    var json = false

    @Flag(name: .long, help: "Print Zeek rdp.log records (TSV with Zeek's header; docs/analyze-json.md).")
    var zeek = false

    @Flag(name: .long, help: "Show the user names clients send in mstshash= cookies (hidden by default).")
    var showNames = false

    func validate() throws {
        if json && zeek { throw ValidationError("--json and --zeek are two outputs: choose one") }
    }

    func run() async throws {
        guard let handle = FileHandle(forReadingAtPath: file) else { throw fail("cannot open \(file)") }
        defer { try? handle.close() }
        var analyzer = CaptureAnalyzer(trustAnchors: TrustStore.systemAnchors())
        while !analyzer.stopped {
            let chunk: Data
            do {
                guard let data = try handle.read(upToCount: 1 << 16), !data.isEmpty else { break }
                chunk = data
            } catch {
                throw fail("cannot read \(file): \(error.localizedDescription)")
            }
            await analyzer.feed(chunk)
        }
        let report = await analyzer.finish()
        if report.packets == 0, let problem = report.readProblem { throw fail("\(file): \(problem)") }
        let style = TextStyle(colour: !json && !zeek && Output.wantsColour())
        if zeek {
            Output.standardOutput(ZeekLogRenderer(showNames: showNames).render(report))
            let left = report.notShown.values.reduce(0, +)
            if left > 0 { Output.standardError("rdpdoctor: \(left) more RDP connections are counted, not logged (the first 1000 are kept)\n") }
        } else {
            Output.standardOutput(json ? JSONDocuments.analyze(report, file: file, showNames: showNames)
                                       : AnalyzeTextRenderer(style: style, showNames: showNames).render(report, file: file))
        }
        let worst = report.connections.map(\.report.exitStatus).max() ?? 0
        if worst != 0 { throw Reported(status: ExitStatus(rawValue: worst) ?? .failure) }
    }

    private func fail(_ message: String) -> Reported {
        if json { Output.standardOutput(JSONDocuments.error(message)) }
        Output.standardError("rdpdoctor: \(message)\n")
        return Reported(status: .couldNotRun)
    }
}
