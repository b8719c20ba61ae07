import Capture
import ProbeCore
import RDPProtocol
import RDPWire
import TLSDecryption

/// Which side of a captured connection did something.
public enum Side: String, Sendable, Codable {
    case client, server
}

/// What a capture shows of one RDP connection: the record the live check
/// would have made of it (so the same rules judge it), and what only a
/// capture can tell.
public struct CapturedConnection: Sendable {
    public let client: Endpoint
    public let server: Endpoint
    /// When the connection began (Unix microseconds).
    public let startMicros: Int64
    public let record: ProbeRecord
    /// The routing token or `mstshash=` cookie the client sent (a user name: shown only when asked).
    public let cookie: String?
    public let clientHello: ClientHello?
    public let serverHello: ServerHello?
    /// TLS alerts sent in clear, by side.
    public let alerts: [(side: Side, description: UInt8)]
    /// Who ended the connection first, how, and when (ms after the start); nil when the capture ends first.
    public let closedBy: Side?
    public let closeKind: CloseKind?
    public let closedAtMs: Double?
    /// The TCP view: the capture's own evidence about the path (the counts
    /// and times; the bytes are dropped once read).
    public let tcp: TCPConnection
    /// The TLS part: decrypted with which key, or why not (nil without TLS).
    public internal(set) var decryption: CaptureFacts.Decryption?
    /// The client sent nothing after its X.224 request and closed first, after the server's answer.
    public internal(set) var clientLeftAfterNegotiation = false
    /// The client's MCS Connect Initial, when visible (in clear, or decrypted).
    public internal(set) var clientData: ClientDataObservation?
    /// The Connect Initial was visible but did not decode: the decoder's error.
    public internal(set) var clientDataProblem: String?
    /// A session a later connection of the capture may resume (its ID and master secret).
    var resumableSession: (id: [UInt8], master: [UInt8])?

    /// The capture's own evidence, for the diagnosis rules.
    public var facts: CaptureFacts {
        var facts = CaptureFacts()
        facts.closedBy = closedBy.map { $0 == .client ? .client : .server }
        facts.closeKind = closeKind
        facts.closedAtMs = closedAtMs
        facts.handshakeSeen = tcp.handshakeSeen
        if let closedAtMs {
            let lastByte = [tcp.toServer.lastPayloadMicros, tcp.toClient.lastPayloadMicros].compactMap { $0 }.max()
            facts.idleBeforeCloseMs = lastByte.map { max(0, closedAtMs - Double($0 - startMicros) / 1000) }
        }
        facts.fromClient = Self.direction(tcp.toServer)
        facts.fromServer = Self.direction(tcp.toClient)
        facts.decryption = decryption
        facts.clientData = clientData
        facts.clientDataProblem = clientDataProblem
        facts.clientLeftAfterNegotiation = clientLeftAfterNegotiation
        return facts
    }

    static func direction(_ side: TCPDirection) -> CaptureFacts.Direction {
        var direction = CaptureFacts.Direction()
        direction.retransmissions = side.retransmissions
        direction.largestRetransmitted = side.largestRetransmitted
        direction.outOfOrder = side.outOfOrder
        direction.missingBytes = side.missingBytes
        direction.zeroWindows = side.zeroWindows
        direction.announcedMSS = side.announcedMSS.map(Int.init)
        return direction
    }
}

