import CredSSP
import NTLM
import Testing

// Interoperability: the captured exchange of another implementation (see
// Captured) is checked with this code playing each side in turn.
@Suite("A captured CredSSP exchange of another implementation")
struct CapturedExchangeTests {
    static let credentials = NTLMCredentials(user: "Ulysse", domain: "Ithaque", password: Captured.password)

    struct Keys {
        let negotiate: [UInt8]
        let challenge: [UInt8]
        let authenticate: [UInt8]
        let message: AuthenticateMessage
        let exportedSessionKey: [UInt8]
        let ntProofMatches: Bool
    }

    /// Plays the server: checks the NTLMv2 proof with the password and
    /// recovers the exported session key the client chose.
    static func serverView() throws -> Keys {
        let negotiate = try TSRequest(derEncoded: Captured.negotiate).negoTokens[0]
        let challengeToken = try TSRequest(derEncoded: Captured.challenge).negoTokens[0]
        let authenticate = try TSRequest(derEncoded: Captured.authenticate).negoTokens[0]
        let message = try AuthenticateMessage(decoding: authenticate)
        let challenge = try ChallengeMessage(decoding: challengeToken)
        let key = NTLMv2.ntowfv2(credentials)
        let nt = message.ntChallengeResponse
        let proof = NTLMv2.ntProofString(responseKey: key, serverChallenge: challenge.serverChallenge, blob: Array(nt[16...]))
        let baseKey = NTLMv2.sessionBaseKey(responseKey: key, ntProofString: proof)
        // RC4 is its own inverse: "encrypting" the encrypted key decrypts it.
        let exported = NTLMv2.encryptSessionKey(message.encryptedRandomSessionKey, keyExchangeKey: baseKey)
        return Keys(
            negotiate: negotiate, challenge: challengeToken, authenticate: authenticate, message: message,
            exportedSessionKey: exported, ntProofMatches: proof == Array(nt[..<16]))
    }

    @Test("the AUTHENTICATE names the user and proves the password; the MIC verifies")
    func authenticateVerifies() throws {
        let keys = try Self.serverView()
        #expect(keys.message.user == "Ulysse")
        #expect(keys.message.domain == "Ithaque")
        #expect(keys.message.workstation == "Télémaque")
        #expect(keys.ntProofMatches)
        let mic = try #require(keys.message.mic)
        #expect(
            NTLMv2.mic(
                exportedSessionKey: keys.exportedSessionKey, negotiate: keys.negotiate,
                challenge: keys.challenge, authenticate: keys.authenticate) == mic)
    }

    @Test("as the server: unseal the client's pubKeyAuth (the key itself, version 2) and its TSCredentials")
    func serverSide() throws {
        let keys = try Self.serverView()
        var server = try NTLMSessionSecurity(exportedSessionKey: keys.exportedSessionKey, flags: keys.message.flags, role: .server)
        let pubKeyAuth = try #require(try TSRequest(derEncoded: Captured.authenticate).pubKeyAuth)
        #expect(try PublicKeyAuth.unseal(pubKeyAuth, with: &server) == Captured.publicKey)
        let authInfo = try #require(try TSRequest(derEncoded: Captured.credentials).authInfo)
        let delegated = try TSCredentials(derEncoded: try PublicKeyAuth.unseal(authInfo, with: &server))
        #expect(delegated.credType == 1)
        #expect(try TSPasswordCreds(derEncoded: delegated.credentials).credentials == Self.credentials)
    }

    @Test("as the client: reproduce its pubKeyAuth and authInfo bytes and accept the server's proof")
    func clientSide() throws {
        let keys = try Self.serverView()
        var client = try NTLMSessionSecurity(exportedSessionKey: keys.exportedSessionKey, flags: keys.message.flags)
        #expect(PublicKeyAuth.seal(Captured.publicKey, with: &client) == (try TSRequest(derEncoded: Captured.authenticate)).pubKeyAuth)
        let serverProof = try #require(try TSRequest(derEncoded: Captured.serverPubKeyAuth).pubKeyAuth)
        #expect(
            try PublicKeyAuth.unseal(serverProof, with: &client)
                == PublicKeyAuth.serverValue(version: 2, publicKey: Captured.publicKey, nonce: []))
        let delegated = TSCredentials(password: TSPasswordCreds(Self.credentials)).derEncoded()
        #expect(PublicKeyAuth.seal(delegated, with: &client) == (try TSRequest(derEncoded: Captured.credentials)).authInfo)
    }
}
