import SwiftASN1

/// rdpdoctor's own path validation, for a leaf swift-certificates cannot load
/// (an RSA key under 2048 bits, as old RDP hosts present). It follows issuer
/// names byte for byte through the presented certificates to an anchor,
/// checks every signature with `SignatureCheck`, every validity period at
/// `now`, and that every issuer may issue certificates.
enum OwnPathValidation {
    /// One certificate as the walk needs it.
    struct Node {
        var der: [UInt8]
        var raw: RawCertificate
        var extensions: ExtensionFields
        /// The subject, RFC 4514.
        var name: String

        init(der: [UInt8], raw: RawCertificate, extensions: ExtensionFields) {
            self.der = der
            self.raw = raw
            self.extensions = extensions
            name = (try? DistinguishedNames.render(raw.subject))?.rfc4514 ?? "(unreadable subject)"
        }

        /// Reads an anchor; nil when it is no readable certificate.
        init?(anchor bytes: [UInt8]) {
            guard let frame = try? DERFraming.outerSequence(bytes).get(),
                let raw = try? RawCertificate(der: frame.element)
            else { return nil }
            self.init(der: Array(frame.element), raw: raw, extensions: ExtensionFields(raw.extensions))
        }

        var isSelfIssued: Bool { raw.subject.encodedBytes == raw.issuer.encodedBytes }
    }

    struct Outcome {
        var trusted: Bool
        /// Why the chain is refused; for a trusted chain, what is weak in it.
        var detail: String?
        /// Subjects from leaf to anchor when trusted.
        var chain: [String]
    }

    /// Critical extensions that are either enforced here (basicConstraints,
    /// keyUsage) or judged elsewhere in the report (names, EKU).
    private static let understoodCritical: Set<String> = [
        ExtensionFields.basicConstraints, ExtensionFields.keyUsage,
        ExtensionFields.subjectAltName, ExtensionFields.extendedKeyUsageOID,
    ]

    /// Real chains need a handful of signature checks; a server presenting
    /// many certificates under one name gets no more than this.
    static let maximumSignatureChecks = 32

    static func validate(leaf: Node, presented: [Node], anchors: [Node], now: Int64) -> Outcome {
        func refused(_ why: String) -> Outcome { Outcome(trusted: false, detail: why, chain: []) }
        var checksLeft = maximumSignatureChecks
        func verify(_ certificate: Node, by issuer: Node) -> SignatureCheck.Outcome? {
            guard checksLeft > 0 else { return nil }
            checksLeft -= 1
            return SignatureCheck.verify(certificate.raw, issuedBy: issuer.raw)
        }
        let exhausted = "more candidate issuers than rdpdoctor checks (\(maximumSignatureChecks) signatures)"

        var path = [leaf]
        var weak: [String] = []
        var used = Set<Int>()
        var current = leaf
        // Each step uses up one presented certificate, so the walk ends.
        while true {
            if anchors.contains(where: { $0.der == current.der }) { break }
            let issuerName = current.raw.issuer.encodedBytes
            var rejections: [String] = []
            var next: (node: Node, index: Int?)?
            for anchor in anchors where anchor.raw.subject.encodedBytes == issuerName {
                guard let outcome = verify(current, by: anchor) else { return refused(exhausted) }
                switch outcome {
                case .valid(let isWeak):
                    next = (anchor, nil)
                    if isWeak { weak.append(current.name) }
                case .invalid(let why):
                    rejections.append("\"\(current.name)\" was not issued by anchor \"\(anchor.name)\": \(why)")
                case .unsupported(let why):
                    rejections.append("\"\(current.name)\" cannot be checked against anchor \"\(anchor.name)\": \(why)")
                }
                if next != nil { break }
            }
            if next == nil {
                for (index, candidate) in presented.enumerated()
                where !used.contains(index) && candidate.der != current.der && candidate.raw.subject.encodedBytes == issuerName {
                    guard let outcome = verify(current, by: candidate) else { return refused(exhausted) }
                    switch outcome {
                    case .valid(let isWeak):
                        next = (candidate, index)
                        if isWeak { weak.append(current.name) }
                    case .invalid(let why):
                        rejections.append("\"\(current.name)\" was not issued by \"\(candidate.name)\": \(why)")
                    case .unsupported(let why):
                        rejections.append("\"\(current.name)\" cannot be checked against \"\(candidate.name)\": \(why)")
                    }
                    if next != nil { break }
                }
            }
            guard let (node, index) = next else {
                if let first = rejections.first { return refused(first) }
                if current.isSelfIssued {
                    return refused(
                        path.count == 1
                            ? "self-signed certificate is not among the trust anchors"
                            : "the chain ends at self-signed \"\(current.name)\", which is not among the trust anchors")
                }
                let issuer = (try? DistinguishedNames.render(current.raw.issuer))?.rfc4514 ?? "(unreadable name)"
                return refused("issuer \"\(issuer)\" of \"\(current.name)\" is neither presented nor among the trust anchors")
            }
            path.append(node)
            guard let index else { break }  // reached an anchor
            used.insert(index)
            current = node
        }

        let problems = checks(path, now: now)
        guard problems.isEmpty else {
            return refused("a chain to a trust anchor was found but rejected: " + problems.joined(separator: "; "))
        }
        let note = weak.isEmpty ? nil : "SHA-1 signature (weak) on " + weak.map { "\"\($0)\"" }.joined(separator: ", ")
        return Outcome(trusted: true, detail: note, chain: path.map(\.name))
    }

    /// Validity of every certificate, CA rights of every issuer, and critical
    /// extensions of every certificate below the anchor.
    private static func checks(_ path: [Node], now: Int64) -> [String] {
        var problems: [String] = []
        for (position, node) in path.enumerated() {
            if now > node.raw.notAfter {
                problems.append("\"\(node.name)\" has expired (notAfter \(CivilTime.iso8601(secondsSinceEpoch: node.raw.notAfter)))")
            } else if now < node.raw.notBefore {
                problems.append("\"\(node.name)\" is not valid yet (notBefore \(CivilTime.iso8601(secondsSinceEpoch: node.raw.notBefore)))")
            }
            let isAnchor = position == path.count - 1
            if position > 0, node.raw.version >= 3 {
                // Version 1 and 2 certificates carry no extensions; old CAs were made that way.
                if node.extensions.isCA != true {
                    problems.append("\"\(node.name)\" is not marked as a CA (basicConstraints)")
                }
                if node.extensions.keyCertSign == false {
                    problems.append("\"\(node.name)\" may not sign certificates (keyUsage lacks keyCertSign)")
                }
            }
            // RFC 5280 §6.1: an anchor's extensions are not processed.
            let unknown = node.extensions.criticalOIDs.filter { !understoodCritical.contains($0) }
            if !isAnchor, !unknown.isEmpty {
                problems.append("\"\(node.name)\" has critical extensions rdpdoctor cannot enforce: " + unknown.joined(separator: ", "))
            }
        }
        return problems
    }
}
