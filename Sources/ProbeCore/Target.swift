/// What the user asked rdpdoctor to check: a host and a port, as typed.
public struct Target: Sendable, Hashable, Codable {
    public static let defaultPort: UInt16 = 3389

    /// A DNS name or an IP literal (IPv6 without brackets).
    public let host: String
    public let port: UInt16
    /// How the user wrote it, for the report.
    public let written: String

    public init(host: String, port: UInt16 = Target.defaultPort, written: String? = nil) {
        self.host = host
        self.port = port
        self.written = written ?? (host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)")
    }

    /// True when `host` is an IP literal rather than a name (no DNS needed, no SNI).
    public var hostIsAddress: Bool { IPAddressText.isIPv4(host) || IPAddressText.isIPv6(host) }

    /// Reads `HOST`, `HOST:PORT`, `[IPv6]`, `[IPv6]:PORT` and a bare IPv6 literal;
    /// without a port, `portDefault` (3389; an RD Gateway's is 443).
    public static func parse(_ text: String, portDefault: UInt16 = Target.defaultPort) throws(TargetError) -> Target {
        let trimmed = text.trimmingSpaces
        guard !trimmed.isEmpty else { throw TargetError("no host given") }
        guard trimmed.utf8.count <= 255 else { throw TargetError("the host name is longer than 255 characters") }
        if trimmed.hasPrefix("[") {
            guard let close = trimmed.firstIndex(of: "]") else { throw TargetError("\"\(text)\": missing ] after the IPv6 address") }
            let host = String(trimmed[trimmed.index(after: trimmed.startIndex)..<close])
            guard IPAddressText.isIPv6(host) else { throw TargetError("\"\(host)\" is not an IPv6 address") }
            let rest = trimmed[trimmed.index(after: close)...]
            if rest.isEmpty { return Target(host: host, port: portDefault, written: trimmed) }
            guard rest.hasPrefix(":") else { throw TargetError("\"\(text)\": expected :PORT after ]") }
            return Target(host: host, port: try port(rest.dropFirst(), in: text), written: trimmed)
        }
        let colons = trimmed.filter { $0 == ":" }.count
        if colons > 1 {
            guard IPAddressText.isIPv6(trimmed) else { throw TargetError("\"\(text)\" is not a host, HOST:PORT or [IPv6]:PORT") }
            return Target(host: trimmed, port: portDefault, written: trimmed)
        }
        var host = Substring(trimmed)
        var portNumber = portDefault
        if let colon = trimmed.firstIndex(of: ":") {
            host = trimmed[..<colon]
            portNumber = try port(trimmed[trimmed.index(after: colon)...], in: text)
        }
        guard isValidHostName(host) else { throw TargetError("\"\(host)\" is not a valid host name or address") }
        return Target(host: String(host), port: portNumber, written: trimmed)
    }

    private static func port(_ text: Substring, in whole: String) throws(TargetError) -> UInt16 {
        guard text.allSatisfy(\.isASCII), text.allSatisfy(\.isNumber), let value = UInt16(text), value > 0 else {
            throw TargetError("\"\(whole)\": the port must be a number from 1 to 65535")
        }
        return value
    }

    /// Letters, digits, '-', '.', '_' (seen in lab names); no empty labels.
    static func isValidHostName(_ host: Substring) -> Bool {
        guard !host.isEmpty, host.count <= 253 else { return false }
        let labels = host.split(separator: ".", omittingEmptySubsequences: false)
        return labels.allSatisfy { label in
            !label.isEmpty && label.count <= 63
                && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
        } || (host.hasSuffix(".") && isValidHostName(host.dropLast()))
    }
}

public struct TargetError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Text checks of IP literals, without any system call.
public enum IPAddressText {
    public static func isIPv4(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4
            && parts.allSatisfy { part in
                !part.isEmpty && part.count <= 3 && part.allSatisfy(\.isASCII) && UInt8(part) != nil
            }
    }

    public static func isIPv6(_ text: String) -> Bool {
        var address = Substring(text)
        if let percent = address.firstIndex(of: "%") { address = address[..<percent] }  // zone id
        guard address.contains(":"), address.count >= 2, address.count <= 45, !address.contains(":::") else { return false }
        let halves = address.split(separator: "::", omittingEmptySubsequences: false)
        guard halves.count <= 2 else { return false }  // "::" at most once
        var groups = 0
        for (index, half) in halves.enumerated() where !half.isEmpty {
            let parts = half.split(separator: ":", omittingEmptySubsequences: false)
            for (i, part) in parts.enumerated() {
                let isLastOverall = index == halves.count - 1 && i == parts.count - 1
                if isLastOverall, isIPv4(String(part)) {
                    groups += 2
                    continue
                }
                // An empty group here is a lone ':' at either end or a doubled one.
                guard !part.isEmpty, part.count <= 4, part.allSatisfy(\.isHexDigit) else { return false }
                groups += 1
            }
        }
        return halves.count == 2 ? groups <= 7 : groups == 8
    }
}

extension String {
    var trimmingSpaces: String {
        var text = Substring(self)
        while text.first?.isWhitespace == true { text = text.dropFirst() }
        while text.last?.isWhitespace == true { text = text.dropLast() }
        return String(text)
    }
}
