import CertificateAudit
import RDPProtocol
import RDPSecurity
import RDPWire

/// The connection past security negotiation, without credentials: MCS
/// connect, domain and channels, under standard RDP security the Security
/// Exchange and the encryption that follows, Client Info, licensing, and
/// Demand Active (the point where a client would show the logon screen).
///
/// A sub-machine: it owns its state, takes bytes and returns `Output`s (bytes
/// to send, typed observations, step boundaries, what it waits for, how it
/// ended). It never touches its parent; `RDPProbeMachine` maps the outputs
/// to its record, timings and deadlines.
struct SessionStage: Sendable {
    /// What the stage waits for; `shared` names it for the record and reports.
    enum Awaiting: StageWaiting {
        case connectResponse
        case attachUserConfirm
        case channelJoinConfirm(UInt16)
        case licensing
        case demandActive

        var shared: ProbeCore.Awaiting {
            switch self {
            case .connectResponse: .connectResponse
            case .attachUserConfirm: .attachUserConfirm
            case .channelJoinConfirm(let channel): .channelJoinConfirm(channel)
            case .licensing: .licensing
            case .demandActive: .demandActive
            }
        }
    }

    /// A fact the stage saw, for the parent's record.
    enum Observation: Sendable, Equatable {
        case serverData(ServerDataObservation)
        case userChannel(UInt16)
        case joinedChannel(UInt16)
        /// A licensing PDU worth reporting (the first one, or a licensing error).
        case licensing(LicensingObservation)
        case licenseIssued
        case errorInfo(ErrorInfoCode)
        case redirected
        case demandActive(serverOSMajor: UInt16?, serverOSMinor: UInt16?)
        case disconnectReason(MCSDisconnectReason)
        case standardSecurity(StandardSecurityObservation)
    }

    /// How the stage ended.
    enum Outcome: Sendable, Equatable {
        /// It got what it came for, or as far as a walk without credentials goes.
        case completed
        /// The server sent MCS Disconnect Provider Ultimatum while the stage waited for `awaiting`.
        case disconnected(MCSDisconnectReason, awaiting: Awaiting)
        /// The server's bytes did not decode, or did not verify (a MAC).
        case protocolError(WireError, step: Step)
        /// The server answered, but not as a walk can go on (an MCS result).
        case refused(String, step: Step)
        /// rdpdoctor could not build what it had to send.
        case localError(String)
    }

    /// What one input produced, in order.
    typealias Output = StageOutput<Observation, Awaiting, Outcome>

    private enum Phase: Sendable {
        case awaitingConnectResponse
        case awaitingAttachConfirm
        case joining(pending: [UInt16])
        case awaitingLicensing
        case awaitingDemandActive
        case done
    }

    private var phase: Phase = .awaitingConnectResponse
    private var framer = TPKTFramer()
    private let selected: SecurityProtocols
    private let stopAfterServerData: Bool
    private let clientRandom: [UInt8]
    private var userID: UInt16 = 0
    private var ioChannel: UInt16 = 1003
    private var channelsToJoin: [UInt16] = []
    /// Under standard RDP security: what the Security Exchange needs, then the
    /// keys. Server PDUs carry a security header when the method is not NONE.
    private var pendingExchange: PendingExchange?
    private var security: StandardSecurityLayer?
    private var securedHeaders = false
    private var securityObservation: StandardSecurityObservation?
    private var licensingSeen = false

    private struct PendingExchange: Sendable {
        /// The Security Exchange PDU's data, ready to go after the channel joins.
        let userData: [UInt8]
        let keys: SessionKeys
    }

    /// - Parameter clientRandom: the 32 bytes of the Security Exchange (random unless a test fixes them).
    init(selected: SecurityProtocols, stopAfterServerData: Bool, clientRandom: [UInt8]? = nil) {
        self.selected = selected
        self.stopAfterServerData = stopAfterServerData
        if let clientRandom {
            self.clientRandom = clientRandom
        } else {
            var generator = SystemRandomNumberGenerator()
            self.clientRandom = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        }
    }

