// A sans-IO CredSSP client (MS-CSSP 3.1.5) over NTLM: bytes in, actions out.
// The transport (TLS, sockets, timeouts) lives elsewhere and hands over the
// server's public key and each received TSRequest.
//
//   start          -> TSRequest { negoTokens: NEGOTIATE }
//   receive        <- TSRequest { negoTokens: CHALLENGE }
//     probe mode:     .challengeReceived (stop: nothing secret was sent)
//     logon mode:     .send(TSRequest { AUTHENTICATE, pubKeyAuth, clientNonce })
//   receive        <- TSRequest { pubKeyAuth } or { errorCode }
//                     .authenticated / .serverError / .failed
import NTLM

/// A CredSSP client state machine.
public struct CredSSPClient: Sendable {
    public struct Configuration: Sendable {
        /// The CredSSP version to announce.
        public var version: Int = 6
        public var ntlmFlags: NegotiateFlags = .clientDefault
        /// The Windows version to announce in NTLM messages.
        public var ntlmVersion: NTLMVersion? = NTLMVersion(major: 10, minor: 0, build: 19041)
        public var workstation: String = ""
        /// Sent as MsvAvTargetName, e.g. "TERMSRV/host.example.com".
        public var servicePrincipalName: String?
        /// Send TSCredentials once the server has proved its key. This is a
        /// real logon that hands the password to the server: opt in only.
        public var sendCredentials: Bool = false
        /// The caller's clock; used only if the server sends no timestamp
        /// (Windows servers since Vista always do).
        public var currentTime = FileTime(rawValue: 0)
        public var random: RandomBytes = .system

        public init() {}
    }

    /// What the caller should do next.
    public enum Action: Sendable, Equatable {
        /// Send these bytes to the server and wait for its answer.
        case send([UInt8])
        /// Probe mode ended: the server's CHALLENGE was read.
        case challengeReceived(ChallengeInfo)
        /// The server refused with this NTSTATUS (TSRequest.errorCode).
        case serverError(NTStatus)
        /// The server accepted the credentials and proved it holds the TLS
        /// key. `credentialsMessage`, when present, must still be sent.
        case authenticated(credentialsMessage: [UInt8]?)
        /// The exchange cannot go on.
        case failed(FailureReason)
    }

    public enum FailureReason: Sendable, Equatable, CustomStringConvertible {
        /// The server's bytes are not a valid TSRequest.
        case malformedMessage(CredSSPError)
        /// A valid TSRequest that does not fit this point of the exchange.
        case unexpectedMessage(String)
        /// The NTLM token is malformed or asks for what is not supported.
        case ntlm(NTLMError)
        /// The server's pubKeyAuth signature did not verify: it does not hold
        /// the NTLM session key.
        case serverSignatureInvalid
        /// The server's pubKeyAuth is for another public key: the TLS
        /// connection may be intercepted.
        case publicKeyMismatch
        /// `receive` was called before `start` or after the end.
        case notExpectingMessages

        public var description: String {
            switch self {
            case .malformedMessage(let error): error.description
            case .unexpectedMessage(let what): "unexpected CredSSP message: \(what)"
            case .ntlm(let error): error.description
            case .serverSignatureInvalid: "the server's pubKeyAuth signature did not verify"
            case .publicKeyMismatch: "the server's pubKeyAuth does not match the TLS public key"
            case .notExpectingMessages: "no CredSSP message was expected"
            }
        }
    }

    private enum State: Sendable {
        case idle
        case negotiateSent(negotiate: [UInt8], flags: NegotiateFlags, credentials: NTLMCredentials?)
        case authenticateSent(session: NTLMSessionSecurity, version: Int, nonce: [UInt8], credentials: NTLMCredentials)
        case finished
    }

    private let serverPublicKey: [UInt8]
    private let configuration: Configuration
    private var state: State = .idle

    /// The server's CredSSP version, once a TSRequest has arrived.
    public private(set) var peerVersion: Int?
    /// What the server's CHALLENGE said, in either mode.
    public private(set) var challenge: ChallengeInfo?
    /// How the server's TSRequests departed from DER in ways clients accept
    /// (each once, in the order met), over the whole exchange since `start`.
    public private(set) var encodingDeviations: [CredSSPEncodingDeviation] = []

    /// - Parameter serverPublicKey: the DER SubjectPublicKey from the
    ///   server's TLS certificate (the BIT STRING contents).
    public init(serverPublicKey: [UInt8], configuration: Configuration = Configuration()) {
        self.serverPublicKey = serverPublicKey
        self.configuration = configuration
    }

    /// Begins (or restarts) the exchange. Without credentials the client only
    /// reads the server's CHALLENGE and stops.
    public mutating func start(credentials: NTLMCredentials?) -> [UInt8] {
        let negotiate = NegotiateMessage(flags: configuration.ntlmFlags, version: configuration.ntlmVersion)
        let bytes = negotiate.encoded()
        state = .negotiateSent(negotiate: bytes, flags: negotiate.flags, credentials: credentials)
        peerVersion = nil
        challenge = nil
        encodingDeviations = []
        return TSRequest(version: configuration.version, negoTokens: [bytes]).derEncoded()
    }

