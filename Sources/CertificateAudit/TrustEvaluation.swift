import Foundation
import SwiftASN1
// The SPI is swift-certificates' supported way to judge expiry at a given
// instant; its public alternatives are deprecated or read the clock.
@_spi(FixedExpiryValidationTime) import X509

/// Decides whether the presented chain leads to one of the caller's anchors.
/// Host names are not checked here (NameMatching judges them), so the policy
/// is RFC 5280 path validation alone.
enum TrustEvaluation {
    static func assess(chain: [InspectedCertificate], anchors: [[UInt8]], now: Int64) async -> TrustAssessment {
        // Only anchors that carry an issuer name of the chain can matter; a system
        // store has ~140, and parsing them all costs more than the whole probe.
        // Raw issuer names: they exist for certificates swift-certificates refuses too.
        let issuers = chain.compactMap { $0.raw.map { Array($0.issuer.encodedBytes) } }
        let candidates = anchors.filter { der in
            der == chain.first?.der || issuers.contains { !$0.isEmpty && der.containsSequence($0) }
        }
        var roots: [Certificate] = []
        for der in candidates {
            // An anchor whose RSA key would stop swift-crypto is unusable, like one it cannot parse.
            if RSAKeyAdmission.refusal(certificate: der) == nil, let root = try? Certificate(derEncoded: der) { roots.append(root) }
        }
        let unusable = candidates.count - roots.count
        func untrusted(_ reason: String) -> TrustAssessment {
            TrustAssessment(
                status: .untrusted, reason: reason, validatedChain: [], anchorCount: anchors.count,
                unusableAnchorCount: unusable)
        }
        func pinnedTrust(_ leaf: InspectedCertificate, _ why: String) -> TrustAssessment {
            TrustAssessment(
                status: .trusted, reason: "the certificate itself is one of the trust anchors; " + why,
                validatedChain: [leaf.summary.details?.subject ?? leaf.summary.sha256Fingerprint],
                anchorCount: anchors.count, unusableAnchorCount: unusable)
        }

        guard let leaf = chain.first else { return untrusted("no certificate was presented") }
        // An anchor byte-identical to the leaf is a pin: Windows trusts a
        // self-signed RDP certificate placed in its root store even though it
        // is no CA, and so do we, provided it is within its validity period.
        let pinned = anchors.contains(leaf.der)
        let pinUsable = pinned && leaf.summary.details?.validity.state == .valid

        guard let leafCertificate = leaf.x509 else {
            if pinUsable { return pinnedTrust(leaf, "its signature could not be checked (key or algorithm unsupported)") }
            if pinned { return untrusted("the certificate is one of the trust anchors but is not within its validity period") }
            return ownPathAssessment(leaf: leaf, chain: chain, candidates: candidates, anchorCount: anchors.count, now: now)
        }

        let date = Date(timeIntervalSince1970: TimeInterval(now))
        var verifier = Verifier(rootCertificates: CertificateStore(roots)) {
            RFC5280Policy(fixedExpiryValidationTime: date)
        }
        let intermediates = CertificateStore(chain.dropFirst().compactMap(\.x509))
        switch await verifier.validate(leaf: leafCertificate, intermediates: intermediates) {
        case .validCertificate(let validated):
            return TrustAssessment(
                status: .trusted, reason: nil, validatedChain: validated.map { render($0.subject) },
                anchorCount: anchors.count, unusableAnchorCount: unusable)
        case .couldNotValidate(let failures):
            let reason = explain(
                failures: failures, leaf: leaf, leafCertificate: leafCertificate,
                presented: chain.compactMap(\.x509), roots: roots)
            if pinUsable { return pinnedTrust(leaf, "path validation alone would reject it: " + reason) }
            return untrusted(reason)
        }
    }

    /// Judges the chain with rdpdoctor's own signature check, for a leaf
    /// swift-certificates cannot load; the reason always says so.
    private static func ownPathAssessment(
        leaf: InspectedCertificate, chain: [InspectedCertificate], candidates: [[UInt8]], anchorCount: Int, now: Int64
    ) -> TrustAssessment {
        let readable = candidates.compactMap(OwnPathValidation.Node.init(anchor:))
        func assessment(_ status: TrustAssessment.Status, _ reason: String, _ validated: [String]) -> TrustAssessment {
            TrustAssessment(
                status: status, reason: reason, validatedChain: validated, anchorCount: anchorCount,
                unusableAnchorCount: candidates.count - readable.count)
        }
        let key = leaf.summary.details?.publicKey
        let keyText = key.map { "\($0.bits.map { "\($0)-bit " } ?? "")\($0.algorithm.rawValue.uppercased()) key" } ?? "key"
        let preamble = "judged by rdpdoctor's own signature check because swift-certificates cannot load the leaf's \(keyText)"
        guard let raw = leaf.raw, let extensions = leaf.extensions else {
            return assessment(.untrusted, preamble + ": the leaf cannot be read", [])
        }
        let presented = chain.dropFirst().compactMap { certificate in
            certificate.raw.map {
                OwnPathValidation.Node(der: certificate.der, raw: $0, extensions: certificate.extensions ?? ExtensionFields([]))
            }
        }
        let outcome = OwnPathValidation.validate(
            leaf: OwnPathValidation.Node(der: leaf.der, raw: raw, extensions: extensions),
            presented: presented, anchors: readable, now: now)
        let reason = preamble + (outcome.detail.map { (outcome.trusted ? "; " : ": ") + $0 } ?? "")
        return assessment(outcome.trusted ? .trusted : .untrusted, reason, outcome.chain)
    }

