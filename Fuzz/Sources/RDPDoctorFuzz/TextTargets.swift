import Catalogue
import Diagnosis
import Explain
import ProbeCore

/// What users type or hand over: explain's input (arguments or a pasted
/// dialog on standard input), .rdp files, host names.
enum TextTargets {
    static let all: [FuzzTarget] = [
        FuzzTarget(name: "explain", summary: "explain's input: bytes decoded as stdin is, parsed into queries, each explained", run: explain),
        FuzzTarget(name: "rdpfile", summary: ".rdp parsing (settings, lines, target) and Target.parse", run: rdpfile),
        FuzzTarget(name: "rdplint", summary: "the .rdp lint over the file's lines", run: rdplint),
    ]

    static let catalogue: Catalogue = {
        do { return try Catalogue.shipped() } catch { violated("the shipped catalogue does not load", "\(error)") }
    }()

    // Built once, as the CLI builds them once per run.
    static let parser = QueryParser(catalogue: catalogue)
    static let explainer = Explainer(catalogue: catalogue)

    static func explain(_ bytes: [UInt8]) {
        // As standard input: decoded (UTF-8 or UTF-16 with a BOM), then parsed as one argument.
        if let text = try? InputText.decode(bytes), let queries = try? parser.parse(arguments: [text]) {
            for query in queries { _ = explainer.explain(query) }
        }
        // As arguments: split where the input has NUL bytes, as argv would be.
        let arguments = bytes.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        if let queries = try? parser.parse(arguments: arguments) {
            for query in queries.prefix(64) { _ = explainer.explain(query) }
        }
        _ = WrittenNumber.parse(Substring(String(decoding: bytes, as: UTF8.self)))
    }

    static func rdpfile(_ bytes: [UInt8]) {
        if let file = try? RDPFile.parse(bytes) {
            _ = try? file.target()
            if let address = file.fullAddress { _ = RDPFile.ownPort(of: address) }
        }
        _ = try? RDPFile.lines(bytes)
        _ = try? Target.parse(String(decoding: bytes.prefix(1024), as: UTF8.self))
    }

    static func rdplint(_ bytes: [UInt8]) {
        guard let lines = try? RDPFile.lines(bytes) else { return }
        let report = RDPFileLinter.lint(lines)
        _ = report
    }
}
