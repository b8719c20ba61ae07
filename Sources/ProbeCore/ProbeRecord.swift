import CredSSP
import RDPProtocol

/// Everything one probe connection observed.
public struct ProbeRecord: Codable, Sendable {
    public let purpose: ProbePurpose
    public let requestedProtocols: SecurityProtocols
    /// The deadline each step of this connection had, in milliseconds.
    public var stepDeadlineMs: Double?
    public var address: String?
    public var timings: [StepTiming] = []
    public var negotiation: NegotiationObservation?
    /// Set when the port answered with something that is not RDP.
    public var foreignService: ForeignService?
    /// The first bytes the peer sent, when they did not decode (hex, at most 32 bytes).
    public var unexpectedBytes: String?
    /// The same bytes as text, when they are a printable banner (an SSH greeting).
    public var banner: String?
    @Boxed public var tls: TLSSessionInfo? = nil
    /// Plaintext bytes that followed the X.224 confirm when TLS was due.
    public var plaintextAfterConfirm: Int?
    @Boxed public var serverData: ServerDataObservation? = nil
    @Boxed public var credssp: CredSSPObservation? = nil
    /// With --user: how the server answered the account.
    @Boxed public var credential: CredentialObservation? = nil
    @Boxed public var session: SessionObservation? = nil
    /// TCP_INFO read just before the connection closed (Linux).
    @Boxed public var tcp: TCPStats? = nil
    /// The TCP maximum segment size this probe forced (MTU black hole search).
    public var forcedMSS: Int?
    /// The RD Gateway whose channel carried this walk (`check --gateway`):
    /// its TCP step is the gateway's CHANNEL_CREATE, its TLS ran inside the
    /// tunnel. nil for a direct connection.
    public var throughGateway: String?
    public var end: ConnectionEnd = .timedOut(step: .tcp, waitingFor: .probeStart)
    public var totalMs: Double = 0

    public init(purpose: ProbePurpose, requestedProtocols: SecurityProtocols) {
        self.purpose = purpose
        self.requestedProtocols = requestedProtocols
    }

    /// The duration of `step`, when it completed.
    public func duration(of step: Step) -> Double? {
        timings.last { $0.step == step }?.durationMs
    }
}

/// Why a probe connection was made.
public enum ProbePurpose: Codable, Sendable, Hashable {
    /// Walks the connection as a default Microsoft client would: the verdict's source.
    case defaultClient
    /// Asks for exactly these security protocols, to learn what the server accepts.
    case negotiation(SecurityProtocols)
    /// Offers exactly one TLS version.
    case tlsVersion(TLSProtocolVersion)
    /// The default client's walk with small TCP segments (path MTU check).
    case smallSegments
    /// The default client's walk with the account given with --user, made
    /// only after the certificate was judged (see CredentialGate).
    case credentials
    /// One size of the MTU black hole search.
    case mtuTry(Int)
}

/// The server's answer to the X.224 Connection Request.
public enum NegotiationObservation: Codable, Sendable, Equatable {
    /// RDP_NEG_RSP: the protocol the server chose, and its flags.
    case selected(protocol: SecurityProtocols, flags: NegotiationResponseFlags)
    /// RDP_NEG_FAILURE with its failureCode.
    case failure(code: NegotiationFailureCode)
    /// A confirm without negotiation data: an old server, standard RDP security.
    case noNegotiationData
    /// No confirm: the server hung up with an MCS Disconnect Provider Ultimatum.
    case disconnected(reason: MCSDisconnectReason)

    /// What an X.224 Connection Confirm says, as a check records it and as a
    /// capture replay does (one mapping for both).
    public init(_ result: X224ConnectionConfirm.Result) {
        switch result {
        case let .negotiated(flags, selected): self = .selected(protocol: selected, flags: flags)
        case .failed(let code): self = .failure(code: code)
        case .noNegotiationData: self = .noNegotiationData
        }
    }

    public var selectedProtocol: SecurityProtocols? {
        switch self {
        case .selected(let value, _): value
        case .noNegotiationData: .rdp
        case .failure, .disconnected: nil
        }
    }
}

