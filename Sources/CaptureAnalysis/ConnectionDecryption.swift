import Capture
import ProbeCore
import TLSDecryption

// The TLS part of a replayed connection: decrypted with the keys given (or
// why not), and what the decrypted bytes show put into the record, with the
// step timings the capture's clock gives.

extension ConnectionReplay {
    struct DecryptionOutcome {
        var facts: CaptureFacts.Decryption
        var session: DecryptedSession?
        var resumable: (id: [UInt8], master: [UInt8])?
    }

    static func decrypt(
        _ connection: TCPConnection, client: TLSStream, server: TLSStream, hello: ServerHello,
        from starts: (client: Int, server: Int), keys: DecryptionKeys,
        resumable: [[UInt8]: [UInt8]]
    ) -> DecryptionOutcome {
        var facts = CaptureFacts.Decryption()
        facts.cipherSuite = hello.cipherSuite
        let suite = CipherSuite.named(hello.cipherSuite)
        facts.cipherSuiteName = suite?.name
        facts.keyExchange = suite.map { hello.version >= 0x0304 ? CipherSuite.KeyExchange.tls13.rawValue : $0.keyExchange.rawValue }
        guard let parameters = HandshakeParameters(client: client, server: server, hello: hello) else {
            facts.problem = NotDecrypted.handshakeIncomplete("the hellos are not whole in the capture").description
            return DecryptionOutcome(facts: facts)
        }
        let resumed = parameters.resumed ? resumable[parameters.sessionID] : nil
        // Without any key the decryptor says so before it reads a record: most
        // connections of a capture read without keys skip the split.
        let needsRecords = !keys.isEmpty || resumed != nil
        let clientRecords = needsRecords ? TLSRecords.split(connection.toServer.stream, from: starts.client) : []
        let serverRecords = needsRecords ? TLSRecords.split(connection.toClient.stream, from: starts.server) : []
        switch SessionDecryptor.decrypt(
            parameters, clientRecords: clientRecords, serverRecords: serverRecords,
            keys: keys, resumedMaster: resumed)
        {
        case .failure(let why):
            facts.problem = why.description
            return DecryptionOutcome(facts: facts)
        case .success(let session):
            facts.method = session.method == .serverRSAKey ? .serverRSAKey : .keyLog
            facts.recordsFromClient = session.fromClient.records
            facts.recordsFromServer = session.fromServer.records
            facts.bytesFromClient = session.fromClient.plaintext.count
            facts.bytesFromServer = session.fromServer.plaintext.count
            facts.encryptedAlerts =
                session.fromServer.alerts.map { .init(side: .server, level: $0.level, description: $0.description) }
                + session.fromClient.alerts.map { .init(side: .client, level: $0.level, description: $0.description) }
            let failures = [("client", session.fromClient.failure), ("server", session.fromServer.failure)]
                .compactMap { side, failure in failure.map { "could not decrypt the \(side)'s record at stream offset \($0.streamOffset): \($0.error)" } }
            if !failures.isEmpty { facts.problem = failures.joined(separator: "; ") }
            let keep = session.masterSecret.flatMap { master in parameters.sessionID.isEmpty ? nil : (parameters.sessionID, master) }
            return DecryptionOutcome(facts: facts, session: session, resumable: keep)
        }
    }

    /// Puts what the decrypted bytes show into the record: the observations,
    /// the step timings, and the step the connection then waited for.
    static func apply(
        _ reading: DecryptedReading, session: DecryptedSession, to record: inout ProbeRecord,
        furthest: inout Step, waitingFor: inout Awaiting, connection: TCPConnection, ms: (Int64?) -> Double?
    ) {
        if let credssp = reading.credssp {
            var observed = credssp
            if let first = session.fromServer.recordOffsets.first {
                observed.challengeAtMs = ms(connection.toClient.micros(atOffset: first.stream))
            }
            record.credssp = observed
        }
        if let data = reading.serverData { record.serverData = data }
        if let observed = reading.session { record.session = observed }
        // Step timings: from the client's first plaintext of the step to the server's answer that ended it.
        var startPlain = 0
        var previousEnd: Double?
        for end in reading.stepEnds where !record.timings.contains(where: { $0.step == end.step }) {
            let clientOffset =
                end.step == .credssp
                ? session.fromClient.streamOffset(ofPlaintext: startPlain)
                : session.fromClient.streamOffset(ofPlaintext: reading.clientRDPFrom ?? startPlain)
            let startMs =
                end.step == .credssp || end.step == .mcs
                ? clientOffset.flatMap { ms(connection.toServer.micros(atOffset: $0)) } : previousEnd
            let endMs = session.fromServer.streamOffset(ofPlaintext: end.serverPlaintext).flatMap { ms(connection.toClient.micros(atOffset: $0)) }
            if let startMs, let endMs {
                record.timings.append(StepTiming(step: end.step, startMs: startMs, durationMs: max(0, endMs - startMs)))
            }
            previousEnd = endMs ?? previousEnd
            startPlain = 0
        }
        switch reading.reached {
        case .credssp?:
            if reading.client.credentialsSent {
                furthest = .mcs
                waitingFor = .connectResponseAfterCredentials
            } else {
                furthest = .credssp
                waitingFor = .restOfCredSSP
            }
        case .mcs?:
            furthest = .channels
            waitingFor = .channelSetup
        case .channels?:
            furthest = .licensing
            waitingFor = .licensing
        case .licensing?:
            furthest = .capabilities
            waitingFor = .demandActive
        case .capabilities?:
            furthest = .capabilities
        default:
            break
        }
    }
}
