// The configuration of `rdpdoctor serve` (docs/serve.md): which targets may be
// probed, how many at once, and the modules a scrape names. Parsed from YAML
// into values here; nothing is read from disk or the environment (the caller
// passes the text, and resolves credential references when a probe runs).

import CertificateAudit
import Foundation
import ProbeCore
import Yams

/// A configuration that cannot be used, with where and why.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// The whole `serve` configuration.
public struct ServiceConfig: Sendable, Equatable {
    /// Probes running at once; a request beyond them is answered 503.
    public var concurrency: Int
    /// Seconds taken off `X-Prometheus-Scrape-Timeout-Seconds` (blackbox_exporter's `--timeout-offset`).
    public var timeoutOffset: Double
    public var allow: AllowList
    /// By name, as `module=` names them.
    public var modules: [String: ProbeModule]

    public static let maximumConcurrency = 256
    /// The configuration file is read up to this size.
    public static let maximumSize = 1 << 20

    public init(concurrency: Int = 8, timeoutOffset: Double = 0.5, allow: AllowList, modules: [String: ProbeModule]) {
        self.concurrency = concurrency
        self.timeoutOffset = timeoutOffset
        self.allow = allow
        self.modules = modules
    }

    /// Reads a configuration from YAML text; every mistake is a `ConfigError` naming the key.
    public static func parse(yaml text: String) throws(ConfigError) -> ServiceConfig {
        guard text.utf8.count <= maximumSize else { throw ConfigError("the configuration is larger than 1 MiB") }
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else { throw ConfigError("the configuration is empty") }
            root = node
        } catch let error as ConfigError {
            throw error
        } catch {
            throw ConfigError("not valid YAML: \(error)")
        }
        let top = try YAMLMap(root, path: "the configuration")
        try top.only(["concurrency", "timeout_offset", "allow", "modules"])
        let concurrency = try top.int("concurrency") ?? 8
        guard (1...maximumConcurrency).contains(concurrency) else {
            throw ConfigError("concurrency must be between 1 and \(maximumConcurrency), not \(concurrency)")
        }
        let offset = try top.seconds("timeout_offset") ?? 0.5
        guard offset >= 0, offset < 60 else { throw ConfigError("timeout_offset must be between 0 and 60 seconds") }
        guard let allowNode = top["allow"] else {
            throw ConfigError("allow is missing: without an allow-list nothing may be probed (networks, hosts, ports)")
        }
        let allow = try AllowList.parse(YAMLMap(allowNode, path: "allow"))
        guard let modulesNode = top["modules"] else { throw ConfigError("modules is missing: name at least one module") }
        let modulesMap = try YAMLMap(modulesNode, path: "modules")
        var modules: [String: ProbeModule] = [:]
        for (name, node) in try modulesMap.entries() {
            guard ProbeModule.isValidName(name) else {
                throw ConfigError("module name \"\(name)\" may hold only letters, digits, _ and - (at most 64)")
            }
            modules[name] = try ProbeModule.parse(YAMLMap(node, path: "modules.\(name)"), name: name)
        }
        guard !modules.isEmpty else { throw ConfigError("modules is empty: name at least one module") }
        return ServiceConfig(concurrency: concurrency, timeoutOffset: offset, allow: allow, modules: modules)
    }
}

/// One way of probing, chosen per scrape with `module=`.
public struct ProbeModule: Sendable, Equatable {
    public var name: String
    /// The check's overall deadline in seconds (also the cap on a scrape's own timeout).
    public var timeout: Double
    /// Only the default client's walk (no per-protocol, per-TLS-version or UDP probes).
    public var quick: Bool
    /// A PEM file of CA certificates to trust besides the system store.
    public var caFile: String?
    /// Whether the system's CA bundle is trusted too.
    public var systemTrustStore: Bool
    /// The SHA-256 every TLS connection's leaf must have.
    public var certSHA256: [UInt8]?
    public var credentials: CredentialReference?
    /// Probe through this RD Gateway (check --gateway) rather than directly.
    public var gateway: GatewayReference?
    public var expect: Expectations

