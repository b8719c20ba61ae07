import NTLM
import Testing

@Suite("NTLM sealing and signing (MS-NLMP 4.2.4.4)")
struct SessionSecurityTests {
    static let flags = Spec.authenticateFlags

    @Test("4.2.4.4 client sealing and signing keys")
    func keys() {
        let keys = NTLMSessionKeys(exportedSessionKey: Spec.randomSessionKey, flags: Self.flags)
        #expect(hexString(keys.clientSealingKey) == Spec.clientSealingKey)
        #expect(hexString(keys.clientSigningKey) == Spec.clientSigningKey)
        #expect(keys.serverSealingKey != keys.clientSealingKey)
        #expect(keys.serverSigningKey != keys.clientSigningKey)
    }

    @Test("4.2.4.4 SEAL of \"Plaintext\" and its signature")
    func sealPlaintext() throws {
        var client = try NTLMSessionSecurity(exportedSessionKey: Spec.randomSessionKey, flags: Self.flags)
        let (sealed, signature) = client.seal(Spec.plaintext)
        #expect(hexString(sealed) == Spec.sealedPlaintext)
        #expect(hexString(signature) == Spec.plaintextSignature)
        #expect(client.sendSequenceNumber == 1)
    }

    // Not in MS-NLMP: the server-to-client direction as the ntlmlib project's
    // tests give it for the same key, a cross-check of the other magic strings.
    @Test("server-to-client sealing matches an independent implementation")
    func serverDirection() throws {
        var server = try NTLMSessionSecurity(exportedSessionKey: Spec.randomSessionKey, flags: Self.flags, role: .server)
        let (sealed, signature) = server.seal(Spec.plaintext)
        #expect(hexString(sealed) == "160871b730ba74e946c453d7465b54278dd0")
        #expect(hexString(signature) == "01000000b298b847ce7c580700000000")

        var client = try NTLMSessionSecurity(exportedSessionKey: Spec.randomSessionKey, flags: Self.flags)
        #expect(try client.unseal(sealed, signature: signature) == Spec.plaintext)
    }

    @Test("keystreams and sequence numbers run on across messages, both ways")
    func conversation() throws {
        var client = try NTLMSessionSecurity(exportedSessionKey: Spec.randomSessionKey, flags: Self.flags)
        var server = try NTLMSessionSecurity(exportedSessionKey: Spec.randomSessionKey, flags: Self.flags, role: .server)
        for round in 0..<5 {
            let question = Array("question \(round)".utf8)
            let (sealed, signature) = client.seal(question)
            #expect(signature[12..<16] == [UInt8(round), 0, 0, 0][...])
            #expect(try server.unseal(sealed, signature: signature) == question)
            let answer = Array("answer \(round)".utf8)
            let reply = server.seal(answer)
            #expect(try client.unseal(reply.sealed, signature: reply.signature) == answer)
        }
        #expect(client.sendSequenceNumber == 5 && client.receiveSequenceNumber == 5)
    }

    @Test("a changed byte, or a message out of order, fails verification")
    func tampering() throws {
        var client = try NTLMSessionSecurity(exportedSessionKey: Spec.randomSessionKey, flags: Self.flags)
        var server = try NTLMSessionSecurity(exportedSessionKey: Spec.randomSessionKey, flags: Self.flags, role: .server)
        var first = client.seal(Spec.plaintext)
        first.sealed[0] ^= 1
        #expect(throws: NTLMError.signatureMismatch) { try server.unseal(first.sealed, signature: first.signature) }

        // A fresh receiver expects sequence number 0; the client's second message is 1.
        var fresh = try NTLMSessionSecurity(exportedSessionKey: Spec.randomSessionKey, flags: Self.flags, role: .server)
        let second = client.seal(Spec.plaintext)
        #expect(throws: NTLMError.signatureMismatch) { try fresh.unseal(second.sealed, signature: second.signature) }
    }

    @Test("sign and verify without sealing")
    func signOnly() throws {
        var client = try NTLMSessionSecurity(exportedSessionKey: Spec.randomSessionKey, flags: Self.flags)
        var server = try NTLMSessionSecurity(exportedSessionKey: Spec.randomSessionKey, flags: Self.flags, role: .server)
        let signature = client.sign(Spec.plaintext)
        try server.verify(Spec.plaintext, signature: signature)
        #expect(throws: NTLMError.signatureMismatch) { try server.verify(Spec.plaintext, signature: signature) }
    }

    @Test("without extended session security sealing is refused")
    func needsExtendedSessionSecurity() {
        #expect(throws: NTLMError.self) {
            try NTLMSessionSecurity(exportedSessionKey: Spec.randomSessionKey, flags: [.negotiateSeal, .negotiate128])
        }
    }

    @Test("sealing keys are cut to 7 bytes for NEGOTIATE_56 and 5 bytes otherwise")
    func weakKeys() {
        let key = Spec.randomSessionKey
        let full = NTLMSessionKeys.sealingKey(key, flags: .negotiate128, .clientToServer)
        let seven = NTLMSessionKeys.sealingKey(key, flags: .negotiate56, .clientToServer)
        let five = NTLMSessionKeys.sealingKey(key, flags: [], .clientToServer)
        #expect(Set([full, seven, five]).count == 3)
        #expect(seven == NTLMSessionKeys.sealingKey(Array(key.prefix(7)) + [UInt8](repeating: 0xee, count: 9), flags: .negotiate56, .clientToServer))
    }
}
