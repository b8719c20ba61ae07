import CertificateAudit
import NTLM
import RDPProtocol

/// What the user asked for with --user: the account, whether to go on to the
/// logon, and how the server may be trusted. Holds the password: it never
/// prints it, and no observation record ever holds it.
public struct CredentialRequest: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public let user: String
    public let domain: String
    let password: String
    /// --logon: also send the credentials (TSCredentials).
    public let logon: Bool
    /// --insecure: try the account even on a server whose certificate is not trusted.
    public let insecure: Bool

    public init(user: String, domain: String, password: String, logon: Bool, insecure: Bool) {
        self.user = user
        self.domain = domain
        self.password = password
        self.logon = logon
        self.insecure = insecure
    }

    public var account: String { domain.isEmpty ? user : "\(domain)\\\(user)" }

    /// The settings of the one connection that may use the account.
    func settings(pinnedLeafSHA256: [UInt8]?) -> CredentialSettings {
        CredentialSettings(
            user: user, domain: domain, password: password, sendCredentials: logon,
            pinnedLeafSHA256: pinnedLeafSHA256)
    }

    public var description: String { "CredentialRequest(account: \(account), password: <redacted>)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["account": account], displayStyle: .struct) }
}

/// How the certificate the default walk saw was judged (trust anchors and
/// name), by whoever holds the anchors.
public struct CertificateJudgement: Sendable, Equatable {
    public let trusted: Bool
    public let nameMatches: Bool

    public init(trusted: Bool, nameMatches: Bool) {
        self.trusted = trusted
        self.nameMatches = nameMatches
    }
}

/// Whether anything derived from the password may go to this server. The
/// NTLM AUTHENTICATE carries an NTLMv2 response that can be cracked offline,
/// and a man in the middle collects exactly that, so it goes only to a server
/// whose certificate is pinned or trusted for the name, or with --insecure.
public enum CredentialGate {
    public static func decide(
        pinnedLeafSHA256 pin: [UInt8]?, insecure: Bool, seenLeafSHA256 seen: [UInt8]?,
        judgement: CertificateJudgement?
    ) -> CredentialDecision {
        guard let seen else { return .withheld(.noCertificate) }
        if let pin {
            // A pin the server does not match is the strongest sign of interception:
            // not even --insecure sends anything then.
            return pin == seen ? .sent(.pinned) : .withheld(.pinMismatch(expected: HexBytes(pin), seen: HexBytes(seen)))
        }
        if let judgement, judgement.trusted, judgement.nameMatches { return .sent(.trusted) }
        if insecure { return .sent(.insecure) }
        return .withheld(.untrusted)
    }

    /// The account's walk after the default walk `main` when no coordinator
    /// plans it (through an RD Gateway): the gate's decision, and the
    /// settings of the walk that may use the account when it allows one.
    /// `judgement` is the chain's, judged for the target's name.
    public static func accountWalk(
        _ request: CredentialRequest, after main: ProbeRecord, pinnedLeafSHA256 pin: [UInt8]?,
        judgement: CertificateJudgement?
    ) -> (CredentialCheckObservation, CredentialSettings?) {
        func withheld(_ reason: CredentialDecision.Reason) -> (CredentialCheckObservation, CredentialSettings?) {
            (CredentialCheckObservation(account: request.account, logonRequested: request.logon, decision: .withheld(reason)), nil)
        }
        let selected = main.negotiation?.selectedProtocol ?? .rdp
        guard !selected.isDisjoint(with: [.hybrid, .hybridEx]) else {
            return withheld(main.negotiation == nil ? .noCertificate : .serverWithoutNLA)
        }
        guard let leaf = main.tls?.peerChain.first else { return withheld(.noCertificate) }
        let seen = CertificateKey.sha256(ofDER: leaf)
        let decision = decide(pinnedLeafSHA256: pin, insecure: request.insecure, seenLeafSHA256: seen, judgement: judgement)
        let observation = CredentialCheckObservation(account: request.account, logonRequested: request.logon, decision: decision)
        guard case .sent = decision else { return (observation, nil) }
        return (observation, request.settings(pinnedLeafSHA256: Self.pin(for: decision, seen: seen)))
    }

    /// The leaf the credential connection must see again (nil: any, --insecure).
    static func pin(for decision: CredentialDecision, seen: [UInt8]) -> [UInt8]? {
        if case .sent(.insecure) = decision { return nil }
        return seen
    }
}

/// What the gate decided, kept in the observations.
public enum CredentialDecision: Codable, Sendable, Equatable {
    public enum Basis: String, Codable, Sendable {
        /// The leaf's SHA-256 is the one given with --cert-sha256.
        case pinned
        /// The chain leads to a trust anchor and names the host.
        case trusted
        /// --insecure.
        case insecure
    }

    public enum Reason: Codable, Sendable, Equatable {
        /// The certificate is not trusted for the host name.
        case untrusted
        /// The leaf is not the one pinned with --cert-sha256 (SHA-256s).
        case pinMismatch(expected: HexBytes, seen: HexBytes)
        /// No TLS certificate was seen (no TLS, or the walk ended before it).
        case noCertificate
        /// The server does not select CredSSP: there is no NLA step to test the account in.
        case serverWithoutNLA
        /// The check's deadline came first.
        case noTime
    }

    case sent(Basis)
    case withheld(Reason)
}

/// The credential check of a --user run: the gate's decision and, when it
/// allowed one, the connection that used the account.
public struct CredentialCheckObservation: Codable, Sendable {
    public var account: String
    public var logonRequested: Bool
    public var decision: CredentialDecision
    public var probe: ProbeRecord?

    public init(account: String, logonRequested: Bool, decision: CredentialDecision, probe: ProbeRecord? = nil) {
        self.account = account
        self.logonRequested = logonRequested
        self.decision = decision
        self.probe = probe
    }

    /// How the server answered the account, when it was tried.
    public var credential: CredentialObservation? { probe?.credential }
}
