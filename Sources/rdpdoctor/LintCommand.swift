import ArgumentParser
import Diagnosis
import Foundation
import ProbeCore
import Reporting

struct Lint: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check an .rdp file's settings without connecting: names, types, contradictions, ports.",
        discussion: """
            Reads FILE.rdp (UTF-16 with a byte-order mark as mstsc saves it, or UTF-8)
            and reports unknown or misspelled settings, wrong value types, settings
            that contradict each other, a `full address` port that disagrees with
            `server port`, and settings the Windows App on macOS does not use.
            Each finding names the line to write. Nothing is sent over the network.

            Exit codes: 0 no problems; 1 warnings; 2 a setting breaks the connection;
            3 rdpdoctor could not run (bad arguments, unreadable file).
            """
    )

    @Argument(help: "The .rdp file to check.")
    var file: String

    @Flag(name: .long, help: "Print JSON (docs/lint-json.md).")
    var json = false

    func run() throws {
        guard let handle = FileHandle(forReadingAtPath: file) else { throw fail("cannot open \(file)") }
        defer { try? handle.close() }
        let data: Data
        do {
            // One byte more than the limit, so an oversized file is refused rather than cut short.
            data = try handle.read(upToCount: RDPFile.maximumSize + 1) ?? Data()
        } catch {
            throw fail("cannot read \(file): \(error.localizedDescription)")
        }
        let lines: [RDPFileLine]
        do {
            lines = try RDPFile.lines(Array(data))
        } catch {
            throw fail("\(file): \(error.description)")
        }
        let report = RDPFileLinter.lint(lines)
        let style = TextStyle(colour: !json && Output.wantsColour())
        Output.standardOutput(
            json
                ? JSONDocuments.lint(report, file: file)
                : LintTextRenderer(style: style).render(report, file: file))
        if report.exitStatus != 0 {
            throw Reported(status: ExitStatus(rawValue: report.exitStatus) ?? .failure)
        }
    }

    private func fail(_ message: String) -> Reported {
        if json { Output.standardOutput(JSONDocuments.error(message)) }
        Output.standardError("rdpdoctor: \(message)\n")
        return Reported(status: .couldNotRun)
    }
}
