// Which targets `serve` may probe. A probe service is an SSRF tool unless
// restricted: everything not allowed here is refused before any connection,
// and a name's resolved addresses are checked again (no rebinding).

import CertificateAudit
import Foundation
import ProbeCore

/// An address block: `127.0.0.0/8`, `::1/128`, or one address.
public struct CIDR: Sendable, Equatable, CustomStringConvertible {
    public let network: [UInt8]
    public let prefixLength: Int

    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = IPAddress.parse(String(parts[0])), !parts[0].contains("%") else { return nil }
        let bits = address.count * 8
        var length = bits
        if parts.count == 2 {
            guard let value = Int(parts[1]), (0...bits).contains(value), parts[1].allSatisfy(\.isASCII) else { return nil }
            length = value
        }
        network = Self.masked(address, length)
        prefixLength = length
    }

    static func masked(_ address: [UInt8], _ length: Int) -> [UInt8] {
        address.enumerated().map { index, byte in
            let keep = max(0, min(8, length - index * 8))
            return keep == 8 ? byte : byte & UInt8(truncatingIfNeeded: 0xFF << (8 - keep))
        }
    }

    /// Whether `address` (4 or 16 bytes) lies in the block. An IPv4-mapped IPv6
    /// address (`::ffff:127.0.0.1`) is judged as the IPv4 address it carries.
    public func contains(_ address: [UInt8]) -> Bool {
        var address = address
        if address.count == 16, network.count == 4, address[0..<10].allSatisfy({ $0 == 0 }),
            address[10] == 0xFF, address[11] == 0xFF
        {
            address = Array(address[12...])
        }
        guard address.count == network.count else { return false }
        return Self.masked(address, prefixLength) == network
    }

    /// The number of addresses in the block, capped at `Int.max`.
    public var size: Int {
        let hostBits = network.count * 8 - prefixLength
        return hostBits >= 62 ? Int.max : 1 << hostBits
    }

    public var description: String { "\(IPAddress.text(network))/\(prefixLength)" }
}

/// A port or an inclusive range of ports: `3389`, `33890-33940`.
public struct PortRange: Sendable, Equatable, CustomStringConvertible {
    public let range: ClosedRange<UInt16>

    public init?(_ text: String) {
        let parts = text.split(separator: "-", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
        guard let low = parts.first.flatMap({ UInt16($0) }), low > 0 else { return nil }
        let high = parts.count == 2 ? UInt16(parts[1]) : low
        guard let high, high >= low else { return nil }
        range = low...high
    }

    public var description: String { range.lowerBound == range.upperBound ? "\(range.lowerBound)" : "\(range.lowerBound)-\(range.upperBound)" }
}

/// The targets `serve` may probe: default deny.
///
/// - An IP literal is allowed when it lies in `networks` and its port in `ports`.
/// - A name is allowed when it matches `hosts` (exactly, case-insensitively, or
///   under a `*.domain` pattern) and its port is in `ports`; then every address
///   it resolves to must also lie in `networks`, checked by the runner on the
///   very addresses it connects to (`admits(addresses:)`).
public struct AllowList: Sendable, Equatable {
    public var networks: [CIDR]
    public var hosts: [String]
    public var ports: [PortRange]

    public init(networks: [CIDR], hosts: [String] = [], ports: [PortRange]) {
        self.networks = networks
        self.hosts = hosts.map { $0.lowercased() }
        self.ports = ports
    }

    public enum Decision: Sendable, Equatable {
        /// Allowed; for a name, its resolved addresses still have to pass `admits(addresses:)`.
        case allowed
        case refused(String)
    }

    public func admits(_ target: Target) -> Decision {
        guard ports.contains(where: { $0.range.contains(target.port) }) else {
            return .refused("port \(target.port) is not in the allow-list")
        }
        if let address = IPAddress.parse(target.host) {
            return networks.contains(where: { $0.contains(address) })
                ? .allowed : .refused("\(target.host) is not in an allowed network")
        }
        let name = target.host.lowercased().trimmingSuffix(".")
        let matches = hosts.contains { pattern in
            if pattern.hasPrefix("*.") {
                let domain = pattern.dropFirst(1)  // ".example.com"
                return name.hasSuffix(domain) && name.count > domain.count
            }
            return pattern == name
        }
        return matches ? .allowed : .refused("the name \(target.host) is not in the allow-list")
    }

    /// The check after name resolution: every address a name resolved to must
    /// lie in an allowed network (one outside refuses them all).
    public func admits(addresses: [String]) -> Decision {
        guard !addresses.isEmpty else { return .refused("no address") }
        for text in addresses {
            guard let address = IPAddress.parse(text), networks.contains(where: { $0.contains(address) }) else {
                return .refused("the name resolved to \(text), which is not in an allowed network")
            }
        }
        return .allowed
    }

    static func parse(_ map: YAMLMap) throws(ConfigError) -> AllowList {
        try map.only(["networks", "hosts", "ports"])
        var networks: [CIDR] = []
        for text in try map.list("networks") ?? [] {
            guard let cidr = CIDR(text) else { throw ConfigError("allow.networks: \"\(text)\" is not an address or CIDR block") }
            networks.append(cidr)
        }
        let hosts = try map.list("hosts") ?? []
        for host in hosts where host.isEmpty || host.contains("/") || host.contains(":") || host.dropFirst(2).contains("*") {
            throw ConfigError("allow.hosts: \"\(host)\" is not a host name or *.domain pattern")
        }
        guard let portTexts = try map.list("ports"), !portTexts.isEmpty else {
            throw ConfigError("allow.ports is missing: list the ports that may be probed (3389, 33890-33940)")
        }
        var ports: [PortRange] = []
        for text in portTexts {
            guard let range = PortRange(text) else { throw ConfigError("allow.ports: \"\(text)\" is not a port or range") }
            ports.append(range)
        }
        guard !networks.isEmpty else {
            throw ConfigError("allow.networks is missing or empty: list the address blocks that may be probed (also for names)")
        }
        return AllowList(networks: networks, hosts: hosts, ports: ports)
    }
}

extension String {
    func trimmingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}