public enum ConnectionReplay {
    /// Rebuilds the observations of one connection that began with an X.224 request.
    /// With `keys`, the TLS part is decrypted where they fit; `resumable`
    /// holds master secrets of earlier sessions by session ID.
    public static func replay(
        _ connection: TCPConnection, keys: DecryptionKeys = DecryptionKeys(),
        resumable: [[UInt8]: [UInt8]] = [:]
    ) -> CapturedConnection {
        let start = connection.synMicros ?? connection.firstMicros
        func ms(_ micros: Int64?) -> Double? { micros.map { Double($0 - start) / 1000 } }
        let up = connection.toServer.stream
        let down = connection.toClient.stream

        let requestLength = tpktLength(up)
        let request = requestLength.flatMap { try? X224ConnectionRequest.decode(up[..<$0]) }
        var record = ProbeRecord(purpose: .defaultClient, requestedProtocols: request?.requestedProtocols ?? .rdp)
        record.address = connection.server.address.description
        if let synAck = connection.synAckMicros, let syn = connection.synMicros {
            record.timings.append(StepTiming(step: .tcp, startMs: 0, durationMs: Double(synAck - syn) / 1000))
        }

        var furthest = Step.tcp
        var waitingFor = Awaiting.connectionRequest
        var tlsFailure: String?
        var clientHello: ClientHello?
        var serverHello: ServerHello?
        var alerts: [(side: Side, description: UInt8)] = []
        var decryption: CaptureFacts.Decryption?
        var reading: DecryptedReading?
        var resumableSession: (id: [UInt8], master: [UInt8])?
        var clientData: ClientDataReading?

        if let requestLength {
            furthest = .x224
            waitingFor = .connectionConfirm
            let requestAt = ms(connection.toServer.micros(atOffset: 0)) ?? 0
            var x224 = StepTiming(step: .x224, startMs: requestAt)
            let confirmLength = tpktLength(down)
            if let confirmLength, let confirm = try? X224ConnectionConfirm.decode(down[..<confirmLength]) {
                x224.durationMs = (ms(connection.toClient.micros(atOffset: 0)) ?? requestAt) - requestAt
                x224.bytesReceived = confirmLength
                record.negotiation = NegotiationObservation(confirm.result)
                if case .negotiated(_, let selected) = confirm.result, selected.rawValue != 0 {
                    // TLS (and CredSSP inside it) follows on both streams.
                    furthest = .tls
                    waitingFor = .tlsHandshake
                    let fromClient = TLSStream.read(up, from: requestLength)
                    let fromServer = TLSStream.read(down, from: confirmLength)
                    clientHello = fromClient.clientHello
                    serverHello = fromServer.serverHello
                    alerts = fromServer.alerts.map { (.server, $0.description) } + fromClient.alerts.map { (.client, $0.description) }
                    let helloAt = ms(connection.toServer.micros(atOffset: requestLength)) ?? requestAt
                    var tls = StepTiming(step: .tls, startMs: helloAt)
                    if let hello = serverHello {
                        record.tls = TLSSessionInfo(version: tlsVersion(hello.version), peerChain: fromServer.certificateChain ?? [])
                        // The handshake is done when the client sends its first encrypted record after the server's flight.
                        if let clientEncrypted = fromClient.encryptedFrom, fromServer.encryptedFrom != nil {
                            tls.durationMs = (ms(connection.toServer.micros(atOffset: clientEncrypted)) ?? helloAt) - helloAt
                        }
                    }
                    record.timings.append(x224)
                    if tls.durationMs != nil || serverHello != nil { record.timings.append(tls) }
                    if let alert = fromServer.alerts.first {
                        tlsFailure = "the server sent the TLS alert \(TLSAlert.name(alert.description))"
                    } else if let alert = fromClient.alerts.first {
                        tlsFailure = "the client refused the server with the TLS alert \(TLSAlert.name(alert.description))"
                    }
                    if tls.durationMs != nil {
                        furthest = selected.contains(.hybrid) || selected.contains(.hybridEx) ? .credssp : .mcs
                        waitingFor = furthest == .credssp ? .encryptedCredSSP : .encryptedMCS
                    }
                    if let hello = serverHello, fromClient.encryptedFrom != nil || fromServer.encryptedFrom != nil {
                        let outcome = decrypt(
                            connection, client: fromClient, server: fromServer, hello: hello,
                            from: (requestLength, confirmLength), keys: keys, resumable: resumable)
                        decryption = outcome.facts
                        resumableSession = outcome.resumable
                        if let session = outcome.session {
                            let read = DecryptedTraffic.read(client: session.fromClient, server: session.fromServer, selected: selected)
                            reading = read
                            if let from = read.clientRDPFrom {
                                clientData = readClientData(session.fromClient.plaintext, from: from, seen: .decrypted)
                            }
                            apply(
                                read, session: session, to: &record, furthest: &furthest, waitingFor: &waitingFor,
                                connection: connection, ms: ms)
                            decryption?.client = read.client.tsRequests > 0 ? read.client : nil
                        }
                    }
                } else {
                    record.timings.append(x224)
                    if case .failed = confirm.result {
                    } else {
                        // Standard RDP security: MCS follows in clear.
                        furthest = .mcs
                        clientData = readClientData(up, from: requestLength, seen: .clear)
                        waitingFor = .connectResponse
                        if let responseLength = tpktLength(Array(down[confirmLength...])),
                            let response = try? MCSConnectResponse.decode(down[confirmLength..<(confirmLength + responseLength)])
                        {
                            let initialAt = ms(connection.toServer.micros(atOffset: requestLength)) ?? requestAt
                            let answeredAt = ms(connection.toClient.micros(atOffset: confirmLength)) ?? initialAt
                            record.timings.append(StepTiming(step: .mcs, startMs: initialAt, durationMs: answeredAt - initialAt))
                            record.serverData = ServerDataObservation(response)
                            // Past the Connect Response the traffic is encrypted (or, at level none, not read yet).
                            furthest = .channels
                            waitingFor = .channelSetup
                        }
                    }
                }
            } else if let confirmLength,
                case let .disconnectProviderUltimatum(reason)? = try? MCSDomainPDU.decode(frame: down[..<confirmLength])
            {
                // As the live check reads it: a server (xrdp) refusing by hanging up at the MCS level.
                x224.durationMs = (ms(connection.toClient.micros(atOffset: 0)) ?? requestAt) - requestAt
                record.negotiation = .disconnected(reason: reason)
                record.timings.append(x224)
            } else if !down.isEmpty {
                record.unexpectedBytes = Hex.string(down.prefix(16), separator: " ")
                record.timings.append(x224)
            } else {
                record.timings.append(x224)
            }
        }

        // Who closed first.
        let closes: [(Side, CloseKind, Int64)] = [
            connection.toServer.resetMicros.map { (Side.client, CloseKind.reset, $0) },
            connection.toServer.finMicros.map { (Side.client, CloseKind.fin, $0) },
            connection.toClient.resetMicros.map { (Side.server, CloseKind.reset, $0) },
            connection.toClient.finMicros.map { (Side.server, CloseKind.fin, $0) },
        ].compactMap { $0 }
        let first = closes.min { $0.2 < $1.2 }
        let encryptedAfterTLS =
            record.timings.contains { $0.step == .tls && $0.durationMs != nil }
            || !(record.serverData?.encryptionMethod ?? .none).isEmpty
        // The client heard the server's choice and left without a further byte
        // (no TLS ClientHello, no MCS Connect Initial): it would not go on with it.
        // A server alert then (xrdp answers the close with one) is not the cause.
        let leftAfterNegotiation =
            requestLength != nil && up.count == requestLength && first?.0 == .client
            && { if case .selected? = record.negotiation { true } else { record.negotiation == .noNegotiationData } }()
        if leftAfterNegotiation {
            record.end = .completed
        } else if let tlsFailure {
            record.end = .tlsFailed(tlsFailure)
        } else if reading?.reached == .capabilities {
            record.end = .completed  // the Demand Active came: the connection reached the session
        } else if case .failure? = record.negotiation {
            record.end = .completed
        } else if case .disconnected? = record.negotiation {
            record.end = .completed
        } else if let problem = reading?.problem {
            record.end = .protocolError(step: furthest, message: problem)
        } else if encryptedAfterTLS && reading == nil {
            // Past the TLS handshake everything is encrypted: a close there may be a
            // refusal or the end of a working session, and the capture cannot say which.
            let sent = connection.toServer.bytesDelivered
            let received = connection.toClient.bytesDelivered
            let ending = first.map { "the \($0.0.rawValue) then closed it (\($0.1 == .reset ? "reset" : "FIN"))" } ?? "the capture ends first"
            let layer = record.tls != nil ? "the TLS handshake" : "the MCS exchange (standard RDP security)"
            let why = decryption?.problem ?? "no keys"
            record.end = .localError(
                "after \(layer) the connection is encrypted (\(sent) bytes to the server, \(received) back in all) and \(ending); not decrypted (\(why)), so the capture does not show whether \(furthest == .credssp ? "CredSSP" : "the session") worked"
            )
        } else if let first, first.0 == .server {
            record.end = .peerClosed(first.1, step: furthest, waitingFor: waitingFor)
        } else if first != nil {
            record.end = .completed  // the client ended it: see closedBy
        } else {
            record.end = .localError("the capture ends while the client waits for \(waitingFor)")
        }
        record.totalMs = Double(connection.lastMicros - start) / 1000

        var captured = CapturedConnection(
            client: connection.client, server: connection.server, startMicros: start, record: record,
            cookie: request.flatMap(cookie), clientHello: clientHello, serverHello: serverHello, alerts: alerts,
            closedBy: first?.0, closeKind: first?.1, closedAtMs: first.map { Double($0.2 - start) / 1000 },
            tcp: connection.withoutBytes())
        captured.decryption = decryption
        captured.clientLeftAfterNegotiation = leftAfterNegotiation
        captured.clientData = clientData?.observation
        captured.clientDataProblem = clientData?.problem
        captured.resumableSession = resumableSession
        return captured
    }

