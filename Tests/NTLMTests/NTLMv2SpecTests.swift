import NTLM
import Testing

@Suite("NTLMv2 against MS-NLMP 4.2.4")
struct NTLMv2SpecTests {
    @Test("4.2.4.1.1 NTOWFv2(\"Password\", \"User\", \"Domain\")")
    func ntowfv2() {
        #expect(hexString(NTLMv2.ntowfv2(Spec.credentials)) == Spec.ntowfv2)
    }

    @Test("the user name is upper-cased, the domain is not")
    func caseRules() {
        let upperUser = NTLMCredentials(user: "USER", domain: "Domain", password: "Password")
        let upperDomain = NTLMCredentials(user: "User", domain: "DOMAIN", password: "Password")
        #expect(hexString(NTLMv2.ntowfv2(upperUser)) == Spec.ntowfv2)
        #expect(hexString(NTLMv2.ntowfv2(upperDomain)) != Spec.ntowfv2)
    }

    @Test("4.2.4.2.1 LMv2 response")
    func lmv2() {
        let key = NTLMv2.ntowfv2(Spec.credentials)
        let response = NTLMv2.lmv2Response(responseKey: key, serverChallenge: Spec.serverChallenge, clientChallenge: Spec.clientChallenge)
        #expect(hexString(response) == Spec.lmv2Response)
    }

    @Test("4.2.4.2.2 NTProofStr, 4.2.4.1.2 session base key, 4.2.4.2.3 encrypted session key")
    func proofAndKeys() {
        let key = NTLMv2.ntowfv2(Spec.credentials)
        let blob = NTLMv2.clientBlob(time: Spec.time, clientChallenge: Spec.clientChallenge, targetInfo: Spec.targetInfo)
        let proof = NTLMv2.ntProofString(responseKey: key, serverChallenge: Spec.serverChallenge, blob: blob)
        #expect(hexString(proof) == Spec.ntProofString)
        let baseKey = NTLMv2.sessionBaseKey(responseKey: key, ntProofString: proof)
        #expect(hexString(baseKey) == Spec.sessionBaseKey)
        #expect(hexString(NTLMv2.encryptSessionKey(Spec.randomSessionKey, keyExchangeKey: baseKey)) == Spec.encryptedSessionKey)
    }

    @Test("4.2.4.3 the whole AUTHENTICATE_MESSAGE, byte for byte")
    func wholeAuthenticateMessage() throws {
        let result = try NTLMv2.authenticate(
            NTLMAuthenticateParameters(
                credentials: Spec.credentials,
                negotiateMessage: [],
                challengeMessage: Spec.challengeMessage,
                flags: Spec.authenticateFlags,
                workstation: Spec.workstation,
                version: NTLMVersion(major: 5, minor: 1, build: 2600),
                clientChallenge: Spec.clientChallenge,
                randomSessionKey: Spec.randomSessionKey,
                currentTime: Spec.time
            ))
        #expect(hexString(result.encoded) == hexString(Spec.authenticateMessage))
        #expect(hexString(result.sessionBaseKey) == Spec.sessionBaseKey)
        #expect(hexString(result.ntProofString) == Spec.ntProofString)
        #expect(result.exportedSessionKey == Spec.randomSessionKey)
        // No MsvAvTimestamp in this CHALLENGE: no MIC, and the LMv2 response is sent.
        #expect(result.message.mic == nil)
        #expect(hexString(result.message.lmChallengeResponse) == Spec.lmv2Response)
    }

    @Test("4.2.4.3 AUTHENTICATE_MESSAGE decodes into its parts")
    func decodeAuthenticate() throws {
        let message = try AuthenticateMessage(decoding: Spec.authenticateMessage)
        #expect(message.flags == Spec.authenticateFlags)
        #expect(message.user == "User")
        #expect(message.domain == "Domain")
        #expect(message.workstation == "COMPUTER")
        #expect(message.version == NTLMVersion(major: 5, minor: 1, build: 2600))
        #expect(message.mic == nil)
        #expect(hexString(message.encryptedRandomSessionKey) == Spec.encryptedSessionKey)
        #expect(message.ntChallengeResponse.count == 84)
        #expect(message.encoded() == Spec.authenticateMessage)
    }

    @Test("without key exchange the session base key is the exported key and no key is sent")
    func withoutKeyExchange() throws {
        var flags = Spec.authenticateFlags
        flags.remove(.negotiateKeyExchange)
        let result = try NTLMv2.authenticate(
            NTLMAuthenticateParameters(
                credentials: Spec.credentials, negotiateMessage: [], challengeMessage: Spec.challengeMessage,
                flags: flags, workstation: Spec.workstation, clientChallenge: Spec.clientChallenge,
                randomSessionKey: Spec.randomSessionKey, currentTime: Spec.time
            ))
        #expect(hexString(result.exportedSessionKey) == Spec.sessionBaseKey)
        #expect(result.message.encryptedRandomSessionKey.isEmpty)
    }

    @Test("wrong-sized random inputs are typed errors")
    func parameterChecks() {
        var parameters = NTLMAuthenticateParameters(
            credentials: Spec.credentials, negotiateMessage: [], challengeMessage: Spec.challengeMessage,
            flags: Spec.authenticateFlags, workstation: "", clientChallenge: [1, 2, 3],
            randomSessionKey: Spec.randomSessionKey, currentTime: Spec.time
        )
        #expect(throws: NTLMError.invalidParameter("client challenge must be 8 bytes")) {
            try NTLMv2.authenticate(parameters)
        }
        parameters.clientChallenge = Spec.clientChallenge
        parameters.channelBindings = [0]
        #expect(throws: NTLMError.invalidParameter("channel bindings must be 16 bytes")) {
            try NTLMv2.authenticate(parameters)
        }
    }
}
