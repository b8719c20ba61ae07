import CredSSP
import NTLM

/// What the user asked rdpdoctor to do with an account. Holds the password:
/// it never prints it, and no observation record ever holds it.
public struct CredentialSettings: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public let credentials: NTLMCredentials
    /// Also send the credentials (TSCredentials) and go on to the logon (--logon).
    public let sendCredentials: Bool
    /// Talk only to the server whose leaf certificate has this SHA-256 (the
    /// one that was judged); nil only with --insecure.
    public let pinnedLeafSHA256: [UInt8]?

    public init(user: String, domain: String, password: String, sendCredentials: Bool, pinnedLeafSHA256: [UInt8]?) {
        credentials = NTLMCredentials(user: user, domain: domain, password: password)
        self.sendCredentials = sendCredentials
        self.pinnedLeafSHA256 = pinnedLeafSHA256
    }

    /// `DOMAIN\user`, `user@domain` or `user`.
    public static func splitAccount(_ account: String) -> (user: String, domain: String) {
        if let slash = account.firstIndex(of: "\\") {
            return (String(account[account.index(after: slash)...]), String(account[..<slash]))
        }
        if let at = account.lastIndex(of: "@") {
            return (String(account[..<at]), String(account[account.index(after: at)...]))
        }
        return (account, "")
    }

    public var account: String { credentials.domain.isEmpty ? credentials.user : "\(credentials.domain)\\\(credentials.user)" }
    public var description: String { "CredentialSettings(account: \(account), password: <redacted>)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["account": account], displayStyle: .struct) }
}

/// How the server answered the credentials (no secret in here).
public struct CredentialObservation: Codable, Sendable, Equatable {
    public enum Outcome: String, Codable, Sendable {
        /// The server accepted the NTLM authentication and proved it holds the TLS key.
        case accepted
        /// The server refused with an NTSTATUS in TSRequest.errorCode.
        case rejected
        /// The server closed the connection after our AUTHENTICATE without saying why.
        case closedAfterAuthenticate = "closed-after-authenticate"
        /// The server's pubKeyAuth did not match the TLS key: a possible man in the middle.
        case serverKeyMismatch = "server-key-mismatch"
        /// The server's pubKeyAuth signature did not verify.
        case serverProofInvalid = "server-proof-invalid"
        /// The server does not speak NTLM here (Kerberos only) or broke the exchange.
        case ntlmUnavailable = "ntlm-unavailable"
        /// Early user authorization (HYBRID_EX) refused the account after logon.
        case earlyAuthorizationDenied = "early-authorization-denied"
        /// Credentials were not sent: the certificate changed since it was audited.
        case notSent = "not-sent"
    }

    public var account: String
    public var outcome: Outcome
    public var ntstatus: NTStatus?
    public var detail: String?
    /// TSCredentials were sent (--logon).
    public var credentialsSent: Bool = false
    /// The HYBRID_EX early user authorization result, when one arrived.
    public var earlyAuthorizationResult: EarlyUserAuthorizationResult?

    public init(account: String, outcome: Outcome, ntstatus: NTStatus? = nil, detail: String? = nil) {
        self.account = account
        self.outcome = outcome
        self.ntstatus = ntstatus
        self.detail = detail
    }
}