    typealias ClientDataReading = (observation: ClientDataObservation?, problem: String?)

    /// The client's MCS Connect Initial, the TPKT frame at `offset` of its
    /// bytes (nil when the capture does not hold it whole; a decoding error is kept).
    static func readClientData(_ bytes: [UInt8], from offset: Int, seen: ClientDataObservation.Visibility) -> ClientDataReading? {
        guard offset < bytes.count, let length = tpktLength(bytes[offset...]) else { return nil }
        do {
            let initial = try MCSConnectInitial.decode(bytes[offset..<(offset + length)])
            return (ClientDataObservation(initial.clientData, seen: seen), nil)
        } catch {
            return (nil, error.description)
        }
    }

    /// The length of the TPKT frame that starts `stream`, when it is all there.
    static func tpktLength(_ stream: [UInt8]) -> Int? {
        tpktLength(stream[...])
    }

    static func tpktLength(_ stream: ArraySlice<UInt8>) -> Int? {
        guard stream.count >= 4, stream.first == 0x03 else { return nil }
        let start = stream.startIndex
        let length = Int(stream[start + 2]) << 8 | Int(stream[start + 3])
        return length >= 7 && length <= stream.count ? length : nil
    }

    static func tlsVersion(_ wire: UInt16) -> TLSProtocolVersion? {
        [0x0301: .tls10, 0x0302: .tls11, 0x0303: .tls12, 0x0304: .tls13][wire]
    }

