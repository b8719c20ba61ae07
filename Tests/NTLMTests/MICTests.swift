import LegacyCrypto
import NTLM
import Testing

@Suite("AUTHENTICATE with a server timestamp: MIC, MsvAvFlags, zeroed LM")
struct MICTests {
    static let negotiate = NegotiateMessage(flags: .clientDefault, version: NTLMVersion(major: 10, minor: 0, build: 19041)).encoded()
    static let credentials = NTLMCredentials(user: "Ulysse", domain: "Ithaque", password: "Pénélope")

    static func authenticate(targetName: String? = "TERMSRV/win7", bindings: [UInt8]? = [UInt8](repeating: 0, count: 16)) throws -> NTLMAuthenticateResult {
        let challenge = try ChallengeMessage(decoding: MessageTests.windows7Challenge)
        return try NTLMv2.authenticate(
            NTLMAuthenticateParameters(
                credentials: credentials,
                negotiateMessage: negotiate,
                challengeMessage: MessageTests.windows7Challenge,
                flags: NegotiateFlags.clientDefault.intersection(challenge.flags),
                workstation: "PROBE",
                version: NTLMVersion(major: 10, minor: 0, build: 19041),
                clientChallenge: [1, 2, 3, 4, 5, 6, 7, 8],
                randomSessionKey: [UInt8](repeating: 0x42, count: 16),
                currentTime: FileTime(rawValue: 1),
                targetName: targetName,
                channelBindings: bindings
            ))
    }

    @Test("the MIC is HMAC-MD5 over NEGOTIATE, CHALLENGE and the zero-MIC AUTHENTICATE")
    func micCoversAllThree() throws {
        let result = try Self.authenticate()
        let mic = try #require(result.message.mic)
        #expect(Array(result.encoded[72..<88]) == mic)
        #expect(
            NTLMv2.mic(
                exportedSessionKey: result.exportedSessionKey, negotiate: Self.negotiate,
                challenge: MessageTests.windows7Challenge, authenticate: result.encoded) == mic)
        var otherNegotiate = Self.negotiate
        otherNegotiate[12] ^= 1
        #expect(
            NTLMv2.mic(
                exportedSessionKey: result.exportedSessionKey, negotiate: otherNegotiate,
                challenge: MessageTests.windows7Challenge, authenticate: result.encoded) != mic)

        let decoded = try AuthenticateMessage(decoding: result.encoded)
        #expect(decoded.mic == mic)
        #expect(decoded.version == NTLMVersion(major: 10, minor: 0, build: 19041))
        #expect(decoded.user == "Ulysse" && decoded.domain == "Ithaque" && decoded.workstation == "PROBE")
    }

    @Test("LM response is Z(24); the blob carries the server's time and the client's AV pairs")
    func blobContents() throws {
        let result = try Self.authenticate()
        #expect(result.message.lmChallengeResponse == [UInt8](repeating: 0, count: 24))
        let nt = result.message.ntChallengeResponse
        let serverTime = try #require(result.challenge.targetInfo.timestamp)
        var timeBytes: [UInt8] = []
        for shift in stride(from: 0, to: 64, by: 8) { timeBytes.append(UInt8(truncatingIfNeeded: serverTime.rawValue >> UInt64(shift))) }
        #expect(Array(nt[24..<32]) == timeBytes)
        #expect(Array(nt[32..<40]) == [1, 2, 3, 4, 5, 6, 7, 8])
        let pairs = try TargetInfo(decoding: Array(nt[44..<(nt.count - 4)]))
        #expect(pairs.flags == [.micPresent])
        #expect(pairs.targetName == "TERMSRV/win7")
        #expect(pairs.value(for: .channelBindings) == [UInt8](repeating: 0, count: 16))
        #expect(pairs.timestamp == serverTime)
        #expect(pairs.nbComputerName == "WIN7")
    }

    @Test("a server holding the password verifies the proof and recovers the session key")
    func serverSideCheck() throws {
        let result = try Self.authenticate(targetName: nil, bindings: nil)
        let nt = result.message.ntChallengeResponse
        let key = NTLMv2.ntowfv2(Self.credentials)
        let proof = NTLMv2.ntProofString(responseKey: key, serverChallenge: result.challenge.serverChallenge, blob: Array(nt[16...]))
        #expect(proof == Array(nt[0..<16]))
        let baseKey = NTLMv2.sessionBaseKey(responseKey: key, ntProofString: proof)
        var rc4 = RC4(key: baseKey)
        #expect(rc4.process(result.message.encryptedRandomSessionKey) == [UInt8](repeating: 0x42, count: 16))

        let wrongKey = NTLMv2.ntowfv2(NTLMCredentials(user: "Ulysse", domain: "Ithaque", password: "Penelope"))
        #expect(NTLMv2.ntProofString(responseKey: wrongKey, serverChallenge: result.challenge.serverChallenge, blob: Array(nt[16...])) != proof)
    }

    @Test("existing MsvAvFlags bits are kept when the MIC bit is added")
    func keepsServerFlags() throws {
        var challenge = try ChallengeMessage(decoding: MessageTests.windows7Challenge)
        challenge.targetInfo.set(.flags(.accountAuthenticationConstrained))
        let result = try NTLMv2.authenticate(
            NTLMAuthenticateParameters(
                credentials: Self.credentials, negotiateMessage: Self.negotiate, challengeMessage: challenge.encoded(),
                flags: .clientDefault, workstation: "", clientChallenge: [UInt8](repeating: 0, count: 8),
                randomSessionKey: [UInt8](repeating: 0, count: 16), currentTime: FileTime(rawValue: 0)
            ))
        let nt = result.message.ntChallengeResponse
        let pairs = try TargetInfo(decoding: Array(nt[44..<(nt.count - 4)]))
        #expect(pairs.flags == [.accountAuthenticationConstrained, .micPresent])
    }
}
