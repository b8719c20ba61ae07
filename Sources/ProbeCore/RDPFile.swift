/// The settings rdpdoctor reads from an `.rdp` file as mstsc writes it
/// (UTF-16LE with a byte-order mark and CRLF; UTF-8 is accepted too).
/// Lines are `name:type:value`; unknown settings are ignored.
public struct RDPFile: Sendable, Equatable, Codable {
    /// An .rdp file larger than this is not a connection file.
    public static let maximumSize = 256 * 1024

    public var fullAddress: String?
    public var serverPort: UInt16?
    public var gatewayHostname: String?
    public var gatewayUsageMethod: Int?
    /// How the client authenticates to the gateway (0 password/NTLM, 1 smart card,
    /// 2 the logged-on user's credentials, 3 Basic, 4 chosen later, 5 a cookie).
    public var gatewayCredentialsSource: Int?
    /// 1: this file's gateway settings; 0: the administrator's default profile may apply.
    public var gatewayProfileUsageMethod: Int?

    /// The file authenticates to its gateway in a way rdpdoctor cannot
    /// (a smart card, or a cookie from a web sign-in).
    public var gatewayAuthenticatesWithoutPassword: Bool { [1, 5].contains(gatewayCredentialsSource ?? 0) }
    /// 0: connect anyway, 1: do not connect, 2: warn, on a server authentication failure.
    public var authenticationLevel: Int?
    /// 0 turns CredSSP (NLA) off in the client.
    public var enableCredSSPSupport: Int?
    public var username: String?

    public init() {}

    /// The host and port the client would connect to (`server port` applies
    /// only when `full address` carries no port of its own).
    public func target() throws(TargetError) -> Target {
        guard let address = fullAddress, !address.isEmpty else {
            throw TargetError("the .rdp file has no `full address` setting")
        }
        let parsed = try Target.parse(address)
        let hasOwnPort = address.hasPrefix("[") ? address.contains("]:") : address.filter({ $0 == ":" }).count == 1
        if !hasOwnPort, let port = serverPort, port > 0 {
            return Target(host: parsed.host, port: port, written: address)
        }
        return parsed
    }

    /// The port written in a `full address` value itself (`host:3390`,
    /// `[::1]:3390`), or nil when it has none (`host`, `::1`, `[::1]`).
    public static func ownPort(of address: String) -> UInt16? {
        let hasOwnPort = address.hasPrefix("[") ? address.contains("]:") : address.filter({ $0 == ":" }).count == 1
        guard hasOwnPort, let parsed = try? Target.parse(address) else { return nil }
        return parsed.port
    }

    public static func parse(_ bytes: [UInt8]) throws(TargetError) -> RDPFile {
        guard bytes.count <= maximumSize else { throw TargetError("the .rdp file is larger than \(maximumSize / 1024) KiB") }
        let text = try decodeText(bytes)
        var file = RDPFile()
        for line in text.split(whereSeparator: \.isNewline) {
            let parts = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3 else { continue }
            // The byte-order mark survives decoding as U+FEFF at the start of the first line.
            let name = parts[0].lowercased().trimmingSpaces.filter { $0 != "\u{FEFF}" }
            let value = String(parts[2]).trimmingSpaces
            switch (name, parts[1]) {
            case ("full address", "s"): file.fullAddress = value
            case ("server port", "i"): file.serverPort = UInt16(value)
            case ("gatewayhostname", "s"): file.gatewayHostname = value.isEmpty ? nil : value
            case ("gatewayusagemethod", "i"): file.gatewayUsageMethod = Int(value)
            case ("gatewaycredentialssource", "i"): file.gatewayCredentialsSource = Int(value)
            case ("gatewayprofileusagemethod", "i"): file.gatewayProfileUsageMethod = Int(value)
            case ("authentication level", "i"): file.authenticationLevel = Int(value)
            case ("enablecredsspsupport", "i"): file.enableCredSSPSupport = Int(value)
            case ("username", "s"): file.username = value.isEmpty ? nil : value
            default: continue
            }
        }
        return file
    }

    /// Every non-blank line of the file as written, numbered from 1, for the
    /// lint rules: settings the client would ignore are kept too. Bounded by
    /// `maximumSize` like `parse`.
    public static func lines(_ bytes: [UInt8]) throws(TargetError) -> [RDPFileLine] {
        guard bytes.count <= maximumSize else { throw TargetError("the .rdp file is larger than \(maximumSize / 1024) KiB") }
        let text = try decodeText(bytes)
        var lines: [RDPFileLine] = []
        // "\r\n" is one Character, so CR LF counts as one line end here.
        for (index, raw) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let written = String(raw).filter { $0 != "\u{FEFF}" }
            guard !written.trimmingSpaces.isEmpty else { continue }
            let parts = written.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            let setting =
                parts.count == 3
                ? RDPFileLine.Setting(
                    name: String(parts[0]).trimmingSpaces, type: String(parts[1]).trimmingSpaces,
                    value: String(parts[2]).trimmingSpaces)
                : nil
            lines.append(RDPFileLine(number: index + 1, text: written, setting: setting))
        }
        return lines
    }

    static func decodeText(_ bytes: [UInt8]) throws(TargetError) -> String {
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) {
            let little = bytes[0] == 0xFF
            guard bytes.count % 2 == 0 else { throw TargetError("the .rdp file is truncated UTF-16") }
            var units: [UInt16] = []
            units.reserveCapacity(bytes.count / 2)
            var i = 2
            while i + 1 < bytes.count {
                units.append(
                    little
                        ? UInt16(bytes[i]) | UInt16(bytes[i + 1]) << 8
                        : UInt16(bytes[i]) << 8 | UInt16(bytes[i + 1]))
                i += 2
            }
            guard let text = String(validating: units, as: UTF16.self) else {
                throw TargetError("the .rdp file is not valid UTF-16 text")
            }
            return text
        }
        var body = bytes[...]
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
        guard let text = String(validating: body, as: UTF8.self) else {
            throw TargetError("the .rdp file is neither UTF-16 (with a byte-order mark) nor UTF-8 text")
        }
        return text
    }
}

/// One non-blank line of an .rdp file, kept as written.
public struct RDPFileLine: Sendable, Equatable, Codable {
    /// `name:type:value`, split at the first two colons (the value may hold more).
    public struct Setting: Sendable, Equatable, Codable {
        /// As written, spaces around it removed; clients compare names ignoring case.
        public let name: String
        /// The type letter as written: `i` integer, `s` string, `b` binary.
        public let type: String
        public let value: String

        public init(name: String, type: String, value: String) {
            self.name = name
            self.type = type
            self.value = value
        }

        /// The name as clients compare it.
        public var key: String { name.lowercased() }
    }

    /// 1 for the first line of the file.
    public let number: Int
    public let text: String
    /// Nil when the line is not `name:type:value`.
    public let setting: Setting?

    public init(number: Int, text: String, setting: Setting?) {
        self.number = number
        self.text = text
        self.setting = setting
    }
}