    var isFinished: Bool {
        if case .done = phase { return true }
        return false
    }

    /// The MCS Connect Initial.
    mutating func start() -> [Output] {
        let initial = MCSConnectInitial(clientData: .probe(selectedProtocol: selected))
        guard let bytes = try? initial.encode() else {
            return finish(.localError("could not encode the MCS Connect Initial"))
        }
        return [.send(bytes), .awaiting(.connectResponse)]
    }

    /// Feeds bytes; returns the outputs of every whole frame that arrived.
    mutating func receive(_ bytes: [UInt8]) -> [Output] {
        guard !isFinished else { return [] }
        framer.append(bytes)
        var outputs: [Output] = []
        while !isFinished {
            let frame: [UInt8]
            do {
                guard case let .frame(kind, whole) = try framer.next() else { return outputs }
                if kind == .fastPath { continue }  // output updates: not expected before activation; ignored
                frame = whole
            } catch {
                return outputs + finish(.protocolError(error, step: currentStep))
            }
            outputs += handle(frame)
        }
        return outputs
    }

    /// The step of the current wait.
    private var currentStep: Step {
        switch phase {
        case .awaitingConnectResponse: .mcs
        case .awaitingAttachConfirm, .joining: .channels
        case .awaitingLicensing: .licensing
        case .awaitingDemandActive, .done: .capabilities
        }
    }

    private var awaiting: Awaiting {
        switch phase {
        case .awaitingConnectResponse: .connectResponse
        case .awaitingAttachConfirm: .attachUserConfirm
        case .joining(let pending): .channelJoinConfirm(pending.first ?? 0)
        case .awaitingLicensing: .licensing
        case .awaitingDemandActive, .done: .demandActive
        }
    }

    private mutating func finish(_ outcome: Outcome) -> [Output] {
        phase = .done
        return [.finished(outcome)]
    }

    private mutating func handle(_ frame: [UInt8]) -> [Output] {
        do {
            if case .awaitingConnectResponse = phase {
                return try connectResponse(MCSConnectResponse.decode(frame[...]))
            }
            switch try MCSDomainPDU.decode(frame: frame[...]) {
            case let .disconnectProviderUltimatum(reason):
                return [.observed(.disconnectReason(reason))] + finish(.disconnected(reason, awaiting: awaiting))
            case let .attachUserConfirm(result, initiator):
                guard case .awaitingAttachConfirm = phase else { return [] }
                guard result == .successful, let user = initiator else {
                    return finish(.refused("MCS Attach User Confirm: result \(result.name ?? String(result.rawValue))", step: .mcs))
                }
                userID = user
                return [.observed(.userChannel(user))] + joinNext(pending: [user, ioChannel] + channelsToJoin)
            case let .channelJoinConfirm(result, _, requested, _):
                guard case let .joining(pending) = phase else { return [] }
                guard result == .successful else {
                    return finish(.refused("MCS Channel Join Confirm for channel \(requested): result \(result.name ?? String(result.rawValue))", step: .mcs))
                }
                return [.observed(.joinedChannel(requested))] + joinNext(pending: Array(pending.dropFirst()))
            case let .sendDataIndication(data):
                return try serverData(data.userData)
            case .sendDataRequest, .other:
                return []
            }
        } catch {
            return finish(.protocolError(error, step: currentStep))
        }
    }

