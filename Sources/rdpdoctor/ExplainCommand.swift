import ArgumentParser
import Catalogue
import Explain
import Reporting

struct Explain: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Explain an RDP error code, a code pair, a name, or a pasted error dialog.",
        discussion: """
            Examples:
              rdpdoctor explain 0x904 0x7          the pair a client showed
              rdpdoctor explain 0x904 0x7 --details   all of it, advice answered
              rdpdoctor explain 0x904/0x7
              rdpdoctor explain 2308               decimal works too
              rdpdoctor explain errinfo:7          one family's reading
              rdpdoctor explain 0xC000006D         CredSSP / NTSTATUS
              rdpdoctor explain ERRINFO_SERVER_DENIED_CONNECTION
              rdpdoctor explain "ERRCONNECT_CONNECT_TRANSPORT_FAILED [0x0002000D]"
              rdpdoctor explain certificate expired      search names and meanings
              pbpaste | rdpdoctor explain          a whole dialog on standard input
              rdpdoctor explain --list [FAMILY]

            Exit codes: 0 explained (an unknown number is shown raw and still
            answers); 1 nothing matched; 3 could not run (bad arguments or
            unreadable input).
            """
    )

    /// Standard input larger than this is refused, not read on.
    static let standardInputLimit = 1024 * 1024

    @Argument(help: "Codes, a code pair, names, a log line or words. Without any, the text on standard input is read.")
    var input: [String] = []

    @Flag(name: .long, help: "List the families, or with a family name, its codes.")
    var list = false

    @Flag(name: .long, help: "Print JSON (docs/explain-json.md).")
    var json = false

    @Flag(
        name: .long,
        help:
            "Print everything the catalogue holds: the whole story, every cause, check and fix, popular advice answered. Without it the answer fits one screen."
    )
    var details = false

    func run() throws {
        let catalogue: Catalogue
        do {
            catalogue = try Catalogue.shipped()
        } catch {
            throw fail("\(error)")
        }
        let style = TextStyle(colour: !json && Output.wantsColour())
        if list {
            return try runList(catalogue, style: style)
        }
        let queries = try readQueries(catalogue)
        let explainer = Explainer(catalogue: catalogue)
        let explanations = queries.map(explainer.explain)
        Output.standardOutput(
            json
                ? JSONDocuments.explain(explanations)
                : ExplainTextRenderer(style: style, details: details).render(explanations))
        let answered = explanations.contains { !$0.readings.isEmpty }
        if !answered { throw Reported(status: .attention) }
    }

    private func runList(_ catalogue: Catalogue, style: TextStyle) throws {
        guard input.count <= 1 else { throw fail("--list takes at most one family name") }
        guard let name = input.first else {
            Output.standardOutput(
                json
                    ? JSONDocuments.list(catalogue, only: nil)
                    : CatalogueListRenderer(style: style).renderFamilies(catalogue))
            return
        }
        guard let family = catalogue.family(FamilyID(name.lowercased())) else {
            throw fail("no family called \"\(name)\"; the families are: \(catalogue.families.map(\.family.rawValue).joined(separator: ", "))")
        }
        Output.standardOutput(
            json
                ? JSONDocuments.list(catalogue, only: family.family)
                : CatalogueListRenderer(style: style).render(family))
    }

    private func readQueries(_ catalogue: Catalogue) throws -> [Query] {
        if !input.isEmpty {
            do {
                return try QueryParser(catalogue: catalogue).parse(arguments: input)
            } catch {
                throw fail(error.description)
            }
        }
        if Output.isTerminal(0) {
            Output.standardError("Paste the error text, then press Ctrl-D (or pass a code: rdpdoctor explain 0x904 0x7).\n")
        }
        let bytes: [UInt8]
        switch Output.readStandardInput(limit: Self.standardInputLimit) {
        case .success(let read): bytes = read
        case .failure(.unreadable): throw fail("standard input could not be read")
        case .failure(.tooLarge(let limit)):
            throw fail("standard input is larger than \(limit / 1024 / 1024) MiB; paste only the error dialog or log lines")
        }
        let text: String
        do {
            text = try InputText.decode(bytes)
        } catch {
            throw fail(error.description)
        }
        let queries = TextScanner(catalogue: catalogue).scan(text)
        guard !queries.isEmpty else {
            let message =
                "no error code was found in the text on standard input (looked for \"Error code: 0x…\", \"Extended error code: 0x…\", 0x numbers and ERRINFO_/ERRCONNECT_ names)"
            Output.standardOutput(json ? JSONDocuments.explain([]) : "")
            Output.standardError("rdpdoctor: \(message)\n")
            throw Reported(status: .attention)
        }
        return queries
    }

    /// Reports `message` (as JSON too with --json) and ends with "could not run".
    private func fail(_ message: String) -> Reported {
        if json { Output.standardOutput(JSONDocuments.error(message)) }
        Output.standardError("rdpdoctor: \(message)\n")
        return Reported(status: .couldNotRun)
    }
}
