import Catalogue
import CertificateAudit
import Diagnosis
import Explain
import ProbeCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The versioned JSON documents rdpdoctor prints (docs/explain-json.md).
public enum JSONDocuments {
    public static let explainSchema = "rdpdoctor.explain/1"
    public static let listSchema = "rdpdoctor.list/1"
    public static let errorSchema = "rdpdoctor.error/1"
    public static let checkSchema = "rdpdoctor.check/3"

    struct CheckDocument: Encodable {
        let schema = JSONDocuments.checkSchema
        let target: String
        let exitStatus: Int32
        let verdict: Verdict
        let findings: [Finding]
        let certificate: CertificateReport?
        /// Through an RD Gateway: the gateway's own certificate, audited for its name.
        let gatewayCertificate: CertificateReport?
        let observations: CheckObservations
    }

    public static func check(_ report: CheckReport) -> String {
        encode(
            CheckDocument(
                target: report.observations.target.written, exitStatus: report.exitStatus,
                verdict: report.verdict, findings: report.findings,
                certificate: report.certificate, gatewayCertificate: report.gatewayCertificate,
                observations: report.observations))
    }

    struct ExplainDocument: Encodable {
        let schema = JSONDocuments.explainSchema
        let explanations: [Explanation]
    }

    struct ListDocument: Encodable {
        struct FamilySummary: Encodable {
            let family: FamilyID
            let title: String
            let description: String
            let source: String
            let count: Int
            let entries: [CatalogueEntry]?
            let ranges: [RangeRule]
            let classes: [ClassRule]
        }
        let schema = JSONDocuments.listSchema
        let families: [FamilySummary]
    }

    struct ErrorDocument: Encodable {
        let schema = JSONDocuments.errorSchema
        let error: String
    }

    public static func explain(_ explanations: [Explanation]) -> String {
        encode(ExplainDocument(explanations: explanations))
    }

    /// All families with their counts; with `only`, that family's entries too.
    public static func list(_ catalogue: Catalogue, only: FamilyID?) -> String {
        let families = catalogue.families.filter { only == nil || $0.family == only }.map {
            ListDocument.FamilySummary(
                family: $0.family, title: $0.title, description: $0.description, source: $0.source,
                count: $0.entries.count, entries: only == nil ? nil : $0.entries,
                ranges: $0.ranges, classes: $0.classes)
        }
        return encode(ListDocument(families: families))
    }

    public static func error(_ message: String) -> String {
        encode(ErrorDocument(error: message))
    }

    static func documentEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    static func encode(_ value: some Encodable) -> String {
        // Encoding these plain records cannot fail; keep a message rather than trap if it ever does.
        guard let data = try? documentEncoder().encode(value) else { return "{\"error\":\"internal: JSON encoding failed\"}\n" }
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
