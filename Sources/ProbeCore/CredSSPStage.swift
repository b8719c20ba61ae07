import CertificateAudit
import CredSSP
import NTLM
import RDPProtocol

/// CredSSP (NLA). Without credentials: send the NTLM NEGOTIATE, read the
/// server's CHALLENGE (names, version, clock) and stop. With credentials:
/// authenticate with NTLMv2, check the server's proof of its TLS key, and
/// only with --logon send the credentials and go on to the session.
///
/// A sub-machine like `SessionStage`: it owns its state, takes bytes and
/// returns `Output`s; `RDPProbeMachine` maps them.
struct CredSSPStage: Sendable {
    /// What the stage waits for; `shared` names it for the record and reports.
    enum Awaiting: StageWaiting {
        case challenge
        case authenticateAnswer
        case earlyAuthorization

        var shared: ProbeCore.Awaiting {
            switch self {
            case .challenge: .ntlmChallenge
            case .authenticateAnswer: .authenticateAnswer
            case .earlyAuthorization: .earlyAuthorization
            }
        }
    }

    /// A fact the stage saw, for the parent's record.
    enum Observation: Sendable, Equatable {
        /// The first TSRequest: the server's CredSSP version and what its
        /// CHALLENGE says (the parent adds when it arrived).
        case challenge(CredSSPObservation)
        /// Where the server's TSRequests bend DER.
        case encodingDeviations([String])
        /// An NTSTATUS in the TSRequest before any credential was checked.
        case serverError(NTStatus)
        /// How the server answered the account (only with an account).
        case credential(account: String, CredentialObservation.Outcome, ntstatus: NTStatus?, detail: String?)
        case credentialsSent
        case earlyAuthorizationResult(EarlyUserAuthorizationResult)
    }

    enum Outcome: Sendable, Equatable {
        /// As far as this probe goes.
        case completed
        case protocolError(String)
        /// The credentials went and the server accepts them: the session follows.
        case sessionFollows(selected: SecurityProtocols)
    }

    typealias Output = StageOutput<Observation, Awaiting, Outcome>

    private enum Phase: Sendable {
        case awaitingChallenge
        case awaitingServerProof
        case awaitingEarlyAuthorization
        case done
    }

    private var client: CredSSPClient
    private var phase: Phase = .awaitingChallenge
    private var buffer: [UInt8] = []
    private var challengeReported = false
    private let selected: SecurityProtocols
    private let account: String?

    init(client: CredSSPClient, selected: SecurityProtocols, account: String?) {
        self.client = client
        self.selected = selected
        self.account = account
    }

    /// The NTLM NEGOTIATE (and, with credentials, what the client prepared).
    mutating func start(credentials: NTLMCredentials?) -> [Output] {
        [.send(client.start(credentials: credentials)), .awaiting(.challenge)]
    }

    mutating func receive(_ bytes: [UInt8]) -> [Output] {
        switch phase {
        case .done: return []
        case .awaitingEarlyAuthorization:
            buffer += bytes
            return earlyAuthorization()
        case .awaitingChallenge, .awaitingServerProof:
            buffer += bytes
        }
        let length: Int
        do {
            guard let whole = try TSRequest.frameLength(of: buffer), buffer.count >= whole else { return [] }
            length = whole
        } catch {
            return finish(.protocolError("CredSSP TSRequest: \(error)"))
        }
        let message = Array(buffer.prefix(length))
        buffer.removeFirst(length)
        // Bytes after a TSRequest that cannot start another one are trailing
        // junk: Windows and FreeRDP read past them, and so does the probe.
        var trailing = 0
        if let first = buffer.first, first != 0x30 {
            trailing = buffer.count
            buffer.removeAll()
        }
        let action = client.receive(message)
        var outputs: [Output] = []
        if !challengeReported {
            challengeReported = true
            outputs.append(.observed(.challenge(Self.observation(client.challenge, version: client.peerVersion))))
        }
        let deviations =
            client.encodingDeviations.map(\.description)
            + (trailing > 0 ? ["\(trailing) bytes after a TSRequest, ignored"] : [])
        if !deviations.isEmpty { outputs.append(.observed(.encodingDeviations(deviations))) }
        switch action {
        case .challengeReceived:
            return outputs + [.stepCompleted] + finish(.completed)
        case .send(let authenticate):
            phase = .awaitingServerProof
            return outputs + [.send(authenticate), .awaiting(.authenticateAnswer)]
        case .serverError(let status):
            if case .awaitingChallenge = phase {
                outputs.append(.observed(.serverError(status)))
            } else {
                outputs += credential(.rejected, ntstatus: status)
            }
            return outputs + finish(.completed)
        case .authenticated(let credentialsMessage):
            outputs += [.stepCompleted] + credential(.accepted)
            guard let credentialsMessage else { return outputs + finish(.completed) }
            outputs += [.observed(.credentialsSent), .send(credentialsMessage)]
            if selected.contains(.hybridEx) {
                phase = .awaitingEarlyAuthorization
                return outputs + [.awaiting(.earlyAuthorization)]
            }
            return outputs + finish(.sessionFollows(selected: selected))
        case .failed(let reason):
            switch reason {
            case .publicKeyMismatch: outputs += credential(.serverKeyMismatch, detail: reason.description)
            case .serverSignatureInvalid: outputs += credential(.serverProofInvalid, detail: reason.description)
            case .ntlm where account != nil: outputs += credential(.ntlmUnavailable, detail: reason.description)
            default: break
            }
            return outputs + finish(.protocolError(reason.description))
        }
    }

