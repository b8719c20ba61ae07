import RDPProtocol
import RDPWire

/// The connection past security negotiation, without credentials: MCS
/// connect, domain and channels, Client Info, licensing, and Demand Active
/// (the point where a client would show the logon screen).
struct SessionStage: Sendable {
    enum Phase: Sendable {
        case awaitingConnectResponse
        case awaitingAttachConfirm
        case joining(pending: [UInt16])
        case awaitingLicensing
        case awaitingDemandActive
    }

    var phase: Phase = .awaitingConnectResponse
    var framer = TPKTFramer()
    let selected: SecurityProtocols
    let stopAfterServerData: Bool
    var userID: UInt16 = 0
    var ioChannel: UInt16 = 1003
    var channelsToJoin: [UInt16] = []

    /// Feeds bytes; returns the actions for every whole frame that arrived.
    mutating func receive(_ bytes: [UInt8], machine: inout RDPProbeMachine, now: UInt64) -> [ConnectionAction] {
        framer.append(bytes)
        var actions: [ConnectionAction] = []
        while true {
            let frame: [UInt8]
            do {
                guard case let .frame(kind, whole) = try framer.next() else { return actions }
                if kind == .fastPath { continue }  // output updates: not expected before activation; ignored
                frame = whole
            } catch {
                return actions + machine.finish(.protocolError(step: machine.currentStep, message: error.description), now: now)
            }
            actions += handle(frame, machine: &machine, now: now)
            if machine.isFinished { return actions }
        }
    }

    private mutating func handle(_ frame: [UInt8], machine: inout RDPProbeMachine, now: UInt64) -> [ConnectionAction] {
        do {
            if case .awaitingConnectResponse = phase {
                return try connectResponse(MCSConnectResponse.decode(frame[...]), machine: &machine, now: now)
            }
            switch try MCSDomainPDU.decode(frame: frame[...]) {
            case let .disconnectProviderUltimatum(reason):
                machine.session(\.disconnectReason, UInt32(reason.rawValue))
                return machine.finish(.peerClosed(.fin, step: machine.currentStep, waitingFor: machine.waitingFor + " (the server sent MCS Disconnect Provider Ultimatum, reason \(reason.name ?? String(reason.rawValue)))"), now: now)
            case let .attachUserConfirm(result, initiator):
                guard case .awaitingAttachConfirm = phase else { return [] }
                guard result == .successful, let user = initiator else {
                    return machine.finish(.protocolError(step: .mcs, message: "MCS Attach User Confirm: result \(result.name ?? String(result.rawValue))"), now: now)
                }
                userID = user
                machine.session(\.userChannel, user)
                return joinNext(pending: [user, ioChannel] + channelsToJoin, machine: &machine, now: now)
            case let .channelJoinConfirm(result, _, requested, _):
                guard case let .joining(pending) = phase else { return [] }
                guard result == .successful else {
                    return machine.finish(.protocolError(step: .mcs, message: "MCS Channel Join Confirm for channel \(requested): result \(result.name ?? String(result.rawValue))"), now: now)
                }
                machine.appendJoined(requested)
                return joinNext(pending: Array(pending.dropFirst()), machine: &machine, now: now)
            case let .sendDataIndication(data):
                return try serverData(data.userData, machine: &machine, now: now)
            case .sendDataRequest, .other:
                return []
            }
        } catch {
            return machine.finish(.protocolError(step: machine.currentStep, message: error.description), now: now)
        }
    }

    private mutating func connectResponse(_ response: MCSConnectResponse, machine: inout RDPProbeMachine,
                                          now: UInt64) -> [ConnectionAction] {
        machine.endStep(now: now)
        var observed = ServerDataObservation()
        observed.mcsResult = UInt32(response.result.rawValue)
        if let data = response.serverData {
            observed.rdpVersion = data.core?.version.rawValue
            observed.clientRequestedProtocols = data.core?.clientRequestedProtocols?.rawValue
            observed.earlyCapabilityFlags = data.core?.earlyCapabilityFlags?.rawValue
            if let security = data.security {
                observed.encryptionMethod = security.encryptionMethod.rawValue
                observed.encryptionLevel = security.encryptionLevel.rawValue
                observed.serverRandomLength = security.serverRandom.count
                switch security.certificate {
                case let .proprietary(certificate, _)?:
                    observed.certificate = .proprietary(keyBits: Int(certificate.publicKey.bitLength))
                case let .x509Chain(chain, _)?:
                    observed.certificate = .x509(chain: chain.map(HexBytes.init))
                case nil:
                    break
                }
            }
            if let network = data.network {
                observed.ioChannel = network.ioChannelID
                observed.channelIDs = network.channelIDs
                ioChannel = network.ioChannelID
                channelsToJoin = network.channelIDs
            }
            observed.messageChannel = data.messageChannelID
            if let message = data.messageChannelID { channelsToJoin.append(message) }
            observed.multitransportFlags = data.multitransport?.rawValue
        }
        machine.recordServerData(observed)
        guard response.result == .successful, response.serverData != nil else {
            return machine.finish(.protocolError(step: .mcs, message: "MCS Connect Response: result \(response.result.name ?? String(response.result.rawValue))"), now: now)
        }
        // Standard RDP security with encryption needs the security exchange,
        // which the probe does not replay: the server data is what it came for.
        let encrypted = selected == .rdp && (observed.encryptionMethod ?? 0) != 0
        if stopAfterServerData || encrypted { return machine.finish(.completed, now: now) }
        phase = .awaitingAttachConfirm
        machine.begin(.channels, waiting: "the MCS Attach User Confirm", now: now)
        return [.send(MCSRequest.erectDomain()), .send(MCSRequest.attachUser()), machine.deadline(now: now)]
    }

