import Catalogue
import ProbeCore
import RDPProtocol

/// Words for wire values, shared by the rules and the renderers.
public enum Names {
    /// Words for wire values come from the catalogue (wirenames.json).
    private static func wire<Value: RawRepresentable>(_ table: WireTable, _ value: Value, otherwise: String) -> String
    where Value.RawValue: BinaryInteger {
        Catalogue.current.wireName(table, value.rawValue) ?? otherwise
    }

    static func securityProtocol(_ value: SecurityProtocols) -> String {
        wire(.securityProtocol, value, otherwise: "protocol 0x" + String(value.rawValue, radix: 16))
    }

    /// "TLS | CredSSP (NLA)" for a requested set.
    public static func requested(_ value: SecurityProtocols) -> String {
        if value == .rdp { return securityProtocol(.rdp) }
        return (0..<32).map { SecurityProtocols(rawValue: 1 << $0) }.filter { value.contains($0) }
            .map(securityProtocol).joined(separator: " | ")
    }

    static func negotiationFlags(_ flags: NegotiationResponseFlags) -> [String] {
        (0..<8).map { NegotiationResponseFlags(rawValue: 1 << $0) }.filter { flags.contains($0) }
            .compactMap { Catalogue.current.wireName(.negotiationFlag, $0.rawValue) }
    }

    static func encryptionMethod(_ value: EncryptionMethods) -> String {
        wire(.encryptionMethod, value, otherwise: "method 0x" + String(value.rawValue, radix: 16))
    }

    static func encryptionLevel(_ value: EncryptionLevel) -> String {
        wire(.encryptionLevel, value, otherwise: "level \(value.rawValue)")
    }

    /// The RDP version in the server core data, with the Windows releases that send it.
    static func rdpVersion(_ value: RDPVersion) -> String {
        wire(.rdpVersion, value, otherwise: "version 0x" + String(value.rawValue, radix: 16))
    }

    static func step(_ step: Step) -> String {
        switch step {
        case .dns: "name resolution"
        case .tcp: "the TCP connection"
        case .x224: "the X.224 security negotiation"
        case .tls: "the TLS handshake"
        case .credssp: "CredSSP (NLA)"
        case .mcs: "the MCS connect exchange"
        case .channels: "MCS domain and channel setup"
        case .security: "the RDP security exchange"
        case .licensing: "licensing"
        case .capabilities: "capability exchange"
        }
    }

    /// An RD Gateway step as reports name it: MS-TSGU's packet names where there is one.
    static func gatewayStep(_ step: GatewayObservation.Step) -> String {
        switch step {
        case .tcp: "the TCP connection"
        case .tls: "the TLS handshake"
        case .http: "the HTTP request (RDG_OUT_DATA)"
        case .authentication: "HTTP authentication"
        case .handshake: "the HANDSHAKE"
        case .tunnelCreate: "TUNNEL_CREATE"
        case .tunnelAuth: "TUNNEL_AUTH"
        case .channelCreate: "CHANNEL_CREATE"
        case .channel: "the channel"
        }
    }

    static func end(_ end: ConnectionEnd) -> String {
        switch end {
        case .completed: "completed"
        case .refused: "the connection was refused (TCP reset)"
        case .unreachable(let reason): "the host could not be reached (\(reason))"
        case let .peerClosed(kind, step, waiting):
            "the server \(kind == .reset ? "reset" : "closed") the connection during \(Self.step(step)) while rdpdoctor waited for \(waiting)"
        case let .timedOut(step, waiting): "nothing arrived during \(Self.step(step)): rdpdoctor waited for \(waiting)"
        case let .protocolError(step, message): "during \(Self.step(step)): \(message)"
        case .tlsFailed(let reason): "the TLS handshake failed: \(reason)"
        case .localError(let reason): "rdpdoctor failed locally: \(reason)"
        case .notStarted: "not started: the check's deadline came first"
        }
    }

    /// What a probe waited for, with the server's MCS Disconnect Provider
    /// Ultimatum when it ended the connection with one.
    static func waitingFor(_ waiting: Awaiting, in probe: ProbeRecord) -> String {
        guard let reason = probe.session?.disconnectReason else { return waiting.description }
        return "\(waiting) (the server sent MCS Disconnect Provider Ultimatum, reason \(reason.name ?? String(reason.rawValue)))"
    }

    /// How a probe ended, with how long it waited when nothing came.
    static func end(of probe: ProbeRecord) -> String {
        if case let .peerClosed(kind, step, waiting) = probe.end {
            return
                "the server \(kind == .reset ? "reset" : "closed") the connection during \(Self.step(step)) while rdpdoctor waited for \(waitingFor(waiting, in: probe))"
        }
        if case let .timedOut(step, _) = probe.end, let waited = waited(probe) {
            return "not determined: no answer during \(Self.step(step)) within \(ms(waited))"
        }
        if case .notStarted = probe.end { return "not determined: the check's deadline came before it could start" }
        return end(probe.end)
    }

    /// How long a probe that timed out waited in its last step.
    static func waited(_ probe: ProbeRecord) -> Double? {
        guard case .timedOut = probe.end else { return nil }
        let start = probe.timings.last?.startMs ?? 0
        return max(0, probe.totalMs - start)
    }

    /// osMajorType 4: UNIX (MS-RDPBCGR 2.2.7.1.1).
    static let unixOS: UInt16 = 4

    /// The General capability set's platform, as the server states it.
    static func serverOS(major: UInt16?, minor: UInt16?) -> String? {
        guard let major, major != 0 else { return nil }
        let base = Catalogue.current.wireName(.osMajor, major) ?? "platform \(major)"
        guard let minor, minor != 0 else { return base }
        return "\(base) (\(Catalogue.current.wireName(.osMinor, minor) ?? "type \(minor)"))"
    }

    /// Which probe connection, in words.
    static func purpose(_ purpose: ProbePurpose) -> String {
        switch purpose {
        case .defaultClient: "the default client's walk"
        case .credentials: "the account's connection"
        case .smallSegments: "the walk with small TCP segments"
        case .negotiation(let protocols): "the request for \(requested(protocols))"
        case .tlsVersion(let version): "the \(version.rawValue) handshake"
        case .mtuTry(let mss): "the \(mss)-byte segment try"
        }
    }

    public static func ms(_ value: Double) -> String {
        value < 10 ? String(format1(value)) + " ms" : "\(Int(value.rounded())) ms"
    }

    private static func format1(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }
}