    public static let defaultTimeout = 5.0
    public static let maximumTimeout = 120.0

    public init(
        name: String, timeout: Double = ProbeModule.defaultTimeout, quick: Bool = false, caFile: String? = nil,
        systemTrustStore: Bool = true, certSHA256: [UInt8]? = nil, credentials: CredentialReference? = nil,
        expect: Expectations = .init()
    ) {
        self.name = name
        self.timeout = timeout
        self.quick = quick
        self.caFile = caFile
        self.systemTrustStore = systemTrustStore
        self.certSHA256 = certSHA256
        self.credentials = credentials
        self.expect = expect
    }

    static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 64
            && name.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_" || $0 == "-") }
    }

    static func parse(_ map: YAMLMap, name: String) throws(ConfigError) -> ProbeModule {
        try map.only(["timeout", "quick", "ca_file", "system_trust_store", "cert_sha256", "credentials", "gateway", "expect"])
        var module = ProbeModule(name: name)
        if let timeout = try map.seconds("timeout") {
            guard timeout > 0, timeout <= maximumTimeout else {
                throw ConfigError("\(map.path).timeout must be more than 0 and at most \(Int(maximumTimeout)) s")
            }
            module.timeout = timeout
        }
        module.quick = try map.bool("quick") ?? false
        module.caFile = try map.string("ca_file")
        module.systemTrustStore = try map.bool("system_trust_store") ?? true
        if let pin = try map.string("cert_sha256") {
            guard let bytes = HexText.bytes(pin), bytes.count == 32 else {
                throw ConfigError("\(map.path).cert_sha256 must be 64 hex digits (colons allowed)")
            }
            module.certSHA256 = bytes
        }
        if let node = map["credentials"] {
            module.credentials = try CredentialReference.parse(YAMLMap(node, path: "\(map.path).credentials"))
        }
        if let node = map["gateway"] {
            module.gateway = try GatewayReference.parse(YAMLMap(node, path: "\(map.path).gateway"))
        }
        if let node = map["expect"] {
            module.expect = try Expectations.parse(YAMLMap(node, path: "\(map.path).expect"))
        }
        return module
    }
}

/// The account a module checks over NLA; its password only by reference.
public struct CredentialReference: Sendable, Equatable, CustomStringConvertible {
    public enum Source: Sendable, Equatable {
        /// An environment variable of the serve process.
        case environment(String)
        /// A file (its first line; at most 4 KiB).
        case file(String)
    }
    /// `DOMAIN\user`, `user@domain` or `user`.
    public var account: String
    public var source: Source
    /// Also send the credentials (TSCredentials) and log on.
    public var logon: Bool
    /// Try the account on a certificate that is neither trusted nor pinned.
    public var insecure: Bool

    public var description: String {
        switch source {
        case .environment(let name): "\(account) (password from $\(name))"
        case .file(let path): "\(account) (password from \(path))"
        }
    }

    static func parse(_ map: YAMLMap) throws(ConfigError) -> CredentialReference {
        try map.only(["user", "password_env", "password_file", "password", "logon", "insecure"])
        guard let account = try map.string("user"), !ProbeCore.CredentialSettings.splitAccount(account).user.isEmpty else {
            throw ConfigError("\(map.path).user is missing")
        }
        guard let source = try source(map) else {
            throw ConfigError("\(map.path) needs exactly one of password_env and password_file")
        }
        return CredentialReference(
            account: account, source: source, logon: try map.bool("logon") ?? false,
            insecure: try map.bool("insecure") ?? false)
    }

