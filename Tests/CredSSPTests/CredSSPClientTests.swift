import CredSSP
import NTLM
import Testing

@Suite("CredSSP client state machine")
struct CredSSPClientTests {
    static let credentials = NTLMCredentials(user: "alice", domain: "CONTOSO", password: "correct horse battery staple")
    static let publicKey = Array(0..<64).map { UInt8($0 * 7 & 0xff) }

    static func configuration(sendCredentials: Bool = false, spn: String? = nil) -> CredSSPClient.Configuration {
        var configuration = CredSSPClient.Configuration()
        configuration.workstation = "PROBE"
        configuration.sendCredentials = sendCredentials
        configuration.servicePrincipalName = spn
        configuration.random = RandomBytes { count in (0..<count).map { UInt8(truncatingIfNeeded: 0x30 + $0) } }
        return configuration
    }

    static func sentBytes(_ action: CredSSPClient.Action) throws -> [UInt8] {
        guard case .send(let bytes) = action else {
            Issue.record("expected .send, got \(action)")
            throw FakeServer.Failure.noToken
        }
        return bytes
    }

    @Test("probe mode: NEGOTIATE out, the captured Windows CHALLENGE in, stop with what it says")
    func probe() throws {
        var client = CredSSPClient(serverPublicKey: Self.publicKey, configuration: Self.configuration())
        let first = try TSRequest(derEncoded: client.start(credentials: nil))
        #expect(first.version == 6)
        let negotiate = try #require(first.negoTokens.first)
        #expect(Array(negotiate[0..<12]) == Array("NTLMSSP".utf8) + [0, 1, 0, 0, 0])

        guard case .challengeReceived(let info) = client.receive(Captured.challenge) else {
            Issue.record("no challenge")
            return
        }
        #expect(info.credSSPVersion == 2)
        #expect(info.nbComputerName == "WIN7")
        #expect(info.nbDomainName == "WIN7")
        #expect(info.dnsComputerName == "win7")
        #expect(info.dnsDomainName == "win7")
        #expect(info.osVersion == NTLMVersion(major: 5, minor: 1, build: 2600))
        #expect(info.serverTime == FileTime(rawValue: 0xd676_564e_5a0e_9567))
        #expect(client.challenge == info)
        #expect(client.peerVersion == 2)
        #expect(client.receive(Captured.challenge) == .failed(.notExpectingMessages))
    }

    @Test("full logon against a server of each CredSSP version", arguments: [2, 3, 4, 5, 6])
    func fullExchange(version: Int) throws {
        var server = FakeServer(credentials: Self.credentials, publicKey: Self.publicKey)
        server.version = version
        var client = CredSSPClient(serverPublicKey: Self.publicKey, configuration: Self.configuration())
        let challenge = try server.challenge(for: client.start(credentials: Self.credentials))
        let authenticate = try Self.sentBytes(client.receive(challenge))
        let request = try TSRequest(derEncoded: authenticate)
        #expect(request.version == 6)
        #expect((request.clientNonce != nil) == (version >= 5))
        #expect(request.clientNonce?.count ?? 32 == 32)
        let reply = try server.answer(authenticate)
        #expect(client.receive(reply) == .authenticated(credentialsMessage: nil))
        #expect(client.challenge?.dnsComputerName == "srv01.contoso.com")
        #expect(client.challenge?.osVersion == NTLMVersion(major: 10, minor: 0, build: 20348))
        // The server's timestamp made the client send a MIC (the server checked it) and zero the LM response.
        #expect(server.authenticate?.mic != nil)
        #expect(server.authenticate?.lmChallengeResponse == [UInt8](repeating: 0, count: 24))
    }

    @Test("opt-in delegation: TSCredentials reach the server intact")
    func delegation() throws {
        var server = FakeServer(credentials: Self.credentials, publicKey: Self.publicKey)
        var client = CredSSPClient(serverPublicKey: Self.publicKey, configuration: Self.configuration(sendCredentials: true))
        let challenge = try server.challenge(for: client.start(credentials: Self.credentials))
        let reply = try server.answer(try Self.sentBytes(client.receive(challenge)))
        guard case .authenticated(let message?) = client.receive(reply) else {
            Issue.record("no credentials message")
            return
        }
        #expect(try server.delegated(message).credentials == Self.credentials)
    }

    @Test("the service principal name is sent as MsvAvTargetName")
    func servicePrincipalName() throws {
        var server = FakeServer(credentials: Self.credentials, publicKey: Self.publicKey)
        var client = CredSSPClient(serverPublicKey: Self.publicKey, configuration: Self.configuration(spn: "TERMSRV/srv01.contoso.com"))
        let challenge = try server.challenge(for: client.start(credentials: Self.credentials))
        _ = try server.answer(try Self.sentBytes(client.receive(challenge)))
        let nt = try #require(server.authenticate?.ntChallengeResponse)
        let pairs = try TargetInfo(decoding: Array(nt[44..<(nt.count - 4)]))
        #expect(pairs.targetName == "TERMSRV/srv01.contoso.com")
        #expect(pairs.flags == [.micPresent])
    }