/// The server's GCC blocks from the MCS Connect Response.
public struct ServerDataObservation: Codable, Sendable, Equatable {
    public var rdpVersion: RDPVersion?
    public var clientRequestedProtocols: SecurityProtocols?
    public var earlyCapabilityFlags: ServerEarlyCapabilityFlags?
    public var encryptionMethod: EncryptionMethods?
    public var encryptionLevel: EncryptionLevel?
    public var serverRandomLength: Int?
    public var certificate: ServerCertificateObservation?
    public var ioChannel: UInt16?
    public var channelIDs: [UInt16] = []
    public var messageChannel: UInt16?
    public var multitransportFlags: MultitransportFlags?
    public var mcsResult: MCSResult?

    public init() {}
}

public enum ServerCertificateObservation: Codable, Sendable, Equatable {
    /// The proprietary certificate of standard RDP security: an RSA key.
    case proprietary(keyBits: Int)
    /// An X.509 chain (DER, leaf last as the server sends it).
    case x509(chain: [HexBytes])
}

/// What the NTLM challenge and the CredSSP exchange revealed without credentials.
public struct CredSSPObservation: Codable, Sendable, Equatable {
    public var serverVersion: Int?
    public var netbiosComputer: String?
    public var netbiosDomain: String?
    public var dnsComputer: String?
    public var dnsDomain: String?
    public var dnsTree: String?
    /// The server's Windows version from the NTLM VERSION field ("10.0.17763").
    public var osVersion: String?
    /// The server's clock (Unix seconds) from MsvAvTimestamp.
    public var serverTimeUnix: Double?
    /// When the challenge arrived, in ms from the start of the connection.
    public var challengeAtMs: Double?
    /// An NTSTATUS the server put in TSRequest.errorCode.
    public var errorCode: NTStatus?
    /// Where the server's TSRequests bend DER (read leniently, as clients do).
    public var encodingDeviations: [String] = []

    public init() {}
}

/// How far a connection without credentials got past MCS.
public struct SessionObservation: Codable, Sendable, Equatable {
    public var userChannel: UInt16?
    public var joinedChannels: [UInt16] = []
    public var licensing: LicensingObservation?
    /// The server issued a (temporary) license after the exchange.
    public var licenseIssued: Bool = false
    public var errorInfo: [ErrorInfoCode] = []
    public var redirected: Bool = false
    public var demandActive: Bool = false
    /// osMajorType / osMinorType of the Demand Active's General capability set
    /// (MS-RDPBCGR 2.2.7.1.1): what the server says it runs on.
    public var serverOSMajor: UInt16?
    public var serverOSMinor: UInt16?
    public var disconnectReason: MCSDisconnectReason?
    /// Standard RDP security with encryption: how far its key exchange went.
    public var standardSecurity: StandardSecurityObservation?

    public init() {}
}

/// The Security Exchange and encryption of standard RDP security
/// (MS-RDPBCGR 5.3), as the probe walked them.
public struct StandardSecurityObservation: Codable, Sendable, Equatable {
    /// Why rdpdoctor did not send the Security Exchange PDU: its own limit,
    /// never the server's failure.
    public enum NotAttempted: String, Codable, Sendable, Equatable {
        /// ENCRYPTION_METHOD_FIPS: 3DES with SHA-1 HMAC (5.3.5.2), which rdpdoctor does not implement.
        case fipsNotImplemented
    }

    /// The client random went to the server, encrypted with its RSA key.
    public var exchangeSent = false
    /// The server key that encrypted it: its size, and whether it came from an X.509 chain.
    public var serverKeyBits: Int?
    public var serverKeyFromX509 = false
    /// The RC4 key strength (40, 56 or 128 bits).
    public var keyBits: Int?
    /// Encrypted server PDUs that were decrypted and whose MAC matched.
    public var decryptedPDUs = 0
    /// The server signs with the salted MAC (SEC_SECURE_CHECKSUM, 5.3.6.1.1).
    public var saltedChecksums = false
    public var notAttempted: NotAttempted?

    public init() {}
}

public enum LicensingObservation: Codable, Sendable, Equatable {
    /// STATUS_VALID_CLIENT with ST_NO_TRANSITION: nothing to license.
    case validClient
    /// The server asked for a license (a licensing server is configured).
    case licenseRequest
    /// A licensing error message other than valid-client.
    case error(code: LicenseErrorCode, stateTransition: LicenseStateTransition)
    case other(messageType: UInt8)
}
