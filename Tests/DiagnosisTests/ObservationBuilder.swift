import Catalogue
import Diagnosis
import Foundation
import ProbeCore
import RDPProtocol
import Testing

/// Security protocol sets (MS-RDPBCGR 2.2.1.1.1 RDP_NEG_REQ requestedProtocols)
/// the scenarios use.
enum Proto {
    static let rdp = SecurityProtocols.rdp
    static let ssl = SecurityProtocols.ssl
    static let hybrid = SecurityProtocols.hybrid
    static let rdstls = SecurityProtocols.rdstls
    static let hybridEx = SecurityProtocols.hybridEx
    static let rdsaad = SecurityProtocols.rdsaad
    /// What mstsc (and the default-client probe) asks for.
    static let defaultClient: SecurityProtocols = [ssl, hybrid, hybridEx]
    /// HYBRID_EX is asked for together with HYBRID.
    static let hybridPair: SecurityProtocols = [hybrid, hybridEx]
    /// The negotiation probes a check makes, one request each (CheckPlan.negotiationRequests).
    static let requests: [SecurityProtocols] = [rdp, ssl, hybrid, rdstls, hybridPair, rdsaad]
}

/// Builds `CheckObservations` (and the diagnosis context) for one synthetic
/// check, without any network. Each method returns a changed copy, so a
/// scenario reads top to bottom as what the probes saw.
struct Scenario: Sendable {
    var observations: CheckObservations
    var context: Diagnoser.Context

    init(
        host: String = CertificateFixtures.host,
        startedAtUnix: Double = Double(CertificateFixtures.validNow),
        now: Int64 = CertificateFixtures.validNow,
        anchors: [[UInt8]] = [CertificateFixtures.rootCA]
    ) {
        observations = CheckObservations(target: Target(host: host), startedAtUnix: startedAtUnix, timeoutMs: 10_000)
        context = Diagnoser.Context(trustAnchors: anchors, nowUnix: now, catalogue: ShippedCatalogue.shared)
    }

    private func with(_ edit: (inout Scenario) -> Void) -> Scenario {
        var copy = self
        edit(&copy)
        return copy
    }

    // MARK: Name resolution and TCP

    func resolved(_ addresses: [String] = ["192.0.2.10"], ms: Double = 4) -> Scenario {
        with {
            $0.observations.resolution = ResolutionObservation(
                addresses: addresses, usedAddress: addresses.first, durationMs: ms, error: nil, literal: false)
        }
    }

    func literalAddress(_ address: String) -> Scenario {
        with {
            $0.observations.resolution = ResolutionObservation(
                addresses: [address], usedAddress: address, durationMs: 0, error: nil, literal: true)
        }
    }

    func dnsFailure(_ error: String) -> Scenario {
        with {
            $0.observations.resolution = ResolutionObservation(
                addresses: [], usedAddress: nil, durationMs: 30, error: error, literal: false)
        }
    }

    func reachable(_ address: String = "192.0.2.10", ms: Double = 2) -> Scenario {
        with { $0.observations.reachability.append(ReachabilityObservation(address: address, connectMs: ms, failure: nil)) }
    }

    func unreachable(_ address: String, _ failure: ConnectFailure) -> Scenario {
        with { $0.observations.reachability.append(ReachabilityObservation(address: address, connectMs: nil, failure: failure)) }
    }

    // MARK: Probes

    /// The probe that walks the connection as mstsc does.
    func defaultClient(
        _ answer: NegotiationObservation?, end: ConnectionEnd = .completed,
        _ edit: (inout ProbeRecord) -> Void = { _ in }
    ) -> Scenario {
        probe(.defaultClient, requested: Proto.defaultClient, answer: answer, end: end, edit)
    }

    /// One negotiation probe asking for exactly `requested`.
    func negotiation(
        _ requested: SecurityProtocols, _ answer: NegotiationObservation?, end: ConnectionEnd = .completed,
        _ edit: (inout ProbeRecord) -> Void = { _ in }
    ) -> Scenario {
        probe(.negotiation(requested), requested: requested, answer: answer, end: end, edit)
    }

    /// One TLS-version probe (asks for TLS|CredSSP, offers exactly `version`).
    func tlsVersion(_ version: TLSProtocolVersion, accepted: Bool, chain: [[UInt8]] = []) -> Scenario {
        probe(
            .tlsVersion(version), requested: [Proto.ssl, Proto.hybrid],
            answer: .selected(protocol: Proto.hybrid, flags: []),
            end: accepted ? .completed : .tlsFailed("handshake failure: no protocols available")
        ) { probe in
            if accepted { probe.tls = TLSSessionInfo(version: version, peerChain: chain) }
        }
    }

