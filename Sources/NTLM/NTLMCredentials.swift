// A user name, domain and password. The password must never reach a log, a
// report or a debugger print, so every textual and reflective view of this
// type redacts it.

/// Credentials for NTLM (and CredSSP's TSPasswordCreds).
public struct NTLMCredentials: Sendable, Hashable {
    public var user: String
    public var domain: String
    /// Never shown by `description`, `debugDescription` or `customMirror`.
    public var password: String

    public init(user: String, domain: String, password: String) {
        self.user = user
        self.domain = domain
        self.password = password
    }
}

extension NTLMCredentials: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String {
        "NTLMCredentials(user: \(user.debugDescription), domain: \(domain.debugDescription), password: <redacted>)"
    }

    public var debugDescription: String { description }

    /// Keeps `dump()` and debuggers from walking into the password.
    public var customMirror: Mirror {
        Mirror(self, children: ["user": user, "domain": domain, "password": "<redacted>"], displayStyle: .struct)
    }
}
