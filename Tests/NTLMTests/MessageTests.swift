import NTLM
import Testing

@Suite("NTLM messages")
struct MessageTests {
    @Test("4.2.4.3 CHALLENGE_MESSAGE decodes: flags, target name, challenge, AV pairs, Windows version")
    func decodeSpecChallenge() throws {
        let challenge = try ChallengeMessage(decoding: Spec.challengeMessage)
        #expect(challenge.flags == Spec.challengeFlags)
        #expect(challenge.targetName == "Server")
        #expect(challenge.serverChallenge == Spec.serverChallenge)
        #expect(challenge.targetInfo.nbDomainName == "Domain")
        #expect(challenge.targetInfo.nbComputerName == "Server")
        #expect(challenge.targetInfo.timestamp == nil)
        #expect(challenge.targetInfo.encoded() == Spec.targetInfo)
        #expect(challenge.version == NTLMVersion(major: 6, minor: 0, build: 6000))
        #expect(challenge.encoded() == Spec.challengeMessage)
    }

    // A CHALLENGE from a Windows 7 SP1 host, as captured in the tests of the
    // redemption RDP proxy: no target name, NetBIOS and DNS names, a timestamp.
    static let windows7Challenge = hex(
        """
        4e544c4d535350000200000000000000
        38000000b78208e2b86cdaa6f0f6308d
        00000000000000004000400038000000
        0601b11d0000000f0100080057004900
        4e00370002000800570049004e003700
        03000800770069006e00370004000800
        770069006e0037000700080067950e5a
        4e5676d600000000
        """)

    @Test("a Windows 7 CHALLENGE: names, server time, version 6.1.7601")
    func decodeWindows7Challenge() throws {
        let challenge = try ChallengeMessage(decoding: Self.windows7Challenge)
        #expect(challenge.flags.rawValue == 0xe208_82b7)
        #expect(challenge.targetName == "")
        #expect(challenge.targetInfo.nbComputerName == "WIN7")
        #expect(challenge.targetInfo.nbDomainName == "WIN7")
        #expect(challenge.targetInfo.dnsComputerName == "win7")
        #expect(challenge.targetInfo.dnsDomainName == "win7")
        #expect(challenge.targetInfo.dnsTreeName == nil)
        #expect(challenge.targetInfo.timestamp == FileTime(rawValue: 0xd676_564e_5a0e_9567))
        #expect(challenge.version == NTLMVersion(major: 6, minor: 1, build: 7601))
    }