    /// TLS probes: `accepted` versions complete a handshake, the others fail it.
    func tlsVersions(accepted: [TLSProtocolVersion]) -> Scenario {
        TLSProtocolVersion.allCases.reduce(self) { $0.tlsVersion($1, accepted: accepted.contains($1)) }
    }

    func probe(
        _ purpose: ProbePurpose, requested: SecurityProtocols, answer: NegotiationObservation?, end: ConnectionEnd,
        _ edit: (inout ProbeRecord) -> Void
    ) -> Scenario {
        var record = ProbeRecord(purpose: purpose, requestedProtocols: requested)
        record.address = "192.0.2.10"
        record.negotiation = answer
        record.end = end
        edit(&record)
        return with { $0.observations.probes.append(record) }
    }

    // MARK: Negotiation presets (the six requests of CheckPlan)

    /// A Windows server with NLA required: CredSSP selected, everything else
    /// refused with HYBRID_REQUIRED_BY_SERVER (5).
    func nlaRequiredNegotiation() -> Scenario {
        negotiation(Proto.rdp, .failure(code: .hybridRequiredByServer))
            .negotiation(Proto.ssl, .failure(code: .hybridRequiredByServer))
            .negotiation(Proto.hybrid, .selected(protocol: Proto.hybrid, flags: NegotiationResponseFlags(rawValue: 0x1F)))
            .negotiation(Proto.rdstls, .failure(code: .hybridRequiredByServer))
            .negotiation(Proto.hybridPair, .selected(protocol: Proto.hybridEx, flags: NegotiationResponseFlags(rawValue: 0x1F)))
            .negotiation(Proto.rdsaad, .failure(code: .hybridRequiredByServer))
    }

    /// A Windows server with the "negotiate" security layer and NLA not required:
    /// every protocol it knows is accepted.
    func nlaOptionalNegotiation() -> Scenario {
        negotiation(Proto.rdp, .selected(protocol: Proto.rdp, flags: NegotiationResponseFlags(rawValue: 0x1)))
            .negotiation(Proto.ssl, .selected(protocol: Proto.ssl, flags: NegotiationResponseFlags(rawValue: 0x1)))
            .negotiation(Proto.hybrid, .selected(protocol: Proto.hybrid, flags: NegotiationResponseFlags(rawValue: 0x1)))
            .negotiation(Proto.rdstls, .failure(code: .sslRequiredByServer))
            .negotiation(Proto.hybridPair, .selected(protocol: Proto.hybridEx, flags: NegotiationResponseFlags(rawValue: 0x1)))
            .negotiation(Proto.rdsaad, .failure(code: .sslRequiredByServer))
    }

    /// A TLS-only server without CredSSP (xrdp with security_layer=tls).
    func tlsOnlyNegotiation() -> Scenario {
        negotiation(Proto.rdp, .failure(code: .sslRequiredByServer))
            .negotiation(Proto.ssl, .selected(protocol: Proto.ssl, flags: []))
            .negotiation(Proto.hybrid, .failure(code: .sslRequiredByServer))
            .negotiation(Proto.rdstls, .failure(code: .sslRequiredByServer))
            .negotiation(Proto.hybridPair, .failure(code: .sslRequiredByServer))
            .negotiation(Proto.rdsaad, .failure(code: .sslRequiredByServer))
    }

    /// A server with standard RDP security only: everything with TLS is
    /// refused with SSL_NOT_ALLOWED_BY_SERVER (2).
    func standardSecurityOnlyNegotiation() -> Scenario {
        negotiation(Proto.rdp, .selected(protocol: Proto.rdp, flags: []))
            .negotiation(Proto.ssl, .failure(code: .sslNotAllowedByServer))
            .negotiation(Proto.hybrid, .failure(code: .sslNotAllowedByServer))
            .negotiation(Proto.rdstls, .failure(code: .sslNotAllowedByServer))
            .negotiation(Proto.hybridPair, .failure(code: .sslNotAllowedByServer))
            .negotiation(Proto.rdsaad, .failure(code: .sslNotAllowedByServer))
    }

    // MARK: Diagnosis context

    func judged(at now: Int64) -> Scenario {
        with { $0.context.nowUnix = now }
    }

