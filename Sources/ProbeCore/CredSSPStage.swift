import CertificateAudit
import CredSSP
import NTLM
import RDPProtocol

/// CredSSP (NLA). Without credentials: send the NTLM NEGOTIATE, read the
/// server's CHALLENGE (names, version, clock) and stop. With credentials:
/// authenticate with NTLMv2, check the server's proof of its TLS key, and
/// only with --logon send the credentials and go on.
struct CredSSPStage: Sendable {
    /// What the stage waits for; `description` is the phrase reports use.
    enum Awaiting: Sendable, Equatable, CustomStringConvertible {
        case challenge
        case authenticateAnswer
        case earlyAuthorization

        var description: String {
            switch self {
            case .challenge: "the server's NTLM CHALLENGE (CredSSP)"
            case .authenticateAnswer: "the server's answer to the NTLM AUTHENTICATE"
            case .earlyAuthorization: "the early user authorization result (HYBRID_EX)"
            }
        }
    }

    enum Phase: Sendable {
        case awaitingChallenge
        case awaitingServerProof
        case awaitingEarlyAuthorization
    }

    var client: CredSSPClient
    var phase: Phase = .awaitingChallenge
    var buffer: [UInt8] = []
    let selected: SecurityProtocols
    let account: String?

    mutating func receive(_ bytes: [UInt8], machine: inout RDPProbeMachine, now: UInt64) -> [ConnectionAction] {
        buffer += bytes
        if case .awaitingEarlyAuthorization = phase {
            return earlyAuthorization(machine: &machine, now: now)
        }
        let length: Int
        do {
            guard let whole = try TSRequest.frameLength(of: buffer), buffer.count >= whole else { return [] }
            length = whole
        } catch {
            return machine.finish(.protocolError(step: .credssp, message: "CredSSP TSRequest: \(error)"), now: now)
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
        record(client.challenge, machine: &machine, now: now)
        let deviations = client.encodingDeviations.map(\.description)
            + (trailing > 0 ? ["\(trailing) bytes after a TSRequest, ignored"] : [])
        if !deviations.isEmpty {
            let earlier = machine.record.credssp?.encodingDeviations ?? []
            machine.record.credssp?.encodingDeviations = earlier + deviations.filter { !earlier.contains($0) }
        }
        switch action {
        case .challengeReceived:
            machine.endStep(now: now)
            return machine.finish(.completed, now: now)
        case .send(let authenticate):
            phase = .awaitingServerProof
            machine.waitingFor = .credssp(.authenticateAnswer)
            return [.send(authenticate), machine.deadline(now: now)]
        case .serverError(let status):
            if case .awaitingChallenge = phase {
                machine.record.credssp?.errorCode = status.rawValue
            } else {
                credential(.rejected, ntstatus: status.rawValue, machine: &machine)
            }
            return machine.finish(.completed, now: now)
        case .authenticated(let credentialsMessage):
            machine.endStep(now: now)
            credential(.accepted, machine: &machine)
            guard let credentialsMessage else { return machine.finish(.completed, now: now) }
            machine.record.credential?.credentialsSent = true
            if selected.contains(.hybridEx) {
                phase = .awaitingEarlyAuthorization
                machine.begin(.credssp, waiting: .credssp(.earlyAuthorization), now: now)
                return [.send(credentialsMessage), machine.deadline(now: now)]
            }
            return [.send(credentialsMessage)] + machine.startSession(selected: selected, now: now)
        case .failed(let reason):
            switch reason {
            case .publicKeyMismatch: credential(.serverKeyMismatch, detail: reason.description, machine: &machine)
            case .serverSignatureInvalid: credential(.serverProofInvalid, detail: reason.description, machine: &machine)
            case .ntlm where account != nil: credential(.ntlmUnavailable, detail: reason.description, machine: &machine)
            default: break
            }
            return machine.finish(.protocolError(step: .credssp, message: reason.description), now: now)
        }
    }

    /// The peer closed while CredSSP was under way: after our AUTHENTICATE,
    /// that is how some servers (FreeRDP) say "wrong credentials".
    func closed(machine: inout RDPProbeMachine) {
        if case .awaitingServerProof = phase {
            credential(.closedAfterAuthenticate, machine: &machine)
        }
    }

    private mutating func earlyAuthorization(machine: inout RDPProbeMachine, now: UInt64) -> [ConnectionAction] {
        guard buffer.count >= 4 else { return [] }
        let result: EarlyUserAuthorizationResult
        do {
            result = try EarlyUserAuthorizationResult(decoding: Array(buffer.prefix(4)))
        } catch {
            return machine.finish(.protocolError(step: .credssp, message: "early user authorization result: \(error)"), now: now)
        }
        buffer.removeFirst(4)
        machine.record.credential?.earlyAuthorizationResult = result.rawValue
        machine.endStep(now: now)
        guard result.rawValue == 0 else {
            machine.record.credential?.outcome = .earlyAuthorizationDenied
            return machine.finish(.completed, now: now)
        }
        return machine.startSession(selected: selected, now: now)
    }

    private func record(_ info: ChallengeInfo?, machine: inout RDPProbeMachine, now: UInt64) {
        guard machine.record.credssp == nil else { return }
        var observed = CredSSPObservation()
        observed.serverVersion = client.peerVersion
        observed.challengeAtMs = machine.milliseconds(since: machine.connectStartedAt, now: now)
        if let info {
            observed.netbiosComputer = info.nbComputerName
            observed.netbiosDomain = info.nbDomainName
            observed.dnsComputer = info.dnsComputerName
            observed.dnsDomain = info.dnsDomainName
            observed.dnsTree = info.dnsTreeName
            observed.osVersion = info.osVersion.map { "\($0.major).\($0.minor).\($0.build)" }
            observed.serverTimeUnix = info.serverTime.map { Double($0.unixSeconds) }
        }
        machine.record.credssp = observed
    }

    private func credential(_ outcome: CredentialObservation.Outcome, ntstatus: UInt32? = nil, detail: String? = nil,
                            machine: inout RDPProbeMachine) {
        guard let account else { return }
        var observed = machine.record.credential ?? CredentialObservation(account: account, outcome: outcome)
        observed.outcome = outcome
        observed.ntstatus = ntstatus ?? observed.ntstatus
        observed.detail = detail ?? observed.detail
        machine.record.credential = observed
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
        var client = CredSSPClient(serverPublicKey: key, configuration: configuration)
        let first = client.start(credentials: credentials)
        state = .credssp(CredSSPStage(client: client, selected: selected, account: self.credentials?.account))
        begin(.credssp, waiting: .credssp(.challenge), now: now)
        return [.send(first), deadline(now: now)]
    }
}
