import Catalogue
import CertificateAudit
import ProbeCore

/// What every rule reads: the observations, the catalogue (for the codes a
/// way of failing produces), and the certificate audit when a chain was seen.
struct RuleInput: Sendable {
    let observations: CheckObservations
    let catalogue: Catalogue
    let certificate: CertificateReport?
    /// Through an RD Gateway: the gateway's certificate, audited for its name.
    var gatewayCertificate: CertificateReport? = nil
}

/// A diagnosis rule: observations in, findings out. A rule sees no other
/// rule's findings; only `VerdictRule` weighs them, after all have run.
protocol DiagnosisRule: Sendable {
    static func findings(_ input: RuleInput) -> [Finding]
}

/// Every rule `Diagnoser` runs. Within a report section, findings keep this
/// order, so a new rule goes where its findings should read.
enum RuleRegistry {
    static let rules: [any DiagnosisRule.Type] = [
        NetworkRules.self, GatewayRules.self, GatewayRPCRules.self, GatewayCertificateRules.self, NegotiationRules.self, TLSRules.self, CertificateRules.self,
        RDPSecurityRules.self, CredSSPRules.self, CredentialRules.self, SessionRules.self,
        UDPRules.self, PathRules.self, TimingRules.self, ServiceRules.self, ProbingRules.self,
        PinRules.self, CaptureRules.self,
    ]

    static func findings(_ input: RuleInput) -> [Finding] {
        rules.flatMap { $0.findings(input) }
    }
}
