import CredSSP
import NTLM
import RDPProtocol

/// CredSSP without credentials: send the NTLM NEGOTIATE, read the server's
/// CHALLENGE (names, version, clock), and stop before anything secret.
struct CredSSPStage: Sendable {
    var client: CredSSPClient
    var buffer: [UInt8] = []

    mutating func receive(_ bytes: [UInt8], machine: inout RDPProbeMachine, now: UInt64) -> [ConnectionAction] {
        buffer += bytes
        let length: Int
        do {
            guard let whole = try TSRequest.frameLength(of: buffer), buffer.count >= whole else { return [] }
            length = whole
        } catch {
            return machine.finish(.protocolError(step: .credssp, message: "CredSSP TSRequest: \(error)"), now: now)
        }
        let message = Array(buffer.prefix(length))
        buffer.removeFirst(length)
        var observed = CredSSPObservation()
        observed.challengeAtMs = machine.milliseconds(since: machine.connectStartedAt, now: now)
        let action = client.receive(message)
        observed.serverVersion = client.peerVersion
        switch action {
        case .challengeReceived(let info):
            observed.netbiosComputer = info.nbComputerName
            observed.netbiosDomain = info.nbDomainName
            observed.dnsComputer = info.dnsComputerName
            observed.dnsDomain = info.dnsDomainName
            observed.dnsTree = info.dnsTreeName
            observed.osVersion = info.osVersion.map { "\($0.major).\($0.minor).\($0.build)" }
            observed.serverTimeUnix = info.serverTime.map { Double($0.unixSeconds) }
            machine.record.credssp = observed
            machine.endStep(now: now)
            return machine.finish(.completed, now: now)
        case .serverError(let status):
            observed.errorCode = status.rawValue
            machine.record.credssp = observed
            return machine.finish(.completed, now: now)
        case .failed(let reason):
            machine.record.credssp = observed
            return machine.finish(.protocolError(step: .credssp, message: reason.description), now: now)
        case .send, .authenticated:
            // Only reachable with credentials, which this stage never has.
            machine.record.credssp = observed
            return machine.finish(.completed, now: now)
        }
    }
}

extension RDPProbeMachine {
    mutating func startCredSSP(selected: SecurityProtocols, serverPublicKey: [UInt8]?, now: UInt64) -> [ConnectionAction] {
        var client = CredSSPClient(serverPublicKey: [])
        let first = client.start(credentials: nil)
        state = .credssp(CredSSPStage(client: client))
        begin(.credssp, waiting: "the server's NTLM CHALLENGE (CredSSP)", now: now)
        return [.send(first), deadline(now: now)]
    }
}
