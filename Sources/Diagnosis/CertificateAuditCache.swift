import CertificateAudit

/// Audits of chains already judged, for runs that judge many connections to
/// the same servers (`analyze` of a long capture). Keyed by the chain, the
/// name and the hour it is judged at; at most `capacity` kept.
public actor CertificateAuditCache {
    public static let capacity = 256

    struct Key: Hashable {
        let chain: [[UInt8]]
        let name: String
        let hour: Int64
    }

    private var reports: [Key: CertificateReport] = [:]
    private var order: [Key] = []

    public init() {}

    func report(
        chain: [[UInt8]], name: String, now: Int64,
        anchors: @Sendable () -> [[UInt8]]
    ) async -> CertificateReport {
        let key = Key(chain: chain, name: name, hour: now / 3600)
        if let known = reports[key] { return known }
        let report = await CertificateAuditor.audit(
            chain: chain, expectedName: name,
            nowSecondsSinceEpoch: now, trustAnchors: anchors())
        reports[key] = report
        order.append(key)
        if order.count > Self.capacity { reports[order.removeFirst()] = nil }
        return report
    }
}