    /// The issuer the presented certificates stop short of: following issuer
    /// names (byte for byte) from the leaf, the last certificate reached is not
    /// self-issued, and no presented certificate or anchor carries its issuer's
    /// name. nil when nothing is missing, or the leaf cannot be read.
    static func missingIssuer(chain: [InspectedCertificate], anchors: [[UInt8]]) -> String? {
        guard var tip = chain.first?.raw else { return nil }
        var used: Set<Int> = [0]
        while tip.issuer.encodedBytes != tip.subject.encodedBytes,
            let next = chain.indices.first(where: { index in
                !used.contains(index) && chain[index].raw?.subject.encodedBytes == tip.issuer.encodedBytes
            }),
            let raw = chain[next].raw
        {
            used.insert(next)
            tip = raw
        }
        let issuer = tip.issuer.encodedBytes
        guard issuer != tip.subject.encodedBytes else { return nil }
        // An anchor of that name means the issuer is known and the chain failed
        // for another reason (signature, expiry, CA flag).
        let needle = Array(issuer)
        let anchorNamed = anchors.contains { der in
            der.containsSequence(needle) && OwnPathValidation.Node(anchor: der)?.raw.subject.encodedBytes == issuer
        }
        guard !anchorNamed else { return nil }
        return (try? DistinguishedNames.render(tip.issuer))?.rfc4514
    }

    /// The verifier's own policy texts when a chain to an anchor was found;
    /// otherwise what stopped the chain from being built.
    private static func explain(
        failures: [CertificateValidationResult.PolicyFailure], leaf: InspectedCertificate,
        leafCertificate: Certificate, presented: [Certificate], roots: [Certificate]
    ) -> String {
        if !failures.isEmpty {
            var reasons: [String] = []
            for failure in failures {
                // Policy texts embed whole certificate dumps; name them by subject instead.
                var text = failure.policyFailureReason.description
                for certificate in failure.chain {
                    text = text.replacing(String(describing: certificate), with: "\"\(render(certificate.subject))\"")
                }
                if !reasons.contains(text) { reasons.append(text) }
            }
            return "a chain to a trust anchor was found but rejected: " + reasons.joined(separator: "; ")
        }
        let handled = RFC5280Policy().verifyingCriticalExtensions
        let unhandled = leafCertificate.extensions.filter { $0.critical && !handled.contains($0.oid) }
        if !unhandled.isEmpty {
            return "the leaf has critical extensions the verifier cannot enforce: "
                + unhandled.map { $0.oid.description }.joined(separator: ", ")
        }
        if leaf.summary.selfSigned {
            return "self-signed certificate is not among the trust anchors"
        }
        // Follow issuer names through the presented certificates to the last link.
        var tip = leafCertificate
        var used: Set<Int> = [0]
        while let next = presented.indices.first(where: { !used.contains($0) && presented[$0].subject == tip.issuer }) {
            used.insert(next)
            tip = presented[next]
        }
        if roots.contains(where: { $0.subject == tip.issuer }) {
            return
                "a trust anchor named \"\(render(tip.issuer))\" exists but did not validate \"\(render(tip.subject))\" (signature mismatch or unusable anchor)"
        }
        return "issuer \"\(render(tip.issuer))\" of \"\(render(tip.subject))\" is neither presented nor among the trust anchors"
    }

    /// Same rendering as the report's subject and issuer fields.
    static func render(_ name: DistinguishedName) -> String {
        var serializer = DER.Serializer()
        guard (try? serializer.serialize(name)) != nil,
            let node = try? DER.parse(serializer.serializedBytes),
            let rendered = try? DistinguishedNames.render(node)
        else { return String(describing: name) }
        return rendered.rfc4514
    }
}

extension Array where Element == UInt8 {
    /// True when `needle` occurs in the bytes (a plain scan: anchors are small).
    func containsSequence(_ needle: [UInt8]) -> Bool {
        guard needle.count <= count, let first = needle.first else { return needle.isEmpty }
        var start = startIndex
        while let index = self[start...].firstIndex(of: first), index + needle.count <= endIndex {
            if self[index..<(index + needle.count)].elementsEqual(needle) { return true }
            start = index + 1
        }
        return false
    }
}