    private mutating func connectResponse(_ response: MCSConnectResponse) -> [Output] {
        let observed = ServerDataObservation(response)
        let securityData = response.serverData?.security
        if let network = response.serverData?.network {
            ioChannel = network.ioChannelID
            channelsToJoin = network.channelIDs
        }
        if let message = response.serverData?.messageChannelID { channelsToJoin.append(message) }
        var outputs: [Output] = [.stepCompleted, .observed(.serverData(observed))]
        guard response.result == .successful, response.serverData != nil else {
            return outputs + finish(.refused("MCS Connect Response: result \(response.result.name ?? String(response.result.rawValue))", step: .mcs))
        }
        if stopAfterServerData { return outputs + finish(.completed) }
        if selected == .rdp, let securityData, securityData.encryptionMethod != .none {
            securedHeaders = true
            var exchange = StandardSecurityObservation()
            if let strength = KeyStrength(method: securityData.encryptionMethod) {
                // Prepare the Security Exchange now: a server whose random or key
                // cannot be used fails here, at the PDU that carried them.
                do {
                    let key = try Self.serverKey(securityData)
                    exchange.serverKeyBits = key.bits
                    if case .x509Chain? = securityData.certificate { exchange.serverKeyFromX509 = true }
                    exchange.keyBits = strength.bits
                    pendingExchange = PendingExchange(
                        userData: try SecurityExchange.encode(clientRandom: clientRandom, serverKey: key),
                        keys: try SessionKeys(
                            clientRandom: clientRandom, serverRandom: securityData.serverRandom,
                            strength: strength))
                } catch {
                    return outputs + finish(.protocolError(error, step: .mcs))
                }
            } else {
                // FIPS (3DES, SHA-1 HMAC) or a method that is not one of the RC4 ones.
                exchange.notAttempted = .fipsNotImplemented
            }
            securityObservation = exchange
        }
        phase = .awaitingAttachConfirm
        outputs += [.send(MCSRequest.erectDomain()), .send(MCSRequest.attachUser()), .awaiting(.attachUserConfirm)]
        return outputs
    }

    /// The key that encrypts the client random: the proprietary certificate's,
    /// or the leaf's of an X.509 chain (sent root first, leaf last).
    private static func serverKey(_ data: ServerSecurityData) throws(WireError) -> SecurityExchange.ServerKey {
        switch data.certificate {
        case let .proprietary(certificate, _)?:
            return try SecurityExchange.ServerKey(proprietary: certificate.publicKey)
        case let .x509Chain(chain, _)?:
            guard let leaf = chain.last, let parts = CertificateKey.rsaPublicKey(ofDER: leaf) else {
                throw WireError(
                    .invalidField(reason: "has no leaf certificate with an RSA key"),
                    pdu: "Server Security Data certificate", field: "X.509 chain")
            }
            return try SecurityExchange.ServerKey(modulusBigEndian: parts.modulus, exponentBigEndian: parts.exponent)
        case nil:
            throw WireError(
                .invalidField(reason: "is missing, but the server chose encryption"),
                pdu: "Server Security Data", field: "serverCertificate")
        }
    }

    private mutating func joinNext(pending: [UInt16]) -> [Output] {
        guard let next = pending.first else { return afterChannels() }
        phase = .joining(pending: pending)
        return [.send(MCSRequest.channelJoin(userID: userID, channelID: next)), .awaiting(.channelJoinConfirm(next))]
    }

    /// All channels joined: the Security Exchange when standard RDP security
    /// encrypts, then the Client Info PDU.
    private mutating func afterChannels() -> [Output] {
        var outputs: [Output] = [.stepCompleted]
        if let observation = securityObservation, observation.notAttempted != nil {
            // Stop here, honestly: the rest of the walk needs cryptography rdpdoctor lacks.
            return outputs + [.observed(.standardSecurity(observation))] + finish(.completed)
        }
        do {
            var sends: [[UInt8]] = []
            let info = ClientInfoPDU()
            if let exchange = pendingExchange {
                sends.append(try MCSRequest.sendData(userID: userID, channelID: ioChannel, userData: exchange.userData))
                var layer = StandardSecurityLayer(keys: exchange.keys)
                let sealed = try layer.seal(info.infoPacket(), flags: .infoPacket, pdu: "Client Info PDU")
                sends.append(try MCSRequest.sendData(userID: userID, channelID: ioChannel, userData: sealed))
                security = layer
                pendingExchange = nil
                securityObservation?.exchangeSent = true
                if let observation = securityObservation { outputs.append(.observed(.standardSecurity(observation))) }
            } else {
                sends.append(try MCSRequest.sendData(userID: userID, channelID: ioChannel, userData: info.encode()))
            }
            phase = .awaitingLicensing
            return outputs + sends.map(Output.send) + [.awaiting(.licensing)]
        } catch {
            return outputs + finish(.localError("could not encode the \(error.pdu): \(error)"))
        }
    }