    @Test("NEGOTIATE_MESSAGE with Version matches a captured client's bytes")
    func negotiateBytes() {
        // The NTLM NEGOTIATE inside the redemption proxy's CredSSP test vector.
        let message = NegotiateMessage(
            flags: NegotiateFlags(rawValue: 0xe208_82b7),
            version: NTLMVersion(major: 6, minor: 1, build: 7601)
        )
        #expect(
            hexString(message.encoded()) == """
                4e544c4d5353500001000000b78208e2000000002800000000000000280000000601b11d0000000f
                """)
    }

    @Test("NEGOTIATE flags follow the optional fields")
    func negotiateOptionalFields() {
        let bare = NegotiateMessage(flags: .clientDefault)
        #expect(!bare.flags.contains(.negotiateVersion))
        #expect(bare.encoded().count == 32)
        let full = NegotiateMessage(flags: [], domain: "DOM", workstation: "WS", version: NTLMVersion(major: 10, minor: 0, build: 20348))
        #expect(full.flags == [.negotiateVersion, .negotiateOEMDomainSupplied, .negotiateOEMWorkstationSupplied])
        let bytes = full.encoded()
        #expect(bytes.count == 45)
        #expect(Array(bytes[40...]) == Array("DOMWS".utf8))
        #expect(bytes[16..<24] == [3, 0, 3, 0, 40, 0, 0, 0][...])
        #expect(bytes[24..<32] == [2, 0, 2, 0, 43, 0, 0, 0][...])
    }

    @Test("every prefix of a CHALLENGE is a typed error, never a crash")
    func truncatedChallenge() {
        for count in 0..<Spec.challengeMessage.count {
            #expect(throws: NTLMError.self, "prefix \(count)") {
                try ChallengeMessage(decoding: Array(Spec.challengeMessage.prefix(count)))
            }
        }
    }

    @Test("every prefix of an AUTHENTICATE is a typed error")
    func truncatedAuthenticate() {
        for count in 0..<Spec.authenticateMessage.count {
            #expect(throws: NTLMError.self, "prefix \(count)") {
                try AuthenticateMessage(decoding: Array(Spec.authenticateMessage.prefix(count)))
            }
        }
    }

    @Test("hostile CHALLENGE fields are refused with the field named")
    func hostileChallenge() {
        var bytes = Spec.challengeMessage
        bytes[0] = 0x4f
        #expect(throws: NTLMError.badSignature) { try ChallengeMessage(decoding: bytes) }

        bytes = Spec.challengeMessage
        bytes[8] = 3
        #expect(throws: NTLMError.unexpectedMessageType(expected: 2, found: 3)) { try ChallengeMessage(decoding: bytes) }

        bytes = Spec.challengeMessage
        bytes[16...19] = [0xff, 0xff, 0xff, 0xff]  // TargetName offset far away
        #expect(throws: NTLMError.fieldOutOfBounds("TargetName")) { try ChallengeMessage(decoding: bytes) }

        bytes = Spec.challengeMessage
        bytes[40...41] = [0xff, 0xff]  // TargetInfo length beyond the message
        #expect(throws: NTLMError.fieldOutOfBounds("TargetInfo")) { try ChallengeMessage(decoding: bytes) }

        bytes = Spec.challengeMessage
        bytes[12...13] = [0x0b, 0x00]  // an odd UTF-16 length
        #expect(throws: NTLMError.malformedString("TargetName")) { try ChallengeMessage(decoding: bytes) }

        bytes = Spec.challengeMessage
        bytes[0x44 + 2] = 0x7f  // the first AV pair claims 127 bytes
        #expect(throws: NTLMError.self) { try ChallengeMessage(decoding: bytes) }
    }

    @Test("a minimal old-style CHALLENGE without target information still decodes")
    func minimalChallenge() throws {
        var bytes = Array("NTLMSSP".utf8) + [0, 2, 0, 0, 0]
        bytes += [0, 0, 0, 0, 32, 0, 0, 0]  // empty target name
        bytes += [0x01, 0x02, 0x00, 0x00]  // UNICODE | NTLM
        bytes += Spec.serverChallenge + [UInt8](repeating: 0, count: 8)
        let challenge = try ChallengeMessage(decoding: bytes)
        #expect(challenge.targetInfo.pairs.isEmpty)
        #expect(challenge.version == nil)
        #expect(challenge.flags == [.negotiateUnicode, .negotiateNTLM])
    }

    @Test("flags describe themselves by name and keep unknown bits")
    func flagDescription() {
        let flags = NegotiateFlags(rawValue: 0x0000_0201 | 0x0400_0000)
        #expect(flags.description == "0x04000201 [NEGOTIATE_UNICODE | NEGOTIATE_NTLM | 0x04000000]")
        #expect(NegotiateFlags.clientDefault.rawValue == 0xe208_8237)
    }

    @Test("FILETIME converts to and from Unix time")
    func fileTime() {
        #expect(FileTime(unixSeconds: 0).rawValue == 116_444_736_000_000_000)
        #expect(FileTime(unixSeconds: 1_700_000_000).unixSeconds == 1_700_000_000)
        #expect(FileTime(rawValue: 0).unixSeconds == -11_644_473_600)
        #expect(FileTime(unixSeconds: -20_000_000_000).rawValue == 0)
    }
}