    /// `password_env` or `password_file` (nil when neither is given; both is an error).
    static func source(_ map: YAMLMap) throws(ConfigError) -> Source? {
        if map["password"] != nil {
            throw ConfigError(
                "\(map.path).password: a password is never written in the configuration; "
                    + "use password_env (an environment variable) or password_file")
        }
        switch (try map.string("password_env"), try map.string("password_file")) {
        case (nil, nil):
            return nil
        case (let name?, nil):
            guard !name.isEmpty else { throw ConfigError("\(map.path).password_env is empty") }
            return .environment(name)
        case (nil, let path?):
            guard !path.isEmpty else { throw ConfigError("\(map.path).password_file is empty") }
            return .file(path)
        default:
            throw ConfigError("\(map.path) needs exactly one of password_env and password_file")
        }
    }
}

/// The RD Gateway a module probes through (`check --gateway`), with its
/// account by reference. Without `user`, the module's `credentials` account
/// (if any) goes to the gateway too, as the clients' "use my RD Gateway
/// credentials for the remote computer" does the other way round.
public struct GatewayReference: Sendable, Equatable, CustomStringConvertible {
    /// HOST[:PORT], 443 by default.
    public var address: Target
    public var account: String?
    public var source: CredentialReference.Source?
    /// Send the NTLM AUTHENTICATE even when the gateway's certificate is not trusted.
    public var insecure: Bool

    public var description: String {
        guard let account, let source else { return "\(address.host):\(address.port)" }
        return "\(address.host):\(address.port) as " + CredentialReference(account: account, source: source, logon: false, insecure: false).description
    }

    static func parse(_ map: YAMLMap) throws(ConfigError) -> GatewayReference {
        try map.only(["address", "user", "password_env", "password_file", "password", "insecure"])
        guard let text = try map.string("address"), !text.isEmpty else {
            throw ConfigError("\(map.path).address is missing (HOST[:PORT] of the RD Gateway)")
        }
        let address: Target
        do {
            address = try Target.parse(text, portDefault: 443)
        } catch {
            throw ConfigError("\(map.path).address: \(error.description)")
        }
        let account = try map.string("user")
        let source = try CredentialReference.source(map)
        if let account {
            guard !ProbeCore.CredentialSettings.splitAccount(account).user.isEmpty else {
                throw ConfigError("\(map.path).user has no account name")
            }
            guard source != nil else { throw ConfigError("\(map.path) needs password_env or password_file for its user") }
        } else if source != nil {
            throw ConfigError("\(map.path): a password without a user")
        }
        return GatewayReference(address: address, account: account, source: source, insecure: try map.bool("insecure") ?? false)
    }
}

/// What a module expects of the server's security; an unmet expectation fails the probe.
public struct Expectations: Sendable, Equatable {
    /// NLA (CredSSP) must be required (`true`) or must not be (`false`).
    public var nlaRequired: Bool?
    /// The lowest TLS version the server may accept.
    public var minimumTLS: TLSProtocolVersion?
    /// Standard RDP security must (`true`) or must not (`false`) be accepted.
    public var standardRDPSecurity: Bool?
    /// The certificate must be trusted for the name.
    public var trustedCertificate: Bool?

    public init(
        nlaRequired: Bool? = nil, minimumTLS: TLSProtocolVersion? = nil, standardRDPSecurity: Bool? = nil,
        trustedCertificate: Bool? = nil
    ) {
        self.nlaRequired = nlaRequired
        self.minimumTLS = minimumTLS
        self.standardRDPSecurity = standardRDPSecurity
        self.trustedCertificate = trustedCertificate
    }

    public var isEmpty: Bool { self == Expectations() }

    static func parse(_ map: YAMLMap) throws(ConfigError) -> Expectations {
        try map.only(["nla_required", "min_tls", "standard_rdp_security", "trusted_certificate"])
        var expect = Expectations()
        expect.nlaRequired = try map.bool("nla_required")
        expect.standardRDPSecurity = try map.bool("standard_rdp_security")
        expect.trustedCertificate = try map.bool("trusted_certificate")
        if let text = try map.string("min_tls") {
            let normalized = text.uppercased().replacingOccurrences(of: "TLS", with: "").trimmingCharacters(in: .whitespaces)
            guard let version = TLSProtocolVersion.allCases.first(where: { $0.rawValue == "TLS \(normalized)" }) else {
                throw ConfigError("\(map.path).min_tls must be one of 1.0, 1.1, 1.2, 1.3, not \"\(text)\"")
            }
            expect.minimumTLS = version
        }
        return expect
    }
}