    /// A slow-path PDU from the server: licensing while licensing is due,
    /// share control PDUs after it. Under standard RDP security with
    /// encryption every one has a security header, and is decrypted when it
    /// says SEC_ENCRYPT.
    private mutating func serverData(_ bytes: ArraySlice<UInt8>) throws(WireError) -> [Output] {
        var payload = bytes
        var flags: SecurityFlags = []
        let licensing: Bool
        if case .awaitingLicensing = phase { licensing = true } else { licensing = false }
        if licensing || securedHeaders {
            var reader = ByteReader(bytes, pdu: "server PDU")
            let header = try SecurityHeader.decode(from: &reader)
            flags = header.flags
            payload = reader.rest()
            if header.flags.contains(.encrypt) {
                guard var layer = security else {
                    throw WireError(
                        .invalidField(reason: "has SEC_ENCRYPT, but no session keys were agreed"),
                        pdu: licensing ? "server licensing PDU" : "server share control PDU", field: "security header flags")
                }
                let name =
                    header.flags.contains(.licensePacket)
                    ? "server licensing PDU"
                    : licensing ? "server PDU (licensing was due)" : "Demand Active PDU (or another share control PDU)"
                payload = try layer.open(payload, header: header, pdu: name)[...]
                security = layer
                if securityObservation != nil {
                    securityObservation?.decryptedPDUs += 1
                    if header.flags.contains(.secureChecksum) {
                        securityObservation?.saltedChecksums = true
                        security?.saltedChecksums = true
                    }
                }
            }
        }
        var outputs: [Output] = []
        if let observation = securityObservation, flags.contains(.encrypt) {
            outputs.append(.observed(.standardSecurity(observation)))
        }
        if licensing {
            if flags.contains(.licensePacket) {
                return outputs + (try licensingPDU(payload))
            }
            if flags.contains(.redirectionPacket) {
                return outputs + [.observed(.redirected)] + finish(.completed)
            }
        }
        for pdu in try ServerSharePDU.decodeAll(payload) {
            switch pdu {
            case .demandActive(let active):
                let os = active.serverOS
                return outputs + [
                    .observed(.demandActive(serverOSMajor: os?.major, serverOSMinor: os?.minor)),
                    .stepCompleted, .send(MCSRequest.disconnectProviderUltimatum()),
                ] + finish(.completed)
            case let .data(_, .setErrorInfo(code)):
                outputs.append(.observed(.errorInfo(code)))
            case .serverRedirection:
                return outputs + [.observed(.redirected)] + finish(.completed)
            default:
                continue
            }
        }
        return outputs
    }

