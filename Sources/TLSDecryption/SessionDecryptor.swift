import LegacyCrypto

// One captured TLS session decrypted from what the handshake showed in clear
// and the keys the user gave: the server's RSA key (RSA key exchange only) or
// a key log (any key exchange, TLS 1.2 and 1.3). The result is each side's
// application data in order, or why it could not be read: every failure is a
// value, so a wrong key or a damaged record reads as "could not decrypt".

/// What the clear handshake told (read by the caller from the hellos and the ClientKeyExchange).
public struct HandshakeParameters: Sendable, Equatable {
    public var version: UInt16
    public var cipherSuite: UInt16
    public var clientRandom: [UInt8]
    public var serverRandom: [UInt8]
    /// RSA key exchange: the premaster secret as the client encrypted it.
    public var encryptedPremaster: [UInt8]?
    /// Both hellos carried extended_master_secret (RFC 7627); then `transcript`
    /// is the handshake messages up to and including the ClientKeyExchange.
    public var extendedMasterSecret = false
    public var transcript: [UInt8] = []
    /// Both hellos carried encrypt_then_mac (RFC 7366; it changes CBC suites only).
    public var encryptThenMAC = false
    /// The server resumed a session (same session ID, no key exchange).
    public var resumed = false
    /// The session ID the server gave (a later connection may resume it).
    public var sessionID: [UInt8] = []

    public init(version: UInt16, cipherSuite: UInt16, clientRandom: [UInt8], serverRandom: [UInt8]) {
        self.version = version
        self.cipherSuite = cipherSuite
        self.clientRandom = clientRandom
        self.serverRandom = serverRandom
    }
}

/// The keys `analyze` was given.
public struct DecryptionKeys: Sendable {
    public var serverKeys: [ServerPrivateKey]
    public var keyLog: KeyLog

    public init(serverKeys: [ServerPrivateKey] = [], keyLog: KeyLog = KeyLog()) {
        self.serverKeys = serverKeys
        self.keyLog = keyLog
    }

    public var isEmpty: Bool { serverKeys.isEmpty && keyLog.isEmpty }
}

/// How a session's keys were found.
public enum DecryptionMethod: String, Sendable, Codable, Equatable {
    case serverRSAKey
    case keyLog
}

/// Why a session stayed encrypted.
public enum NotDecrypted: Error, Sendable, Equatable, Codable, CustomStringConvertible {
    /// No --rsa-key, no --keylog and no secrets block in the capture.
    case noKeys(keyExchange: CipherSuite.KeyExchange?)
    /// (EC)DHE or TLS 1.3: only a key log could help, and it has no line for this client random.
    case needsKeyLog(keyExchange: CipherSuite.KeyExchange)
    /// RSA key exchange, but none of the given keys decrypted the premaster secret.
    case noMatchingServerKey(tried: Int)
    /// A resumed session: its secret came from an earlier connection.
    case resumedWithoutSecret
    case unsupportedSuite(UInt16)
    /// The handshake in clear lacks what decryption needs.
    case handshakeIncomplete(String)

    public var description: String {
        switch self {
        case .noKeys: "no keys were given (--keylog, --rsa-key, or a key log inside the pcapng)"
        case .needsKeyLog(.tls13): "TLS 1.3, and the key log has no secrets for this session's client random"
        case .needsKeyLog: "ECDHE/DHE key exchange, and the key log has no CLIENT_RANDOM line for this session (the server's RSA key cannot decrypt it)"
        case .noMatchingServerKey(let tried):
            "none of the \(tried) server key\(tried == 1 ? "" : "s") given decrypts this session's premaster secret (another server's key?)"
        case .resumedWithoutSecret: "a resumed TLS session, and its master secret is not in the key log (nor in an earlier connection of the capture)"
        case .unsupportedSuite(let suite): "rdpdoctor does not decrypt the cipher suite 0x\(String(suite, radix: 16, uppercase: true))"
        case .handshakeIncomplete(let what): what
        }
    }
}

/// One side's application data, with where each record's plaintext came from.
public struct DecryptedStream: Sendable, Equatable {
    public var plaintext: [UInt8] = []
    /// (offset in `plaintext`, offset of its record in the TCP stream), one per record.
    public var recordOffsets: [(plain: Int, stream: Int)] = []
    /// Records decrypted (handshake, alerts and application data alike).
    public var records = 0
    /// Alerts sent encrypted: (level, description).
    public var alerts: [(level: UInt8, description: UInt8, streamOffset: Int)] = []
    /// The first record that did not decrypt, and why; the side's reading stops there.
    public var failure: (streamOffset: Int, error: RecordError)?
    /// TLS 1.3: handshake messages decrypted (the server's Certificate is among them).
    public var handshakeMessages: [(type: UInt8, body: [UInt8])] = []

    public init(plaintext: [UInt8] = []) {
        self.plaintext = plaintext
        if !plaintext.isEmpty { recordOffsets = [(0, 0)] }
    }

    /// The stream offset of the record that carried plaintext byte `index`.
    public func streamOffset(ofPlaintext index: Int) -> Int? {
        recordOffsets.last { $0.plain <= index }?.stream
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.plaintext == b.plaintext && a.records == b.records && a.alerts.map(\.description) == b.alerts.map(\.description)
    }
}