    @Test("without a server timestamp: the client's time, an LMv2 response and no MIC")
    func noTimestamp() throws {
        var server = FakeServer(credentials: Self.credentials, publicKey: Self.publicKey)
        server.timestamp = nil
        var configuration = Self.configuration()
        configuration.currentTime = FileTime(unixSeconds: 1_234_567_890)
        var client = CredSSPClient(serverPublicKey: Self.publicKey, configuration: configuration)
        let challenge = try server.challenge(for: client.start(credentials: Self.credentials))
        let reply = try server.answer(try Self.sentBytes(client.receive(challenge)))
        #expect(client.receive(reply) == .authenticated(credentialsMessage: nil))
        #expect(server.authenticate?.mic == nil)
        #expect(server.authenticate?.lmChallengeResponse.count == 24)
        #expect(server.authenticate?.lmChallengeResponse != [UInt8](repeating: 0, count: 24))
    }

    @Test("a wrong password comes back as the server's NTSTATUS")
    func wrongPassword() throws {
        var server = FakeServer(credentials: NTLMCredentials(user: "alice", domain: "CONTOSO", password: "other"), publicKey: Self.publicKey)
        var client = CredSSPClient(serverPublicKey: Self.publicKey, configuration: Self.configuration())
        let challenge = try server.challenge(for: client.start(credentials: Self.credentials))
        let reply = try server.answer(try Self.sentBytes(client.receive(challenge)))
        #expect(client.receive(reply) == .serverError(.logonFailure))
    }

    @Test("a server answering for another public key is caught (interception)")
    func publicKeyMismatch() throws {
        var server = FakeServer(credentials: Self.credentials, publicKey: Self.publicKey)
        var client = CredSSPClient(serverPublicKey: Self.publicKey, configuration: Self.configuration())
        let challenge = try server.challenge(for: client.start(credentials: Self.credentials))
        let reply = try server.answer(try Self.sentBytes(client.receive(challenge)), answeringFor: [0x30, 0x00])
        #expect(client.receive(reply) == .failed(.publicKeyMismatch))
    }

    @Test("a server that does not hold the session key fails the signature check")
    func badSignature() throws {
        var server = FakeServer(credentials: Self.credentials, publicKey: Self.publicKey)
        var client = CredSSPClient(serverPublicKey: Self.publicKey, configuration: Self.configuration())
        let challenge = try server.challenge(for: client.start(credentials: Self.credentials))
        var reply = try TSRequest(derEncoded: try server.answer(try Self.sentBytes(client.receive(challenge))))
        reply.pubKeyAuth?[5] ^= 0x01
        #expect(client.receive(reply.derEncoded()) == .failed(.serverSignatureInvalid))
    }

    @Test("a server without extended session security is refused before any proof is sent")
    func noExtendedSessionSecurity() throws {
        var server = FakeServer(credentials: Self.credentials, publicKey: Self.publicKey)
        server.flags.remove(.negotiateExtendedSessionSecurity)
        var client = CredSSPClient(serverPublicKey: Self.publicKey, configuration: Self.configuration())
        let challenge = try server.challenge(for: client.start(credentials: Self.credentials))
        guard case .failed(.ntlm(.unsupported)) = client.receive(challenge) else {
            Issue.record("expected an unsupported failure")
            return
        }
    }

    @Test("malformed, misplaced and early messages are failures, not crashes")
    func badInput() throws {
        var idle = CredSSPClient(serverPublicKey: Self.publicKey)
        #expect(idle.receive(Captured.challenge) == .failed(.notExpectingMessages))

        var client = CredSSPClient(serverPublicKey: Self.publicKey, configuration: Self.configuration())
        _ = client.start(credentials: nil)
        guard case .failed(.malformedMessage) = client.receive([0x30, 0x03, 0x02, 0x01]) else {
            Issue.record("expected malformedMessage")
            return
        }

        _ = client.start(credentials: nil)
        #expect(client.receive(TSRequest(version: 6).derEncoded()) == .failed(.unexpectedMessage("expected one NTLM CHALLENGE token, found 0")))

        _ = client.start(credentials: nil)
        guard case .failed(.ntlm(.badSignature)) = client.receive(TSRequest(version: 6, negoTokens: [[UInt8](repeating: 0x41, count: 40)]).derEncoded()) else {
            Issue.record("expected an NTLM error")
            return
        }

        _ = client.start(credentials: nil)
        #expect(client.receive(TSRequest(version: 6, errorCode: .accountLockedOut).derEncoded()) == .serverError(.accountLockedOut))

        var server = FakeServer(credentials: Self.credentials, publicKey: Self.publicKey)
        _ = try server.challenge(for: client.start(credentials: Self.credentials))
        _ = try Self.sentBytes(client.receive(try server.challenge(for: client.start(credentials: Self.credentials))))
        #expect(client.receive(TSRequest(version: 6).derEncoded()) == .failed(.unexpectedMessage("the server's answer has no pubKeyAuth")))
    }

    @Test("every prefix of the server's CHALLENGE TSRequest fails cleanly")
    func truncatedChallenge() {
        for count in 0..<Captured.challenge.count {
            var client = CredSSPClient(serverPublicKey: Self.publicKey, configuration: Self.configuration())
            _ = client.start(credentials: Self.credentials)
            guard case .failed = client.receive(Array(Captured.challenge.prefix(count))) else {
                Issue.record("prefix \(count) did not fail")
                continue
            }
        }
    }

    @Test("the client never prints the password it holds")
    func redaction() {
        var client = CredSSPClient(serverPublicKey: Self.publicKey, configuration: Self.configuration())
        _ = client.start(credentials: Self.credentials)
        var dumped = ""
        dump(client, to: &dumped)
        for text in [String(describing: client), String(reflecting: client), dumped] {
            #expect(!text.contains(Self.credentials.password), "leaked in: \(text)")
        }
        #expect(String(describing: client).contains("negotiateSent"))
    }
}
