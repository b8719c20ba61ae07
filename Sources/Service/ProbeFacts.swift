// What one check says about the things a monitor watches, read from the
// report's typed records (finding ids, observations, the certificate audit):
// never from rendered text. The metrics and the module expectations use it.

import CertificateAudit
import Diagnosis
import ProbeCore
import RDPProtocol

public struct ProbeFacts: Sendable, Equatable {
    /// NLA is required (true), optional or absent (false); nil when the probes could not tell.
    public var nlaRequired: Bool?
    /// Standard RDP security (PROTOCOL_RDP) is accepted; nil when not probed or no answer.
    public var standardSecurityAccepted: Bool?
    /// Each TLS version probed with an answer: accepted or not.
    public var tlsAccepted: [TLSProtocolVersion: Bool]
    /// The protocol the default client's request made the server select.
    public var selectedProtocol: SelectedProtocol?
    /// The TLS version of the default client's handshake.
    public var negotiatedTLS: TLSProtocolVersion?
    /// With credentials: how the account fared.
    public var credentialOutcome: CredentialOutcome?
    /// The UDP transport answered (nil when not probed).
    public var udpAvailable: Bool?
    /// The MTU search's estimate, when the default walk stalled.
    public var pathMTU: Int?
    /// The kernel's smoothed round trip of the default walk (TCP_INFO), seconds.
    public var rttSeconds: Double?
    /// The default walk's step durations, seconds, in connection order.
    public var stepSeconds: [(Step, Double)]
    /// The certificate is trusted for the name / the name matches.
    public var certificateTrusted: Bool?
    public var certificateNameMatches: Bool?

    public static func == (lhs: ProbeFacts, rhs: ProbeFacts) -> Bool {
        lhs.nlaRequired == rhs.nlaRequired && lhs.standardSecurityAccepted == rhs.standardSecurityAccepted
            && lhs.tlsAccepted == rhs.tlsAccepted && lhs.selectedProtocol == rhs.selectedProtocol
            && lhs.negotiatedTLS == rhs.negotiatedTLS && lhs.credentialOutcome == rhs.credentialOutcome
            && lhs.udpAvailable == rhs.udpAvailable && lhs.pathMTU == rhs.pathMTU && lhs.rttSeconds == rhs.rttSeconds
            && lhs.stepSeconds.map(\.0) == rhs.stepSeconds.map(\.0) && lhs.stepSeconds.map(\.1) == rhs.stepSeconds.map(\.1)
            && lhs.certificateTrusted == rhs.certificateTrusted && lhs.certificateNameMatches == rhs.certificateNameMatches
    }

    public enum SelectedProtocol: String, Sendable, CaseIterable {
        case rdp, ssl, hybrid, rdstls
        case hybridEx = "hybrid_ex"
        case rdsaad, other

        /// The label of each single protocol a server can select; anything
        /// else is `other`, which keeps the label set bounded.
        private static let labels: [SecurityProtocols: SelectedProtocol] = [
            .rdp: .rdp, .ssl: .ssl, .hybrid: .hybrid, .rdstls: .rdstls, .hybridEx: .hybridEx, .rdsaad: .rdsaad,
        ]

        init(_ value: SecurityProtocols) {
            self = Self.labels[value] ?? .other
        }
    }

    public enum CredentialOutcome: String, Sendable, CaseIterable {
        case accepted, rejected, withheld
        case notReached = "not_reached"
        case notSent = "not_sent"
        case denied
        case serverKeyMismatch = "server_key_mismatch"
        case closed
        case ntlmUnavailable = "ntlm_unavailable"
        case unknown
    }

    static let credentialFindings: [(FindingID, CredentialOutcome)] = [
        (.credsspAccepted, .accepted), (.credsspRejected, .rejected), (.credsspEarlyAuthorizationDenied, .denied),
        (.credsspServerKeyMismatch, .serverKeyMismatch), (.credsspClosedAfterAuthenticate, .closed),
        (.credsspNtlmUnavailable, .ntlmUnavailable), (.credsspAccountNotTried, .withheld),
        (.credsspNotSent, .notSent), (.credsspNotReached, .notReached),
    ]