    private mutating func licensingPDU(_ bytes: ArraySlice<UInt8>) throws(WireError) -> [Output] {
        let licensing = try ServerLicensingPDU.decode(bytes)
        var outputs: [Output] = []
        // The first licensing PDU is what the report shows; the probe answers
        // a license request as a client without a stored license would.
        if !licensingSeen {
            licensingSeen = true
            outputs.append(.observed(.licensing(Self.observation(licensing))))
        }
        switch licensing.messageType {
        case .licenseRequest:
            return outputs + [
                .send(
                    try MCSRequest.sendData(
                        userID: userID, channelID: ioChannel,
                        userData: ClientLicensing.newLicenseRequest())),
                .awaiting(.licensing),
            ]
        case .platformChallenge:
            return outputs + [
                .send(
                    try MCSRequest.sendData(
                        userID: userID, channelID: ioChannel,
                        userData: ClientLicensing.platformChallengeResponse())),
                .awaiting(.licensing),
            ]
        case .newLicense, .upgradeLicense:
            outputs.append(.observed(.licenseIssued))
        default:
            if case let .errorAlert(message) = licensing.message, message.errorCode != .validClient {
                outputs.append(.observed(.licensing(Self.observation(licensing))))
            }
        }
        phase = .awaitingDemandActive
        return outputs + [.stepCompleted, .awaiting(.demandActive)]
    }

    static func observation(_ pdu: ServerLicensingPDU) -> LicensingObservation {
        LicensingObservation(pdu)
    }
}

extension LicensingObservation {
    /// One mapping for the live walk and a decrypted capture.
    public init(_ pdu: ServerLicensingPDU) {
        switch pdu.message {
        case let .errorAlert(message):
            if message.errorCode == .validClient, message.stateTransition == .noTransition { self = .validClient; return }
            self = .error(code: message.errorCode, stateTransition: message.stateTransition)
        case .other(let type, _):
            self = type == .licenseRequest ? .licenseRequest : .other(messageType: type.rawValue)
        }
    }
}

extension RDPProbeMachine {
    mutating func startSession(selected: SecurityProtocols, now: UInt64) -> [ConnectionAction] {
        var stage = SessionStage(selected: selected, stopAfterServerData: goal == .serverData, clientRandom: fixedClientRandom)
        let outputs = stage.start()
        state = .session(stage)
        return apply(outputs, now: now)
    }

    /// Maps what the session stage returned to the record, the step timings
    /// and the transport's actions.
    mutating func apply(_ outputs: [SessionStage.Output], now: UInt64) -> [ConnectionAction] {
        apply(
            outputs, now: now,
            observe: { machine, observation in machine.record(observation) },
            finished: { machine, outcome in machine.finish(machine.end(of: outcome), now: now) })
    }

    private func end(of outcome: SessionStage.Outcome) -> ConnectionEnd {
        switch outcome {
        case .completed:
            return .completed
        case let .disconnected(_, awaiting):
            // The reason is in the record (`session.disconnectReason`); reports add it.
            return .peerClosed(.fin, step: awaiting.step, waitingFor: awaiting.shared)
        case let .protocolError(error, step):
            return .protocolError(step: step, message: error.description)
        case let .refused(message, step):
            return .protocolError(step: step, message: message)
        case .localError(let reason):
            return .localError(reason)
        }
    }

    private mutating func record(_ observation: SessionStage.Observation) {
        switch observation {
        case .serverData(let data):
            record.serverData = data
        case .userChannel(let channel):
            session(\.userChannel, channel)
        case .joinedChannel(let channel):
            session(\.joinedChannels, (record.session?.joinedChannels ?? []) + [channel])
        case .licensing(let licensing):
            session(\.licensing, licensing)
        case .licenseIssued:
            session(\.licenseIssued, true)
        case .errorInfo(let code):
            session(\.errorInfo, (record.session?.errorInfo ?? []) + [code])
        case .redirected:
            session(\.redirected, true)
        case let .demandActive(major, minor):
            session(\.demandActive, true)
            if let major, let minor {
                session(\.serverOSMajor, major)
                session(\.serverOSMinor, minor)
            }
        case .disconnectReason(let reason):
            session(\.disconnectReason, reason)
        case .standardSecurity(let security):
            session(\.standardSecurity, security)
        }
    }

    private mutating func session<Value>(_ field: WritableKeyPath<SessionObservation, Value>, _ value: Value) {
        var session = record.session ?? SessionObservation()
        session[keyPath: field] = value
        record.session = session
    }
}
