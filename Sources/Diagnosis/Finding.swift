import Catalogue
import CertificateAudit
import ProbeCore

/// One judgement about the target, made by a diagnosis rule from observations.
public struct Finding: Codable, Sendable, Equatable {
    public enum Level: String, Codable, Sendable, Comparable, CaseIterable {
        case good, info, warn, fail

        public static func < (lhs: Level, rhs: Level) -> Bool {
            allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
        }
    }

    /// A stable identifier (`tls.version.tls10-accepted`), for scripts and tests.
    public let id: FindingID
    public let level: Level
    /// The report section it belongs to.
    public let section: Section
    public let title: String
    /// The evidence, in a sentence or two.
    public let detail: String
    /// Concrete actions; empty when nothing needs doing.
    public let fixes: [String]
    /// Catalogue keys that explain the codes involved (`disconnect:0x904`).
    public let codes: [CatalogueKey]
    /// Through an RD Gateway (`check --gateway`): whether this concerns the
    /// gateway or the target behind it. nil for a direct check.
    public var side: Side?

    /// The two ends a check through an RD Gateway judges apart.
    public enum Side: String, Codable, Sendable {
        case gateway, target
    }

    public init(
        id: FindingID, level: Level, section: Section, title: String, detail: String,
        fixes: [String] = [], codes: [CatalogueKey] = []
    ) {
        self.id = id
        self.level = level
        self.section = section
        self.title = title
        self.detail = detail
        self.fixes = fixes
        self.codes = codes
    }

    enum CodingKeys: String, CodingKey {
        case id, level, section, sectionKey, title, detail, fixes, codes, side
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            id: try c.decode(FindingID.self, forKey: .id), level: try c.decode(Level.self, forKey: .level),
            section: try c.decode(Section.self, forKey: .section), title: try c.decode(String.self, forKey: .title),
            detail: try c.decode(String.self, forKey: .detail), fixes: try c.decode([String].self, forKey: .fixes),
            codes: try c.decode([CatalogueKey].self, forKey: .codes))
        side = try c.decodeIfPresent(Side.self, forKey: .side)
    }

    /// As synthesised, plus `sectionKey`: the section's stable name for scripts
    /// (`section` is its heading, which may be reworded).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(level, forKey: .level)
        try c.encode(section, forKey: .section)
        try c.encode(section.key, forKey: .sectionKey)
        try c.encode(title, forKey: .title)
        try c.encode(detail, forKey: .detail)
        try c.encode(fixes, forKey: .fixes)
        try c.encode(codes, forKey: .codes)
        try c.encodeIfPresent(side, forKey: .side)
    }
}

/// Report sections, one per layer, in the order of the connection.
public enum Section: String, Codable, Sendable, CaseIterable {
    case name = "Name resolution"
    case tcp = "TCP"
    case gateway = "RD Gateway"
    case negotiation = "Security negotiation (X.224)"
    case tls = "TLS"
    case certificate = "Certificate"
    case rdpSecurity = "Standard RDP security"
    case credssp = "CredSSP / NLA"
    case session = "Session setup"
    case udp = "UDP transport"
    case path = "Network path"
    case timing = "Timing"

    /// The stable name (`negotiation`, `rdp-security`), apart from the heading.
    public var key: String {
        switch self {
        case .name: "name"
        case .tcp: "tcp"
        case .gateway: "gateway"
        case .negotiation: "negotiation"
        case .tls: "tls"
        case .certificate: "certificate"
        case .rdpSecurity: "rdp-security"
        case .credssp: "credssp"
        case .session: "session"
        case .udp: "udp"
        case .path: "path"
        case .timing: "timing"
        }
    }
}

/// Where a default Microsoft client would stop on this host.
public struct Verdict: Codable, Sendable, Equatable {
    public enum Outcome: String, Codable, Sendable {
        /// The session would start (Demand Active): a logon screen, or a desktop where none is asked.
        case reachesLogon = "reaches-logon"
        /// NLA: the client would ask for credentials; they decide the rest.
        case reachesCredentials = "reaches-credential-prompt"
        /// The connection would fail at `step`.
        case fails
        /// The probes could not tell (for example, the overall deadline ran out).
        case undetermined
    }

    public let outcome: Outcome
    public let step: Step?
    /// One line for a person.
    public let summary: String
    /// The code pair a Microsoft client would most likely show, as catalogue keys.
    public let errorCode: CatalogueKey?
    public let extendedCode: CatalogueKey?

    public init(outcome: Outcome, step: Step?, summary: String, errorCode: CatalogueKey? = nil, extendedCode: CatalogueKey? = nil) {
        self.outcome = outcome
        self.step = step
        self.summary = summary
        self.errorCode = errorCode
        self.extendedCode = extendedCode
    }

    /// A verdict showing the codes the catalogue gives for the way it failed.
    public init(outcome: Outcome, step: Step?, summary: String, codes: ClientCodes) {
        self.init(outcome: outcome, step: step, summary: summary, errorCode: codes.error, extendedCode: codes.extended)
    }
}

/// The result of a check: the verdict and every finding, from one set of observations.
public struct CheckReport: Codable, Sendable {
    public let verdict: Verdict
    public let findings: [Finding]
    public let observations: CheckObservations
    /// The audit of the TLS certificate, when one was seen.
    public let certificate: CertificateReport?
    /// Through an RD Gateway: the audit of the gateway's own certificate, for its name.
    public let gatewayCertificate: CertificateReport?

    public init(
        verdict: Verdict, findings: [Finding], observations: CheckObservations, certificate: CertificateReport?,
        gatewayCertificate: CertificateReport? = nil
    ) {
        self.verdict = verdict
        self.findings = findings
        self.observations = observations
        self.certificate = certificate
        self.gatewayCertificate = gatewayCertificate
    }

    /// The exit status the CLI returns (README documents it).
    public var exitStatus: Int32 {
        if verdict.outcome == .fails || findings.contains(where: { $0.level == .fail }) { return 2 }
        if verdict.outcome == .undetermined { return 4 }
        if findings.contains(where: { $0.level == .warn }) { return 1 }
        return 0
    }
}