    public init(_ report: CheckReport) {
        let o = report.observations
        let ids = Set(report.findings.map(\.id))
        if ids.contains(.x224NlaRequired) {
            nlaRequired = true
        } else if ids.contains(.x224NlaOptional) || ids.contains(.x224NoNla) || ids.contains(.x224RdpSecurityOnly) {
            nlaRequired = false
        }
        let defaultProbe = o.defaultClient
        if let selected = defaultProbe?.negotiation?.selectedProtocol {
            selectedProtocol = SelectedProtocol(selected)
        }
        // PROTOCOL_RDP asked for alone: selected means accepted; any other answer refuses it.
        if let answer = o.negotiation(requested: .rdp)?.negotiation {
            standardSecurityAccepted = answer.selectedProtocol == .rdp
        } else if selectedProtocol == .rdp {
            standardSecurityAccepted = true
        }
        negotiatedTLS = defaultProbe?.tls?.version
        var tls: [TLSProtocolVersion: Bool] = [:]
        for version in TLSProtocolVersion.allCases {
            guard let probe = o.tlsProbe(version) else { continue }
            if probe.tls != nil || version == negotiatedTLS {
                tls[version] = true
            } else if case .selected(let selected, _) = probe.negotiation, selected != .rdp, !probe.end.isNoAnswer {
                tls[version] = false
            }
        }
        if let negotiatedTLS, tls[negotiatedTLS] == nil { tls[negotiatedTLS] = true }
        tlsAccepted = tls
        if o.credentialCheck != nil {
            credentialOutcome = Self.credentialFindings.first { ids.contains($0.0) }?.1 ?? .unknown
        }
        if let udp = o.udp {
            switch udp.outcome {
            case .noAnswer: udpAvailable = nil
            default: udpAvailable = udp.udpAvailable
            }
        }
        pathMTU = o.mtuSearch?.estimatedPathMTU
        if let rtt = defaultProbe?.tcp?.rttMs, rtt > 0 { rttSeconds = rtt / 1000 }
        stepSeconds = (defaultProbe?.timings ?? []).compactMap { timing in
            timing.durationMs.map { (timing.step, $0 / 1000) }
        }
        if let dns = o.resolution, !dns.literal, dns.error == nil {
            stepSeconds.insert((.dns, dns.durationMs / 1000), at: 0)
        }
        if let certificate = report.certificate {
            certificateTrusted = certificate.trust.status == .trusted
            certificateNameMatches = certificate.nameMatches
        }
    }
}

/// One module expectation and whether the check met it (nil: could not tell, which fails the probe).
public struct ExpectationResult: Sendable, Equatable {
    public let name: String
    public let met: Bool?

    public static func evaluate(_ expect: Expectations, facts: ProbeFacts) -> [ExpectationResult] {
        var results: [ExpectationResult] = []
        if let wanted = expect.nlaRequired {
            results.append(.init(name: "nla_required", met: facts.nlaRequired.map { $0 == wanted }))
        }
        if let wanted = expect.standardRDPSecurity {
            results.append(.init(name: "standard_rdp_security", met: facts.standardSecurityAccepted.map { $0 == wanted }))
        }
        if let minimum = expect.minimumTLS {
            let accepted = facts.tlsAccepted.filter(\.value).map(\.key)
            // Met when no version below the minimum is accepted and one at or above it is.
            let met: Bool? = accepted.isEmpty ? nil : !accepted.contains { $0 < minimum } && accepted.contains { $0 >= minimum }
            results.append(.init(name: "min_tls", met: met))
        }
        if let wanted = expect.trustedCertificate {
            results.append(
                .init(
                    name: "trusted_certificate",
                    met: facts.certificateTrusted.map { ($0 && facts.certificateNameMatches == true) == wanted }))
        }
        return results
    }
}
