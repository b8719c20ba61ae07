/// What only a packet capture shows about a connection (`rdpdoctor analyze`):
/// the TCP view from where the capture was taken. A live check has none.
public struct CaptureFacts: Codable, Sendable, Equatable {
    public enum Side: String, Codable, Sendable {
        case client, server
    }

    /// One direction's TCP trouble.
    public struct Direction: Codable, Sendable, Equatable {
        public var retransmissions = 0
        public var largestRetransmitted = 0
        public var outOfOrder = 0
        /// Bytes the capture never showed (dropped by the capture, or by the path before it).
        public var missingBytes = 0
        public var zeroWindows = 0
        public var announcedMSS: Int?

        public init() {}
    }

    /// Who ended the connection first, how, and when (ms after the start); nil when the capture ends first.
    public var closedBy: Side?
    public var closeKind: CloseKind?
    public var closedAtMs: Double?
    /// The quiet time before that close (since the last byte either way).
    public var idleBeforeCloseMs: Double?
    public var handshakeSeen = true
    public var fromClient = Direction()
    public var fromServer = Direction()
    /// What became of the encrypted part (nil when the connection had no TLS).
    public var decryption: Decryption?
    /// The client sent nothing after its X.224 request and closed the
    /// connection itself once the server had answered: it would not go on
    /// with what the server selected.
    public var clientLeftAfterNegotiation = false
    /// The client's MCS Connect Initial, when the capture shows it (in clear or decrypted).
    public var clientData: ClientDataObservation?
    /// Why the client's Connect Initial, though visible, could not be read (a decoding error).
    public var clientDataProblem: String?

    public init() {}
}

extension CaptureFacts {
    /// The TLS part of a captured connection: decrypted (and how), or why not.
    public struct Decryption: Codable, Sendable, Equatable {
        public enum Method: String, Codable, Sendable {
            case serverRSAKey, keyLog
        }

        /// How the keys were found; nil when the session stayed encrypted.
        public var method: Method?
        public var cipherSuite: UInt16?
        public var cipherSuiteName: String?
        /// RSA key exchange, ephemeral (ECDHE/DHE) or TLS 1.3: which keys could help.
        public var keyExchange: String?
        /// Why it was not decrypted, or where decrypting stopped ("could not decrypt: …").
        public var problem: String?
        public var recordsFromClient = 0
        public var recordsFromServer = 0
        public var bytesFromClient = 0
        public var bytesFromServer = 0
        /// Alerts that went encrypted: (side, description).
        public var encryptedAlerts: [EncryptedAlert] = []
        /// The client's side of CredSSP and NTLM, as decrypted.
        public var client: ClientAuthentication?

        public init() {}
    }

    public struct EncryptedAlert: Codable, Sendable, Equatable {
        public var side: Side
        public var level: UInt8
        public var description: UInt8

        public init(side: Side, level: UInt8, description: UInt8) {
            self.side = side
            self.level = level
            self.description = description
        }
    }

    /// What the client's TSRequests carried. The user name is kept as sent,
    /// so renderers can hide it (as they hide an mstshash cookie).
    public struct ClientAuthentication: Codable, Sendable, Equatable {
        public var credSSPVersion: Int?
        /// The NTLM version the client announced in NEGOTIATE or AUTHENTICATE ("6.1.7601").
        public var ntlmVersion: String?
        public var user: String?
        public var domain: String?
        public var workstation: String?
        /// The client sent TSCredentials (its encrypted credentials: their content is never read).
        public var credentialsSent = false
        public var tsRequests = 0

        public init() {}
    }
}