public struct DecryptedSession: Sendable {
    public let method: DecryptionMethod
    public let suite: CipherSuite
    public var fromClient: DecryptedStream
    public var fromServer: DecryptedStream
    /// The master secret (TLS 1.2 and earlier), for resumptions later in the capture.
    public let masterSecret: [UInt8]?
}

public enum SessionDecryptor {
    /// Decrypts both sides, or says why not. `clientRecords` and `serverRecords`
    /// are each side's records after the X.224 exchange, in clear and encrypted.
    /// `resumedSecrets` maps a session ID to a master secret learned earlier.
    public static func decrypt(
        _ handshake: HandshakeParameters, clientRecords: [TLSRecord], serverRecords: [TLSRecord],
        keys: DecryptionKeys, resumedMaster: [UInt8]? = nil
    ) -> Result<DecryptedSession, NotDecrypted> {
        guard let suite = CipherSuite.named(handshake.cipherSuite) else {
            return .failure(.unsupportedSuite(handshake.cipherSuite))
        }
        guard handshake.clientRandom.count == 32, handshake.serverRandom.count == 32 else {
            return .failure(.handshakeIncomplete("the hellos' randoms are not in the capture"))
        }
        if handshake.version >= 0x0304 {
            return tls13(handshake, suite: suite, clientRecords: clientRecords, serverRecords: serverRecords, keyLog: keys.keyLog)
        }
        guard !keys.isEmpty || resumedMaster != nil else { return .failure(.noKeys(keyExchange: suite.keyExchange)) }
        var master: [UInt8]?
        var method = DecryptionMethod.keyLog
        if let logged = keys.keyLog.secret(.clientRandom, clientRandom: handshake.clientRandom), logged.count == 48 {
            master = logged
        } else if handshake.resumed {
            guard let resumedMaster else { return .failure(.resumedWithoutSecret) }
            master = resumedMaster
            method = .serverRSAKey
        } else if suite.keyExchange == .rsa, !keys.serverKeys.isEmpty {
            guard let encrypted = handshake.encryptedPremaster else {
                return .failure(.handshakeIncomplete("the client's ClientKeyExchange is not in the capture"))
            }
            let prf = suite.prf(version: handshake.version)
            for serverKey in keys.serverKeys {
                guard let premaster = try? serverKey.key.decryptPKCS1v15(encrypted), premaster.count == 48 else { continue }
                let candidate =
                    handshake.extendedMasterSecret
                    ? prf.extendedMasterSecret(premaster: premaster, sessionHash: prf.transcriptHash(handshake.transcript))
                    : prf.masterSecret(premaster: premaster, clientRandom: handshake.clientRandom, serverRandom: handshake.serverRandom)
                // A wrong key can still unpad by chance: the client's Finished must then open.
                let trial = records(handshake, suite: suite, master: candidate, client: clientRecords, server: [])
                if trial.fromClient.records > 0, trial.fromClient.failure == nil || trial.fromClient.records > 1 {
                    master = candidate
                    method = .serverRSAKey
                    break
                }
            }
            guard master != nil else { return .failure(.noMatchingServerKey(tried: keys.serverKeys.count)) }
        } else {
            return .failure(
                suite.keyExchange == .rsa && keys.serverKeys.isEmpty && keys.keyLog.isEmpty
                    ? .noKeys(keyExchange: .rsa) : .needsKeyLog(keyExchange: suite.keyExchange))
        }
        guard let master else { return .failure(.noKeys(keyExchange: suite.keyExchange)) }
        let (fromClient, fromServer) = records(handshake, suite: suite, master: master, client: clientRecords, server: serverRecords)
        return .success(
            DecryptedSession(
                method: method, suite: suite, fromClient: fromClient, fromServer: fromServer,
                masterSecret: master))
    }

    /// TLS 1.0 to 1.2: each side's records after its ChangeCipherSpec.
    static func records(
        _ handshake: HandshakeParameters, suite: CipherSuite, master: [UInt8],
        client: [TLSRecord], server: [TLSRecord]
    ) -> (fromClient: DecryptedStream, fromServer: DecryptedStream) {
        let keys = KeySchedule.keys(
            master: master, suite: suite, version: handshake.version,
            clientRandom: handshake.clientRandom, serverRandom: handshake.serverRandom)
        func side(_ records: [TLSRecord], _ keys: DirectionKeys) -> DecryptedStream {
            var stream = DecryptedStream()
            var decryptor: RecordDecryptor?
            for record in records {
                if record.type == 20 {
                    decryptor = RecordDecryptor(
                        suite: suite, version: handshake.version, keys: keys,
                        encryptThenMAC: handshake.encryptThenMAC)
                    continue
                }
                guard decryptor != nil else { continue }
                guard open(record, with: &decryptor!, into: &stream) else { break }
            }
            return stream
        }
        return (side(client, keys.client), side(server, keys.server))
    }

    /// Opens one record into `stream`; false once a record failed.
    static func open(_ record: TLSRecord, with decryptor: inout RecordDecryptor, into stream: inout DecryptedStream) -> Bool {
        do {
            let (type, plaintext) = try decryptor.open(type: record.type, body: record.body)
            stream.records += 1
            switch type {
            case 23:
                stream.recordOffsets.append((stream.plaintext.count, record.offset))
                stream.plaintext += plaintext
            case 21 where plaintext.count >= 2:
                stream.alerts.append((plaintext[0], plaintext[1], record.offset))
            default:
                break
            }
            return true
        } catch {
            stream.failure = (record.offset, error)
            return false
        }
    }
}
