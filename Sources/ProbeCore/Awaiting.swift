/// What a connection was waiting for when it ended: the live probe machine,
/// its stages and the capture replay all name the wait with this one type,
/// so a report reads the same whether rdpdoctor connected or a capture did.
///
/// In JSON it is its phrase (`description`), as it always was.
public enum Awaiting: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// Nothing yet: the record's placeholder before a probe runs.
    case probeStart
    /// The machine has not asked for the connection yet.
    case start
    case tcpConnection
    /// A capture's client has not sent its request (the replay only).
    case connectionRequest
    case connectionConfirm
    case tlsHandshake
    case ntlmChallenge
    case authenticateAnswer
    case earlyAuthorization
    /// A capture without keys: CredSSP is under TLS and cannot be read.
    case encryptedCredSSP
    /// A capture with keys: CredSSP went on after the CHALLENGE.
    case restOfCredSSP
    /// A capture without keys: the MCS exchange is under TLS.
    case encryptedMCS
    case connectResponse
    /// A capture with keys: the client's credentials went and nothing came back yet.
    case connectResponseAfterCredentials
    case attachUserConfirm
    case channelJoinConfirm(UInt16)
    /// A capture: MCS domain and channel setup, seen as a whole.
    case channelSetup
    case licensing
    case demandActive

    /// The connection step this wait belongs to.
    public var step: Step {
        switch self {
        case .probeStart, .start, .tcpConnection: .tcp
        case .connectionRequest, .connectionConfirm: .x224
        case .tlsHandshake: .tls
        case .ntlmChallenge, .authenticateAnswer, .earlyAuthorization, .encryptedCredSSP, .restOfCredSSP: .credssp
        case .encryptedMCS, .connectResponse, .connectResponseAfterCredentials: .mcs
        case .attachUserConfirm, .channelJoinConfirm, .channelSetup: .channels
        case .licensing: .licensing
        case .demandActive: .capabilities
        }
    }

    /// The phrase a report uses after "waited for".
    public var description: String {
        switch self {
        case .probeStart: "the probe to start"
        case .start: "the TCP connection"
        case .tcpConnection: "the TCP connection to open"
        case .connectionRequest: "the X.224 Connection Request"
        case .connectionConfirm: "the X.224 Connection Confirm"
        case .tlsHandshake: "the TLS handshake to complete"
        case .ntlmChallenge: "the server's NTLM CHALLENGE (CredSSP)"
        case .authenticateAnswer: "the server's answer to the NTLM AUTHENTICATE"
        case .earlyAuthorization: "the early user authorization result (HYBRID_EX)"
        case .encryptedCredSSP: "CredSSP (encrypted: not visible without keys)"
        case .restOfCredSSP: "the rest of CredSSP (decrypted)"
        case .encryptedMCS: "the MCS exchange (encrypted)"
        case .connectResponse: "the MCS Connect Response"
        case .connectResponseAfterCredentials: "the MCS Connect Response (after the client sent its credentials)"
        case .attachUserConfirm: "the MCS Attach User Confirm"
        case .channelJoinConfirm(let channel): "the MCS Channel Join Confirm for channel \(channel)"
        case .channelSetup: "MCS domain and channel setup"
        case .licensing: "the server's licensing PDU"
        case .demandActive: "the Demand Active PDU"
        }
    }

    /// Every wait without a value, for reading the phrase back.
    static let plain: [Awaiting] = [
        .probeStart, .start, .tcpConnection, .connectionRequest, .connectionConfirm, .tlsHandshake,
        .ntlmChallenge, .authenticateAnswer, .earlyAuthorization, .encryptedCredSSP, .restOfCredSSP,
        .encryptedMCS, .connectResponse, .connectResponseAfterCredentials, .attachUserConfirm,
        .channelSetup, .licensing, .demandActive,
    ]
}

extension Awaiting: Codable {
    public init(from decoder: any Decoder) throws {
        let phrase = try decoder.singleValueContainer().decode(String.self)
        if let known = Self.plain.first(where: { $0.description == phrase }) {
            self = known
            return
        }
        let joinPrefix = "the MCS Channel Join Confirm for channel "
        if phrase.hasPrefix(joinPrefix), let channel = UInt16(phrase.dropFirst(joinPrefix.count)) {
            self = .channelJoinConfirm(channel)
            return
        }
        throw DecodingError.dataCorrupted(
            .init(
                codingPath: decoder.codingPath,
                debugDescription: "not a known wait: \(phrase)"))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
