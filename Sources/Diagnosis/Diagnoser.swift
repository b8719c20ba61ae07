import Catalogue
import CertificateAudit
import ProbeCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Turns a check's observations into the verdict and findings. The only
/// place findings are made.
public enum Diagnoser {
    public struct Context: Sendable {
        /// Trusted roots, DER (the system store and any --ca file); read only
        /// when a certificate is there to judge.
        public var trustAnchors: @Sendable () -> [[UInt8]]
        /// When to judge certificate validity (Unix seconds).
        public var nowUnix: Int64
        /// The code catalogue: the codes an outcome produces, and their names.
        public var catalogue: Catalogue
        /// Audits to reuse across many reports (`analyze`); nil audits every chain.
        public var auditCache: CertificateAuditCache?

        public init(trustAnchors: @escaping @Sendable () -> [[UInt8]], nowUnix: Int64, catalogue: Catalogue = .current) {
            self.trustAnchors = trustAnchors
            self.nowUnix = nowUnix
            self.catalogue = catalogue
        }

        public init(trustAnchors: [[UInt8]], nowUnix: Int64, catalogue: Catalogue = .current) {
            self.init(trustAnchors: { trustAnchors }, nowUnix: nowUnix, catalogue: catalogue)
        }
    }

    public static func diagnose(_ observations: CheckObservations, context: Context) async -> CheckReport {
        var certificate: CertificateReport?
        if let chain = observations.probes.lazy.compactMap({ $0.tls?.peerChain }).first(where: { !$0.isEmpty }) {
            if let cache = context.auditCache {
                certificate = await cache.report(
                    chain: chain, name: observations.target.host, now: context.nowUnix,
                    anchors: context.trustAnchors)
            } else {
                certificate = await CertificateAuditor.audit(
                    chain: chain, expectedName: observations.target.host,
                    nowSecondsSinceEpoch: context.nowUnix, trustAnchors: context.trustAnchors())
            }
        }
        var gatewayCertificate: CertificateReport?
        if let gateway = observations.gateway, let chain = gateway.tls?.peerChain, !chain.isEmpty {
            gatewayCertificate = await CertificateAuditor.audit(
                chain: chain, expectedName: gateway.gateway, nowSecondsSinceEpoch: context.nowUnix,
                trustAnchors: context.trustAnchors())
        }
        let catalogue = context.catalogue
        var findings = RuleRegistry.findings(
            RuleInput(
                observations: observations, catalogue: catalogue, certificate: certificate,
                gatewayCertificate: gatewayCertificate))
        if observations.gateway != nil {
            // Through a gateway every finding outside its section is about the target behind it.
            for index in findings.indices {
                findings[index].side = findings[index].section == .gateway ? .gateway : .target
            }
        }
        let (verdict, consistent) = VerdictRule.reconciled(
            VerdictRule.verdict(observations, catalogue: catalogue), findings: findings,
            captured: observations.capture != nil)
        let order = Dictionary(uniqueKeysWithValues: Section.allCases.enumerated().map { ($1, $0) })
        let sorted = consistent.enumerated().sorted {
            (order[$0.element.section]!, $0.offset) < (order[$1.element.section]!, $1.offset)
        }.map(\.element)
        return CheckReport(
            verdict: verdict, findings: sorted, observations: observations, certificate: certificate,
            gatewayCertificate: gatewayCertificate)
    }
}

extension Diagnoser {
    /// The verdict alone, from the walk, without running the rules: cheap, for
    /// counting connections a report does not show. A finding may still turn
    /// a working verdict into a failing one in the full diagnosis.
    public static func quickVerdict(_ observations: CheckObservations, catalogue: Catalogue = .current) -> Verdict {
        VerdictRule.verdict(observations, catalogue: catalogue)
    }

    /// The credential gate's question — is this chain trusted for `host`? —
    /// answered with the same audit the report uses, for `CheckRunner.Options.judgeCertificate`.
    public static func certificateJudge(host: String, trustAnchors: @escaping @Sendable () -> [[UInt8]])
        -> @Sendable ([[UInt8]]) async -> CertificateJudgement
    {
        { chain in
            let report = await CertificateAuditor.audit(
                chain: chain, expectedName: host,
                nowSecondsSinceEpoch: Int64(Date().timeIntervalSince1970),
                trustAnchors: trustAnchors())
            return CertificateJudgement(trusted: report.trust.isTrusted, nameMatches: report.nameMatches)
        }
    }
}