    /// The peer closed while CredSSP was under way: after our AUTHENTICATE,
    /// that is how some servers (FreeRDP) say "wrong credentials".
    func closed() -> [Output] {
        if case .awaitingServerProof = phase { return credential(.closedAfterAuthenticate) }
        return []
    }

    private mutating func finish(_ outcome: Outcome) -> [Output] {
        phase = .done
        return [.finished(outcome)]
    }

    private mutating func earlyAuthorization() -> [Output] {
        guard buffer.count >= 4 else { return [] }
        let result: EarlyUserAuthorizationResult
        do {
            result = try EarlyUserAuthorizationResult(decoding: Array(buffer.prefix(4)))
        } catch {
            return finish(.protocolError("early user authorization result: \(error)"))
        }
        buffer.removeFirst(4)
        let outputs: [Output] = [.observed(.earlyAuthorizationResult(result)), .stepCompleted]
        guard result.rawValue == 0 else {
            return outputs + credential(.earlyAuthorizationDenied) + finish(.completed)
        }
        return outputs + finish(.sessionFollows(selected: selected))
    }

    private static func observation(_ info: ChallengeInfo?, version: Int?) -> CredSSPObservation {
        CredSSPObservation(challenge: info, version: version)
    }

    private func credential(
        _ outcome: CredentialObservation.Outcome, ntstatus: NTStatus? = nil,
        detail: String? = nil
    ) -> [Output] {
        guard let account else { return [] }
        return [.observed(.credential(account: account, outcome, ntstatus: ntstatus, detail: detail))]
    }
}

extension RDPProbeMachine {
    mutating func startCredSSP(selected: SecurityProtocols, serverPublicKey leaf: [UInt8]?, now: UInt64) -> [ConnectionAction] {
        var configuration = CredSSPClient.Configuration()
        var credentials: NTLMCredentials?
        if let settings = self.credentials {
            // Whatever else, nothing derived from the password goes to a server
            // whose certificate is not the one the gate judged.
            if let pin = settings.pinnedLeafSHA256, leaf.map(CertificateKey.sha256(ofDER:)) != pin {
                record.credential = CredentialObservation(
                    account: settings.account, outcome: .notSent,
                    detail: "the server presented another certificate than the one that was judged; nothing derived from the password was sent")
                return finish(.completed, now: now)
            }
            configuration.sendCredentials = settings.sendCredentials
            credentials = settings.credentials
            if let host = tlsParameters.serverName { configuration.servicePrincipalName = "TERMSRV/\(host)" }
        }
        let key = leaf.flatMap(CertificateKey.subjectPublicKey(ofDER:)) ?? []
        var stage = CredSSPStage(
            client: CredSSPClient(serverPublicKey: key, configuration: configuration),
            selected: selected, account: self.credentials?.account)
        let outputs = stage.start(credentials: credentials)
        state = .credssp(stage)
        return apply(outputs, now: now)
    }

    /// Maps what the CredSSP stage returned to the record, the step timings
    /// and the transport's actions.
    mutating func apply(_ outputs: [CredSSPStage.Output], now: UInt64) -> [ConnectionAction] {
        apply(
            outputs, now: now,
            observe: { machine, observation in machine.record(observation, now: now) },
            finished: { machine, outcome in
                switch outcome {
                case .completed: machine.finish(.completed, now: now)
                case .protocolError(let message): machine.finish(.protocolError(step: .credssp, message: message), now: now)
                case .sessionFollows(let selected): machine.startSession(selected: selected, now: now)
                }
            })
    }

    private mutating func record(_ observation: CredSSPStage.Observation, now: UInt64) {
        switch observation {
        case .challenge(var observed):
            guard record.credssp == nil else { return }
            observed.challengeAtMs = milliseconds(since: connectStartedAt, now: now)
            record.credssp = observed
        case .encodingDeviations(let deviations):
            let earlier = record.credssp?.encodingDeviations ?? []
            record.credssp?.encodingDeviations = earlier + deviations.filter { !earlier.contains($0) }
        case .serverError(let status):
            record.credssp?.errorCode = status
        case let .credential(account, outcome, ntstatus, detail):
            var observed = record.credential ?? CredentialObservation(account: account, outcome: outcome)
            observed.outcome = outcome
            observed.ntstatus = ntstatus ?? observed.ntstatus
            observed.detail = detail ?? observed.detail
            record.credential = observed
        case .credentialsSent:
            record.credential?.credentialsSent = true
        case .earlyAuthorizationResult(let result):
            record.credential?.earlyAuthorizationResult = result
        }
    }
}

extension CredSSPObservation {
    /// What a CHALLENGE tells, as the live stage and a decrypted capture record it.
    public init(challenge info: ChallengeInfo?, version: Int?) {
        self.init()
        serverVersion = version
        if let info {
            netbiosComputer = info.nbComputerName
            netbiosDomain = info.nbDomainName
            dnsComputer = info.dnsComputerName
            dnsDomain = info.dnsDomainName
            dnsTree = info.dnsTreeName
            osVersion = info.osVersion.map { "\($0.major).\($0.minor).\($0.build)" }
            serverTimeUnix = info.serverTime.map { Double($0.unixSeconds) }
        }
    }
}
