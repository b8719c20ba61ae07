import Diagnosis

extension JSONDocuments {
    public static let lintSchema = "rdpdoctor.lint/1"

    /// docs/lint-json.md describes this document.
    struct LintDocument: Encodable {
        let schema = JSONDocuments.lintSchema
        let file: String
        let exitStatus: Int32
        let settingCount: Int
        let findings: [RDPFileFinding]
    }

    public static func lint(_ report: RDPFileLintReport, file: String) -> String {
        encode(
            LintDocument(
                file: file, exitStatus: report.exitStatus, settingCount: report.settingCount,
                findings: report.findings))
    }
}