    func trusting(_ anchors: [[UInt8]]) -> Scenario {
        with { $0.context = Diagnoser.Context(trustAnchors: anchors, nowUnix: $0.context.nowUnix, catalogue: $0.context.catalogue) }
    }

    /// Runs the rules. Every report is also checked against the shipped
    /// catalogue: each finding's codes and the verdict's codes must resolve.
    func diagnose(sourceLocation: SourceLocation = #_sourceLocation) async -> CheckReport {
        let report = await Diagnoser.diagnose(observations, context: context)
        let missing = ShippedCatalogue.unresolvedKeys(in: report)
        #expect(missing.isEmpty, "keys not in the shipped catalogue: \(missing)", sourceLocation: sourceLocation)
        return report
    }
}

// MARK: - Record helpers

extension StepTiming {
    static func step(_ step: Step, from start: Double, took duration: Double?) -> StepTiming {
        var timing = StepTiming(step: step, startMs: start)
        timing.durationMs = duration
        return timing
    }
}

extension CredSSPObservation {
    /// What a domain-joined Windows Server 2022 reveals in its NTLM challenge.
    static func windows(version: Int = 6, serverTimeUnix: Double?, challengeAtMs: Double? = nil) -> CredSSPObservation {
        var credssp = CredSSPObservation()
        credssp.serverVersion = version
        credssp.netbiosComputer = "RDP01"
        credssp.netbiosDomain = "EXAMPLE"
        credssp.dnsComputer = "rdp01.example.test"
        credssp.dnsDomain = "example.test"
        credssp.dnsTree = "example.test"
        credssp.osVersion = "10.0.20348"
        credssp.serverTimeUnix = serverTimeUnix
        credssp.challengeAtMs = challengeAtMs
        return credssp
    }
}

extension ServerDataObservation {
    static func standardSecurity(method: UInt32, level: UInt32, keyBits: Int? = nil) -> ServerDataObservation {
        var data = ServerDataObservation()
        data.rdpVersion = RDPVersion(rawValue: 0x0008_000C)
        data.clientRequestedProtocols = .rdp
        data.encryptionMethod = EncryptionMethods(rawValue: method)
        data.encryptionLevel = EncryptionLevel(rawValue: level)
        data.serverRandomLength = method == 0 ? 0 : 32
        data.certificate = keyBits.map { .proprietary(keyBits: $0) }
        data.ioChannel = 1003
        data.channelIDs = [1004, 1005]
        data.messageChannel = 1006
        data.multitransportFlags = []
        data.mcsResult = .successful
        return data
    }

    /// What a server sends over TLS: the RDP encryption fields are zero by design.
    static var overTLS: ServerDataObservation {
        var data = ServerDataObservation()
        data.rdpVersion = 0x0008_000C
        data.clientRequestedProtocols = Proto.ssl
        data.encryptionMethod = 0
        data.encryptionLevel = 0
        data.serverRandomLength = 0
        data.ioChannel = 1003
        data.channelIDs = [1004]
        return data
    }
}

extension SessionObservation {
    static func with(_ edit: (inout SessionObservation) -> Void) -> SessionObservation {
        var session = SessionObservation()
        session.userChannel = 1007
        session.joinedChannels = [1007, 1003]
        edit(&session)
        return session
    }
}

// MARK: - Report helpers

extension CheckReport {
    var ids: [String] { findings.map(\.id.rawValue) }

    func finding(_ id: String) -> Finding? { findings.first { $0.id.rawValue == id } }

    func findings(_ id: String) -> [Finding] { findings.filter { $0.id.rawValue == id } }

    func has(_ id: String) -> Bool { finding(id) != nil }
}

// MARK: - The shipped catalogue

/// The catalogue as committed, read from the source tree.
enum ShippedCatalogue {
    static let directory: String = {
        var parts = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)  // Tests/DiagnosisTests/ObservationBuilder.swift
        return parts.joined(separator: "/") + "/Sources/Catalogue/Resources/catalogue"
    }()

    static let shared: Catalogue = {
        do {
            return try Catalogue.load(directory: directory)
        } catch {
            fatalError("the shipped catalogue does not load: \(error)")
        }
    }()

    /// Every key a report names: each finding's codes and the verdict's pair.
    static func keys(in report: CheckReport) -> [CatalogueKey] {
        report.findings.flatMap(\.codes) + [report.verdict.errorCode, report.verdict.extendedCode].compactMap { $0 }
    }

    static func unresolvedKeys(in report: CheckReport) -> [CatalogueKey] {
        keys(in: report).filter { shared.entry($0) == nil }
    }
}