/// Hex digits, with optional colons or spaces between bytes.
enum HexText {
    static func bytes(_ text: String) -> [UInt8]? {
        let digits = text.filter { $0 != ":" && $0 != " " }
        guard digits.count % 2 == 0, !digits.isEmpty else { return nil }
        var bytes: [UInt8] = []
        var index = digits.startIndex
        while index < digits.endIndex {
            let next = digits.index(index, offsetBy: 2)
            guard let byte = UInt8(digits[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        return bytes
    }
}

/// A YAML mapping with the checks every section needs: only known keys, typed values.
struct YAMLMap {
    let path: String
    private let pairs: [(String, Node)]

    init(_ node: Node, path: String) throws(ConfigError) {
        guard let mapping = node.mapping else { throw ConfigError("\(path) must be a mapping (key: value lines)") }
        var pairs: [(String, Node)] = []
        for (key, value) in mapping {
            guard let name = key.string else { throw ConfigError("\(path): a key is not text") }
            guard !pairs.contains(where: { $0.0 == name }) else { throw ConfigError("\(path).\(name) is given twice") }
            pairs.append((name, value))
        }
        self.path = path
        self.pairs = pairs
    }

    subscript(key: String) -> Node? { pairs.first { $0.0 == key }?.1 }

    func entries() throws(ConfigError) -> [(String, Node)] { pairs }

    func only(_ known: [String]) throws(ConfigError) {
        for (key, _) in pairs where !known.contains(key) {
            throw ConfigError("\(path).\(key) is not a known setting (known: \(known.joined(separator: ", ")))")
        }
    }

    func scalar(_ key: String) throws(ConfigError) -> String? {
        guard let node = self[key] else { return nil }
        guard case .scalar(let scalar) = node else { throw ConfigError("\(path).\(key) must be a single value") }
        return scalar.string
    }

    func string(_ key: String) throws(ConfigError) -> String? { try scalar(key) }

    func int(_ key: String) throws(ConfigError) -> Int? {
        guard let text = try scalar(key) else { return nil }
        guard let value = Int(text) else { throw ConfigError("\(path).\(key) must be a whole number, not \"\(text)\"") }
        return value
    }

    func bool(_ key: String) throws(ConfigError) -> Bool? {
        guard let text = try scalar(key) else { return nil }
        switch text.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw ConfigError("\(path).\(key) must be true or false, not \"\(text)\"")
        }
    }

    /// `5`, `2.5`, `5s`, `500ms` or `1m`: seconds.
    func seconds(_ key: String) throws(ConfigError) -> Double? {
        guard let text = try scalar(key) else { return nil }
        guard let value = DurationText.seconds(text) else {
            throw ConfigError("\(path).\(key) must be a duration such as 5s, 500ms or 1m, not \"\(text)\"")
        }
        return value
    }

    func list(_ key: String) throws(ConfigError) -> [String]? {
        guard let node = self[key] else { return nil }
        guard case .sequence(let sequence) = node else { throw ConfigError("\(path).\(key) must be a list") }
        var values: [String] = []
        for item in sequence {
            guard case .scalar(let scalar) = item else { throw ConfigError("\(path).\(key): every item must be a single value") }
            values.append(scalar.string)
        }
        return values
    }
}

enum DurationText {
    static func seconds(_ text: String) -> Double? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60)]
        for (suffix, factor) in units where trimmed.hasSuffix(suffix) {
            guard let number = Double(trimmed.dropLast(suffix.count)), number.isFinite else { return nil }
            return number * factor
        }
        guard let number = Double(trimmed), number.isFinite else { return nil }
        return number
    }
}