    /// Takes one complete TSRequest from the server (bytes after it are
    /// ignored and recorded in `encodingDeviations`).
    public mutating func receive(_ bytes: [UInt8]) -> Action {
        // Whatever happens next, this exchange ends unless a step moves it on.
        let current = state
        state = .finished
        switch current {
        case .idle, .finished:
            return .failed(.notExpectingMessages)
        case .negotiateSent, .authenticateSent:
            break
        }
        // Read as Windows and FreeRDP do: BER lengths and trailing bytes are
        // tolerated (and recorded), not failures.
        let request: TSRequest
        do {
            let decoding = try TSRequestDecoding(decoding: bytes)
            request = decoding.request
            for deviation in decoding.deviations where !encodingDeviations.contains(deviation) {
                encodingDeviations.append(deviation)
            }
        } catch {
            return .failed(.malformedMessage(error))
        }
        peerVersion = request.version
        if let status = request.errorCode, status != .success { return .serverError(status) }

        switch current {
        case .negotiateSent(let negotiate, let flags, let credentials):
            return receiveChallenge(request, negotiate: negotiate, clientFlags: flags, credentials: credentials)
        case .authenticateSent(var session, let version, let nonce, let credentials):
            return receiveServerProof(request, session: &session, version: version, nonce: nonce, credentials: credentials)
        case .idle, .finished:
            return .failed(.notExpectingMessages)
        }
    }

    private mutating func receiveChallenge(
        _ request: TSRequest, negotiate: [UInt8], clientFlags: NegotiateFlags, credentials: NTLMCredentials?
    ) -> Action {
        guard request.negoTokens.count == 1, let token = request.negoTokens.first else {
            return .failed(.unexpectedMessage("expected one NTLM CHALLENGE token, found \(request.negoTokens.count)"))
        }
        let challengeMessage: ChallengeMessage
        do {
            challengeMessage = try ChallengeMessage(decoding: token)
        } catch {
            return .failed(.ntlm(error))
        }
        let info = ChallengeInfo(credSSPVersion: request.version, challenge: challengeMessage)
        challenge = info
        guard let credentials else { return .challengeReceived(info) }

        let flags = clientFlags.intersection(challengeMessage.flags)
        guard flags.contains(.negotiateExtendedSessionSecurity) else {
            return .failed(.ntlm(.unsupported("extended session security (NEGOTIATE_EXTENDED_SESSIONSECURITY)")))
        }
        do {
            let result = try NTLMv2.authenticate(
                NTLMAuthenticateParameters(
                    credentials: credentials,
                    negotiateMessage: negotiate,
                    challengeMessage: token,
                    flags: flags,
                    workstation: configuration.workstation,
                    version: configuration.ntlmVersion,
                    clientChallenge: configuration.random(8),
                    randomSessionKey: configuration.random(16),
                    currentTime: configuration.currentTime,
                    targetName: configuration.servicePrincipalName
                ))
            var session = try NTLMSessionSecurity(exportedSessionKey: result.exportedSessionKey, flags: flags)
            let version = min(configuration.version, request.version)
            let usesNonce = version >= PublicKeyAuth.firstHashVersion
            let nonce = usesNonce ? configuration.random(32) : []
            let value = PublicKeyAuth.clientValue(version: version, publicKey: serverPublicKey, nonce: nonce)
            let pubKeyAuth = PublicKeyAuth.seal(value, with: &session)
            state = .authenticateSent(session: session, version: version, nonce: nonce, credentials: credentials)
            return .send(
                TSRequest(
                    version: configuration.version,
                    negoTokens: [result.encoded],
                    pubKeyAuth: pubKeyAuth,
                    clientNonce: usesNonce ? nonce : nil
                ).derEncoded())
        } catch {
            return .failed(.ntlm(error))
        }
    }

    private func receiveServerProof(
        _ request: TSRequest, session: inout NTLMSessionSecurity, version: Int, nonce: [UInt8], credentials: NTLMCredentials
    ) -> Action {
        guard let pubKeyAuth = request.pubKeyAuth else {
            return .failed(.unexpectedMessage("the server's answer has no pubKeyAuth"))
        }
        let value: [UInt8]
        do {
            value = try PublicKeyAuth.unseal(pubKeyAuth, with: &session)
        } catch .signatureMismatch {
            return .failed(.serverSignatureInvalid)
        } catch {
            return .failed(.ntlm(error))
        }
        guard value == PublicKeyAuth.serverValue(version: version, publicKey: serverPublicKey, nonce: nonce) else {
            return .failed(.publicKeyMismatch)
        }
        guard configuration.sendCredentials else { return .authenticated(credentialsMessage: nil) }
        let delegated = TSCredentials(password: TSPasswordCreds(credentials)).derEncoded()
        let authInfo = PublicKeyAuth.seal(delegated, with: &session)
        return .authenticated(credentialsMessage: TSRequest(version: configuration.version, authInfo: authInfo).derEncoded())
    }
}

extension CredSSPClient: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    private var stateName: String {
        switch state {
        case .idle: "idle"
        case .negotiateSent: "negotiateSent"
        case .authenticateSent: "authenticateSent"
        case .finished: "finished"
        }
    }

    /// Names the state only: the state holds credentials and keys.
    public var description: String { "CredSSPClient(state: \(stateName), peerVersion: \(peerVersion.map(String.init) ?? "none"))" }
    public var debugDescription: String { description }
    public var customMirror: Mirror {
        Mirror(self, children: ["state": stateName, "peerVersion": peerVersion as Any], displayStyle: .struct)
    }
}