    static func cookie(_ request: X224ConnectionRequest) -> String? {
        switch request.token {
        // Kept as the client wrote it, so renderers can hide the user name.
        case .cookie(let user)?: "mstshash=" + user
        case .routingToken(let bytes)?: "routing token " + Hex.string(bytes.prefix(32))
        case nil: nil
        }
    }
}

/// TLS alert descriptions (RFC 8446 6 and RFC 5246 7.2), for reports.
public enum TLSAlert {
    public static func name(_ description: UInt8) -> String {
        let names: [UInt8: String] = [
            0: "close_notify", 10: "unexpected_message", 20: "bad_record_mac", 40: "handshake_failure",
            42: "bad_certificate", 43: "unsupported_certificate", 44: "certificate_revoked", 45: "certificate_expired",
            46: "certificate_unknown", 47: "illegal_parameter", 48: "unknown_ca", 50: "decode_error",
            51: "decrypt_error", 70: "protocol_version", 71: "insufficient_security", 80: "internal_error",
            86: "inappropriate_fallback", 90: "user_canceled", 109: "missing_extension", 110: "unsupported_extension",
            112: "unrecognized_name", 116: "certificate_required", 120: "no_application_protocol",
        ]
        return "\(names[description] ?? "alert") (\(description))"
    }
}
