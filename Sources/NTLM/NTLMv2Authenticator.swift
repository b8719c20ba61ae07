// Builds the client's AUTHENTICATE_MESSAGE from the NEGOTIATE it sent and the
// CHALLENGE it received (MS-NLMP 3.1.5.1.2 with NTLMv2, 3.3.2). Randomness
// and time come in as parameters, so the result is a pure function of its
// inputs and the specification's example can be replayed exactly.

/// Everything the client needs to answer a CHALLENGE.
public struct NTLMAuthenticateParameters: Sendable {
    public var credentials: NTLMCredentials
    /// The NEGOTIATE_MESSAGE exactly as sent (the MIC covers it).
    public var negotiateMessage: [UInt8]
    /// The CHALLENGE_MESSAGE exactly as received.
    public var challengeMessage: [UInt8]
    /// The flags for the AUTHENTICATE and the session (usually the client's
    /// flags that the server also set).
    public var flags: NegotiateFlags
    public var workstation: String
    public var version: NTLMVersion?
    /// 8 random bytes.
    public var clientChallenge: [UInt8]
    /// 16 random bytes: the ExportedSessionKey when key exchange is negotiated.
    public var randomSessionKey: [UInt8]
    /// The client's clock; used only when the server sent no MsvAvTimestamp.
    public var currentTime: FileTime
    /// The service principal name to send as MsvAvTargetName (e.g. "TERMSRV/host").
    public var targetName: String?
    /// A 16-byte MsvAvChannelBindings value.
    public var channelBindings: [UInt8]?

    public init(
        credentials: NTLMCredentials,
        negotiateMessage: [UInt8],
        challengeMessage: [UInt8],
        flags: NegotiateFlags,
        workstation: String,
        version: NTLMVersion? = nil,
        clientChallenge: [UInt8],
        randomSessionKey: [UInt8],
        currentTime: FileTime,
        targetName: String? = nil,
        channelBindings: [UInt8]? = nil
    ) {
        self.credentials = credentials
        self.negotiateMessage = negotiateMessage
        self.challengeMessage = challengeMessage
        self.flags = flags
        self.workstation = workstation
        self.version = version
        self.clientChallenge = clientChallenge
        self.randomSessionKey = randomSessionKey
        self.currentTime = currentTime
        self.targetName = targetName
        self.channelBindings = channelBindings
    }
}

/// The AUTHENTICATE_MESSAGE and the keys that follow from it.
public struct NTLMAuthenticateResult: Sendable {
    public let message: AuthenticateMessage
    /// `message` encoded, with its MIC filled in when there is one.
    public let encoded: [UInt8]
    public let challenge: ChallengeMessage
    public let ntProofString: [UInt8]
    public let sessionBaseKey: [UInt8]
    public let exportedSessionKey: [UInt8]
}

extension NTLMv2 {
    /// Answers a CHALLENGE with NTLMv2.
    ///
    /// When the server's target information has an MsvAvTimestamp, its time
    /// goes into the response, the LM response is 24 zero bytes, MsvAvFlags
    /// gets the MIC-present bit and the message carries a MIC
    /// (MS-NLMP 3.1.5.1.2). Without one, the client's time is used, an LMv2
    /// response is sent and there is no MIC, as in MS-NLMP 4.2.4.
    public static func authenticate(_ p: NTLMAuthenticateParameters) throws(NTLMError) -> NTLMAuthenticateResult {
        guard p.clientChallenge.count == 8 else { throw .invalidParameter("client challenge must be 8 bytes") }
        guard p.randomSessionKey.count == 16 else { throw .invalidParameter("random session key must be 16 bytes") }
        if let bindings = p.channelBindings, bindings.count != 16 {
            throw .invalidParameter("channel bindings must be 16 bytes")
        }
        let challenge = try ChallengeMessage(decoding: p.challengeMessage)
        guard challenge.flags.contains(.negotiateTargetInfo) || !challenge.targetInfo.pairs.isEmpty else {
            throw .unsupported("NTLMv2 (the CHALLENGE has no target information)")
        }

        let serverTime = challenge.targetInfo.timestamp
        let withMIC = serverTime != nil
        var targetInfo = challenge.targetInfo
        if withMIC {
            targetInfo.set(.flags((targetInfo.flags ?? []).union(.micPresent)))
        }
        if let name = p.targetName { targetInfo.set(AVPair(id: .targetName, string: name)) }
        if let bindings = p.channelBindings { targetInfo.set(AVPair(id: .channelBindings, value: bindings)) }

        let responseKey = ntowfv2(p.credentials)
        let blob = clientBlob(time: serverTime ?? p.currentTime, clientChallenge: p.clientChallenge, targetInfo: targetInfo.encoded())
        let proof = ntProofString(responseKey: responseKey, serverChallenge: challenge.serverChallenge, blob: blob)
        let lm =
            withMIC
            ? [UInt8](repeating: 0, count: 24)
            : lmv2Response(responseKey: responseKey, serverChallenge: challenge.serverChallenge, clientChallenge: p.clientChallenge)
        let baseKey = sessionBaseKey(responseKey: responseKey, ntProofString: proof)

        let exportedKey: [UInt8]
        let encryptedKey: [UInt8]
        if p.flags.contains(.negotiateKeyExchange) {
            exportedKey = p.randomSessionKey
            encryptedKey = encryptSessionKey(p.randomSessionKey, keyExchangeKey: baseKey)
        } else {
            exportedKey = baseKey
            encryptedKey = []
        }

        var message = AuthenticateMessage(
            flags: p.flags,
            lmChallengeResponse: lm,
            ntChallengeResponse: proof + blob,
            domain: p.credentials.domain,
            user: p.credentials.user,
            workstation: p.workstation,
            encryptedRandomSessionKey: encryptedKey,
            version: p.flags.contains(.negotiateVersion) ? p.version : nil,
            mic: withMIC ? [UInt8](repeating: 0, count: 16) : nil
        )
        var encoded = message.encoded()
        if withMIC {
            // MIC = HMAC_MD5(ExportedSessionKey, NEGOTIATE + CHALLENGE + AUTHENTICATE with a zero MIC).
            let mic = NTLMHash.hmacMD5(key: exportedKey, p.negotiateMessage, p.challengeMessage, encoded)
            message.mic = mic
            encoded.replaceSubrange(AuthenticateMessage.micOffset..<AuthenticateMessage.micOffset + 16, with: mic)
        }
        return NTLMAuthenticateResult(
            message: message, encoded: encoded, challenge: challenge,
            ntProofString: proof, sessionBaseKey: baseKey, exportedSessionKey: exportedKey
        )
    }

    /// The MIC a server would compute over the three messages, for checking
    /// an AUTHENTICATE (the MIC field inside `authenticate` is zeroed first).
    public static func mic(exportedSessionKey: [UInt8], negotiate: [UInt8], challenge: [UInt8], authenticate: [UInt8]) -> [UInt8] {
        var zeroed = authenticate
        let range = AuthenticateMessage.micOffset..<AuthenticateMessage.micOffset + 16
        if zeroed.count >= range.upperBound {
            zeroed.replaceSubrange(range, with: [UInt8](repeating: 0, count: 16))
        }
        return NTLMHash.hmacMD5(key: exportedSessionKey, negotiate, challenge, zeroed)
    }
}
