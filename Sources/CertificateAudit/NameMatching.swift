/// Matches the name the user typed against the leaf's names (RFC 6125).
enum NameMatching {
    struct Outcome: Equatable {
        var matches: Bool
        var matchedName: String?
        var source: NameSource
    }

    /// SANs decide when the extension is present; the CN is consulted only
    /// without one. An IP literal is compared with iPAddress entries only
    /// (and, without SANs, with a CN that is itself that IP literal).
    static func match(expected: String, fields: ExtensionFields?, commonName: String?) -> Outcome {
        let expectedIP = IPAddress.parse(expected.trimmingASCIIWhitespace())
        if let fields, fields.hasSubjectAltName {
            if let expectedIP {
                if let i = fields.ipAddresses.firstIndex(of: expectedIP) {
                    return Outcome(matches: true, matchedName: fields.ipTexts[i], source: .subjectAltName)
                }
            } else if let name = fields.dnsNames.first(where: { dnsMatches(pattern: $0, host: expected) }) {
                return Outcome(matches: true, matchedName: name, source: .subjectAltName)
            }
            return Outcome(matches: false, matchedName: nil, source: .subjectAltName)
        }
        guard let commonName else { return Outcome(matches: false, matchedName: nil, source: .none) }
        let matched: Bool
        if let expectedIP {
            matched = IPAddress.parse(commonName) == expectedIP
        } else {
            matched = dnsMatches(pattern: commonName, host: expected)
        }
        return Outcome(matches: matched, matchedName: matched ? commonName : nil, source: .commonName)
    }

    /// Case-insensitive; a trailing root dot is ignored. A wildcard is allowed
    /// only as the whole left-most label, stands for exactly one non-empty
    /// label, and needs at least two labels after it (no "*.com").
    static func dnsMatches(pattern: String, host: String) -> Bool {
        guard let host = labels(host), !host.contains(where: { $0.contains("*") }),
            let pattern = labels(pattern)
        else { return false }
        if pattern.first == "*" {
            let rest = pattern.dropFirst()
            guard rest.count >= 2, !rest.contains(where: { $0.contains("*") }) else { return false }
            return host.count == pattern.count && host.dropFirst().elementsEqual(rest)
        }
        return !pattern.contains(where: { $0.contains("*") }) && host == pattern
    }

    /// Lowercased labels, or nil for an empty name or an empty label.
    private static func labels(_ name: String) -> [String]? {
        var name = name.trimmingASCIIWhitespace().lowercased()
        if name.hasSuffix(".") { name.removeLast() }
        let labels = name.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard !name.isEmpty, !labels.contains(where: \.isEmpty) else { return nil }
        return labels
    }
}

extension String {
    func trimmingASCIIWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let start = firstIndex(where: { !isSpace($0) }), let end = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[start...end])
    }
}
