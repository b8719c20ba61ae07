import ProbeCore
import RDPProtocol

/// Words for wire values, shared by the rules.
enum Names {
    static func securityProtocol(_ value: UInt32) -> String {
        switch value {
        case 0: "standard RDP security"
        case SecurityProtocols.ssl.rawValue: "TLS"
        case SecurityProtocols.hybrid.rawValue: "CredSSP (NLA)"
        case SecurityProtocols.rdstls.rawValue: "RDSTLS"
        case SecurityProtocols.hybridEx.rawValue: "CredSSP with early user authorization (HYBRID_EX)"
        case SecurityProtocols.rdsaad.rawValue: "RDSAAD (Entra ID authentication)"
        default: "protocol 0x" + String(value, radix: 16)
        }
    }

    /// "TLS | CredSSP (NLA)" for a requested set.
    static func requested(_ value: UInt32) -> String {
        if value == 0 { return securityProtocol(0) }
        let bits: [UInt32] = [0x1, 0x2, 0x4, 0x8, 0x10]
        return bits.filter { value & $0 != 0 }.map(securityProtocol).joined(separator: " | ")
    }

    static func negotiationFlags(_ flags: UInt8) -> [String] {
        let known: [(UInt8, String)] = [
            (0x01, "extended client data supported"), (0x02, "graphics pipeline (GFX) supported"),
            (0x08, "restricted admin mode supported"), (0x10, "redirected authentication (Remote Credential Guard) supported"),
        ]
        return known.filter { flags & $0.0 != 0 }.map(\.1)
    }

    static func encryptionMethod(_ value: UInt32) -> String {
        switch value {
        case 0: "none"
        case 0x1: "40-bit RC4"
        case 0x2: "128-bit RC4"
        case 0x8: "56-bit RC4"
        case 0x10: "FIPS (3DES)"
        default: "method 0x" + String(value, radix: 16)
        }
    }

    static func encryptionLevel(_ value: UInt32) -> String {
        switch value {
        case 0: "none"
        case 1: "low (client to server only)"
        case 2: "client compatible"
        case 3: "high"
        case 4: "FIPS"
        default: "level \(value)"
        }
    }

    /// The RDP version in the server core data, with the Windows releases that send it.
    static func rdpVersion(_ value: UInt32) -> String {
        let table: [UInt32: String] = [
            0x0008_0001: "RDP 4.0 (Windows NT 4.0 Terminal Server)",
            0x0008_0004: "RDP 5.0 to 8.1 (Windows 2000 to Windows 8.1 / Server 2012 R2, or a non-Microsoft server)",
            0x0008_0005: "RDP 10.0 (Windows 10 1507)", 0x0008_0006: "RDP 10.1 (Windows 10 1607 / Server 2016)",
            0x0008_0007: "RDP 10.2 (Windows 10 1703)", 0x0008_0008: "RDP 10.3 (Windows 10 1709)",
            0x0008_0009: "RDP 10.4 (Windows 10 1803)", 0x0008_000A: "RDP 10.5 (Windows 10 1809 / Server 2019)",
            0x0008_000B: "RDP 10.6 (Windows 10 1903)", 0x0008_000C: "RDP 10.7 (Windows 10 2004 and later)",
            0x0008_000D: "RDP 10.8", 0x0008_000E: "RDP 10.9", 0x0008_000F: "RDP 10.10",
            0x0008_0010: "RDP 10.11", 0x0008_0011: "RDP 10.12 (Windows 11 / Server 2022 and later)",
        ]
        return table[value] ?? "version 0x" + String(value, radix: 16)
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

    /// How a probe ended, with how long it waited when nothing came.
    static func end(of probe: ProbeRecord) -> String {
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
        let majors: [UInt16: String] = [1: "Windows", 2: "OS/2", 3: "Macintosh", 4: "UNIX", 5: "iOS", 6: "OS X",
                                        7: "Android", 8: "Chrome OS"]
        let minors: [UInt16: String] = [1: "Windows 3.1x", 2: "Windows 95", 3: "Windows NT", 4: "OS/2 2.1", 5: "PowerPC",
                                        6: "Macintosh", 7: "a native X server", 8: "a pseudo X server", 9: "Windows RT"]
        let base = majors[major] ?? "platform \(major)"
        guard let minor, minor != 0 else { return base }
        return "\(base) (\(minors[minor] ?? "type \(minor)"))"
    }

    /// Which probe connection, in words.
    static func purpose(_ purpose: ProbePurpose) -> String {
        switch purpose {
        case .defaultClient: "the default client's walk"
        case .credentials: "the account's connection"
        case .smallSegments: "the walk with small TCP segments"
        case .negotiation(let raw): "the request for \(requested(raw))"
        case .tlsVersion(let version): "the \(version.rawValue) handshake"
        case .mtuTry(let mss): "the \(mss)-byte segment try"
        }
    }

    static func ms(_ value: Double) -> String {
        value < 10 ? String(format1(value)) + " ms" : "\(Int(value.rounded())) ms"
    }

    private static func format1(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }
}