    private mutating func joinNext(pending: [UInt16], machine: inout RDPProbeMachine, now: UInt64) -> [ConnectionAction] {
        guard let next = pending.first else { return sendClientInfo(machine: &machine, now: now) }
        phase = .joining(pending: pending)
        machine.waitingFor = "the MCS Channel Join Confirm for channel \(next)"
        return [.send(MCSRequest.channelJoin(userID: userID, channelID: next)), machine.deadline(now: now)]
    }

    private mutating func sendClientInfo(machine: inout RDPProbeMachine, now: UInt64) -> [ConnectionAction] {
        machine.endStep(now: now)
        do {
            let info = try ClientInfoPDU().encode()
            let request = try MCSRequest.sendData(userID: userID, channelID: ioChannel, userData: info)
            phase = .awaitingLicensing
            machine.begin(.licensing, waiting: "the server's licensing PDU", now: now)
            return [.send(request), machine.deadline(now: now)]
        } catch {
            return machine.finish(.localError("could not encode the Client Info PDU: \(error)"), now: now)
        }
    }

    /// A slow-path PDU from the server: licensing while licensing is due,
    /// share control PDUs after it.
    private mutating func serverData(_ bytes: ArraySlice<UInt8>, machine: inout RDPProbeMachine,
                                     now: UInt64) throws(WireError) -> [ConnectionAction] {
        if case .awaitingLicensing = phase {
            var reader = ByteReader(bytes, pdu: "server PDU")
            let header = try SecurityHeader.decode(from: &reader)
            if header.flags.contains(.licensePacket) {
                let licensing = try ServerLicensingPDU.decode(reader.rest())
                // The first licensing PDU is what the report shows; the probe answers
                // a license request as a client without a stored license would.
                if machine.record.session?.licensing == nil {
                    machine.session(\.licensing, Self.observation(licensing))
                }
                switch licensing.messageType {
                case .licenseRequest:
                    return [.send(try MCSRequest.sendData(userID: userID, channelID: ioChannel,
                                                          userData: ClientLicensing.newLicenseRequest())),
                            machine.deadline(now: now)]
                case .platformChallenge:
                    return [.send(try MCSRequest.sendData(userID: userID, channelID: ioChannel,
                                                          userData: ClientLicensing.platformChallengeResponse())),
                            machine.deadline(now: now)]
                case .newLicense, .upgradeLicense:
                    machine.session(\.licenseIssued, true)
                default:
                    if case let .errorAlert(message) = licensing.message, message.errorCode != .validClient {
                        machine.session(\.licensing, Self.observation(licensing))
                    }
                }
                machine.endStep(now: now)
                phase = .awaitingDemandActive
                machine.begin(.capabilities, waiting: "the Demand Active PDU", now: now)
                return [machine.deadline(now: now)]
            }
            if header.flags.contains(.redirectionPacket) {
                machine.session(\.redirected, true)
                return machine.finish(.completed, now: now)
            }
        }
        for pdu in try ServerSharePDU.decodeAll(bytes) {
            switch pdu {
            case .demandActive(let active):
                machine.session(\.demandActive, true)
                if let os = active.serverOS {
                    machine.session(\.serverOSMajor, os.major)
                    machine.session(\.serverOSMinor, os.minor)
                }
                machine.endStep(now: now)
                return [.send(MCSRequest.disconnectProviderUltimatum())] + machine.finish(.completed, now: now)
            case let .data(_, .setErrorInfo(code)):
                machine.appendErrorInfo(code.rawValue)
            case .serverRedirection:
                machine.session(\.redirected, true)
                return machine.finish(.completed, now: now)
            default:
                continue
            }
        }
        return []
    }

    static func observation(_ pdu: ServerLicensingPDU) -> LicensingObservation {
        switch pdu.message {
        case let .errorAlert(message):
            if message.errorCode == .validClient, message.stateTransition.rawValue == 2 { return .validClient }
            return .error(code: message.errorCode.rawValue, stateTransition: message.stateTransition.rawValue)
        case .other(let type, _):
            return type == .licenseRequest ? .licenseRequest : .other(messageType: type.rawValue)
        }
    }
}

extension RDPProbeMachine {
    mutating func startSession(selected: SecurityProtocols, now: UInt64) -> [ConnectionAction] {
        let initial = MCSConnectInitial(clientData: .probe(selectedProtocol: selected))
        guard let bytes = try? initial.encode() else {
            return finish(.localError("could not encode the MCS Connect Initial"), now: now)
        }
        state = .session(SessionStage(selected: selected, stopAfterServerData: goal == .serverData))
        begin(.mcs, waiting: "the MCS Connect Response", now: now)
        return [.send(bytes), deadline(now: now)]
    }

    mutating func recordServerData(_ data: ServerDataObservation) {
        record.serverData = data
    }

    mutating func session<Value>(_ field: WritableKeyPath<SessionObservation, Value>, _ value: Value) {
        var session = record.session ?? SessionObservation()
        session[keyPath: field] = value
        record.session = session
    }

    mutating func appendJoined(_ channel: UInt16) {
        session(\.joinedChannels, (record.session?.joinedChannels ?? []) + [channel])
    }

    mutating func appendErrorInfo(_ code: UInt32) {
        session(\.errorInfo, (record.session?.errorInfo ?? []) + [code])
    }
}
