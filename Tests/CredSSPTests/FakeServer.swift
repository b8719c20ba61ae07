import CredSSP
import NTLM

/// A minimal CredSSP/NTLM server for driving the client: it checks the
/// NTLMv2 proof and the MIC with the password it knows, and answers
/// pubKeyAuth the way the given CredSSP version requires.
struct FakeServer {
    enum Failure: Error { case badProof, badMIC, badBinding, noToken }

    let credentials: NTLMCredentials
    var publicKey: [UInt8]
    var version = 6
    var flags: NegotiateFlags = [
        .negotiateUnicode, .requestTarget, .negotiateSign, .negotiateSeal, .negotiateNTLM, .negotiateAlwaysSign,
        .targetTypeServer, .negotiateExtendedSessionSecurity, .negotiateTargetInfo, .negotiateVersion,
        .negotiate128, .negotiateKeyExchange, .negotiate56,
    ]
    var timestamp: FileTime? = FileTime(unixSeconds: 1_700_000_000)
    let serverChallenge: [UInt8] = [0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef]

    private(set) var negotiate: [UInt8] = []
    private(set) var challenge: [UInt8] = []
    private(set) var authenticate: AuthenticateMessage?
    private(set) var session: NTLMSessionSecurity?
    private(set) var nonce: [UInt8] = []

    init(credentials: NTLMCredentials, publicKey: [UInt8]) {
        self.credentials = credentials
        self.publicKey = publicKey
    }

    /// NEGOTIATE in, CHALLENGE out.
    mutating func challenge(for requestBytes: [UInt8]) throws -> [UInt8] {
        guard let token = try TSRequest(derEncoded: requestBytes).negoTokens.first else { throw Failure.noToken }
        negotiate = token
        var pairs = [
            AVPair(id: .nbDomainName, string: "CONTOSO"), AVPair(id: .nbComputerName, string: "SRV01"),
            AVPair(id: .dnsDomainName, string: "contoso.com"), AVPair(id: .dnsComputerName, string: "srv01.contoso.com"),
            AVPair(id: .dnsTreeName, string: "contoso.com"),
        ]
        if let timestamp { pairs.append(.timestamp(timestamp)) }
        challenge = ChallengeMessage(
            flags: flags, targetName: "CONTOSO", serverChallenge: serverChallenge,
            targetInfo: TargetInfo(pairs: pairs), version: NTLMVersion(major: 10, minor: 0, build: 20348)
        ).encoded()
        return TSRequest(version: version, negoTokens: [challenge]).derEncoded()
    }

    /// AUTHENTICATE and pubKeyAuth in; the server's pubKeyAuth (or an
    /// errorCode for a wrong password) out.
    mutating func answer(_ requestBytes: [UInt8], answeringFor answerKey: [UInt8]? = nil) throws -> [UInt8] {
        let request = try TSRequest(derEncoded: requestBytes)
        guard let token = request.negoTokens.first, let pubKeyAuth = request.pubKeyAuth else { throw Failure.noToken }
        let message = try AuthenticateMessage(decoding: token)
        authenticate = message
        let key = NTLMv2.ntowfv2(NTLMCredentials(user: message.user, domain: message.domain, password: credentials.password))
        let nt = message.ntChallengeResponse
        let proof = NTLMv2.ntProofString(responseKey: key, serverChallenge: serverChallenge, blob: Array(nt[16...]))
        guard message.user == credentials.user, proof == Array(nt[..<16]) else {
            return TSRequest(version: version, errorCode: .logonFailure).derEncoded()
        }
        let baseKey = NTLMv2.sessionBaseKey(responseKey: key, ntProofString: proof)
        let exported =
            message.flags.contains(.negotiateKeyExchange)
            ? NTLMv2.encryptSessionKey(message.encryptedRandomSessionKey, keyExchangeKey: baseKey) : baseKey
        if let mic = message.mic {
            guard NTLMv2.mic(exportedSessionKey: exported, negotiate: negotiate, challenge: challenge, authenticate: token) == mic
            else { throw Failure.badMIC }
        }
        var session = try NTLMSessionSecurity(exportedSessionKey: exported, flags: message.flags, role: .server)
        nonce = request.clientNonce ?? []
        let effective = min(version, request.version)
        let value = try PublicKeyAuth.unseal(pubKeyAuth, with: &session)
        guard value == PublicKeyAuth.clientValue(version: effective, publicKey: publicKey, nonce: nonce) else {
            throw Failure.badBinding
        }
        let reply = PublicKeyAuth.serverValue(version: effective, publicKey: answerKey ?? publicKey, nonce: nonce)
        let sealed = PublicKeyAuth.seal(reply, with: &session)
        self.session = session
        return TSRequest(version: version, pubKeyAuth: sealed).derEncoded()
    }

    /// authInfo in: the delegated credentials.
    mutating func delegated(_ requestBytes: [UInt8]) throws -> TSPasswordCreds {
        guard var session, let authInfo = try TSRequest(derEncoded: requestBytes).authInfo else { throw Failure.noToken }
        let credentials = try TSCredentials(derEncoded: try PublicKeyAuth.unseal(authInfo, with: &session))
        self.session = session
        return try TSPasswordCreds(derEncoded: credentials.credentials)
    }
}
