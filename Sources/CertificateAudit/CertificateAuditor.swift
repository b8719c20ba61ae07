import Foundation

/// Audits the certificate chain an RDP server presented in its TLS handshake.
/// Pure: the caller supplies the bytes, the instant and the trust anchors.
public enum CertificateAuditor {
    /// - Parameters:
    ///   - chain: DER certificates, leaf first, as the server sent them.
    ///   - expectedName: What the user typed: a DNS name or an IP literal.
    ///   - now: The instant to judge validity and trust at.
    ///   - trustAnchors: DER root certificates (see `PEM.derBlocks(from:)`).
    public static func audit(
        chain: [[UInt8]], expectedName: String, now: Date, trustAnchors: [[UInt8]]
    ) async -> CertificateReport {
        await audit(
            chain: chain, expectedName: expectedName, nowSecondsSinceEpoch: seconds(now),
            trustAnchors: trustAnchors)
    }

    /// The same, with "now" as whole seconds since 1970-01-01T00:00:00Z.
    public static func audit(
        chain: [[UInt8]], expectedName: String, nowSecondsSinceEpoch now: Int64, trustAnchors: [[UInt8]]
    ) async -> CertificateReport {
        let inspected = chain.enumerated().map { CertificateInspector.inspect($1, index: $0, now: now) }
        var problems = inspected.flatMap(\.problems)
        if chain.isEmpty {
            problems.append(CertificateProblem(kind: .emptyChain, certificateIndex: nil, detail: "no certificate was presented"))
        }
        let leaf = inspected.first
        let name =
            leaf.map {
                NameMatching.match(expected: expectedName, fields: $0.extensions, commonName: $0.summary.details?.subjectCommonName)
            } ?? NameMatching.Outcome(matches: false, matchedName: nil, source: .none)
        let trust = await TrustEvaluation.assess(chain: inspected, anchors: trustAnchors, now: now)
        let missingIssuer = trust.isTrusted ? nil : TrustEvaluation.missingIssuer(chain: inspected, anchors: trustAnchors)
        return CertificateReport(
            expectedName: expectedName, evaluatedAt: CertificateTime(secondsSinceEpoch: now),
            certificates: inspected.map(\.summary), nameMatches: name.matches, matchedName: name.matchedName,
            nameSource: name.source, trust: trust, problems: problems, missingIssuer: missingIssuer)
    }

    /// Whole seconds, rounded down; NaN and out-of-range instants are clamped
    /// rather than trapping.
    static func seconds(_ date: Date) -> Int64 {
        let interval = date.timeIntervalSince1970
        guard interval.isFinite else { return interval > 0 ? Int64(1) << 50 : interval < 0 ? -(Int64(1) << 50) : 0 }
        return Int64(max(-1.0e15, min(1.0e15, interval.rounded(.down))))
    }
}
