import CredSSP
import NTLM
import Testing

/// TSRequests that are BER rather than DER, or carry bytes after them: Windows
/// and FreeRDP read them, so the client must too, and say how they deviate.
@Suite("Lenient TSRequest decoding")
struct LenientDecodingTests {
    /// A 54-byte NTLM CHALLENGE without Version or TargetInfo contents.
    static let token = annotatedHex(
        """
        4e544c4d53535000                        // "NTLMSSP\\0"
        02000000                                // MessageType 2 (CHALLENGE)
        0600 0600 30000000                      // TargetNameFields: 6 bytes at offset 48
        05020a00                                // flags 0x000A0205: UNICODE, REQUEST_TARGET, NTLM,
                                                //   TARGET_TYPE_SERVER, EXTENDED_SESSIONSECURITY
        0123456789abcdef                        // ServerChallenge
        0000000000000000                        // Reserved
        0000 0000 36000000                      // TargetInfoFields: empty, at offset 54
        530052005600                            // TargetName "SRV" (UTF-16LE)
        """)

    /// The server's CHALLENGE TSRequest in DER, for reference.
    static let der =
        annotatedHex(
            """
            30 45                                   // SEQUENCE, 69 bytes
              a0 03 02 01 06                        // [0] version INTEGER 6
              a1 3e                                 // [1] negoTokens, 62 bytes
                30 3c                               //   SEQUENCE OF, 60 bytes
                  30 3a                             //     SEQUENCE, 58 bytes
                    a0 38                           //       [0] negoToken, 56 bytes
                      04 36                         //         OCTET STRING, 54 bytes: the token
            """) + token

    /// (a) The same with the outer length written in two octets: 82 00 45.
    static let nonMinimalOuter =
        annotatedHex(
            """
            30 82 00 45                             // SEQUENCE, 69 bytes in long form (DER: 30 45)
              a0 03 02 01 06                        // [0] version INTEGER 6
              a1 3e                                 // [1] negoTokens, 62 bytes
                30 3c                               //   SEQUENCE OF, 60 bytes
                  30 3a                             //     SEQUENCE, 58 bytes
                    a0 38                           //       [0] negoToken, 56 bytes
                      04 36                         //         OCTET STRING, 54 bytes: the token
            """) + token

    /// (b) Long-form lengths on inner fields; the outer length is minimal.
    static let longFormInner =
        annotatedHex(
            """
            30 4a                                   // SEQUENCE, 74 bytes
              a0 81 03 02 01 06                     // [0] version: length 3 in long form (DER: a0 03)
              a1 81 41                              // [1] negoTokens: 65 in long form (DER: a1 41)
                30 82 00 3d                         //   SEQUENCE OF: 61 in two octets (DER: 30 3d)
                  30 3b                             //     SEQUENCE, 59 bytes
                    a0 39                           //       [0] negoToken, 57 bytes
                      04 81 36                      //         OCTET STRING: 54 in long form (DER: 04 36)
            """) + token

    /// (c) The DER message followed by three zero bytes.
    static let trailing = der + [0x00, 0x00, 0x00]

    @Test("the hand-built vectors have the sizes their headers claim")
    func vectorSizes() {
        #expect(Self.token.count == 54)
        #expect(Self.der.count == 2 + 0x45)
        #expect(Self.nonMinimalOuter.count == 4 + 0x45)
        #expect(Self.longFormInner.count == 2 + 0x4a)
    }

    @Test("strict DER decodes with no deviations")
    func strict() throws {
        let decoding = try TSRequestDecoding(decoding: Self.der)
        #expect(decoding.deviations.isEmpty)
        #expect(decoding.request == TSRequest(version: 6, negoTokens: [Self.token]))
        #expect(decoding.request.derEncoded() == Self.der)
    }

    @Test("(a) a non-minimal outer length: refused as DER, read as BER")
    func nonMinimalOuterLength() throws {
        #expect(throws: CredSSPError.self) { try TSRequest(derEncoded: Self.nonMinimalOuter) }
        let decoding = try TSRequestDecoding(decoding: Self.nonMinimalOuter)
        #expect(decoding.request == TSRequest(version: 6, negoTokens: [Self.token]))
        #expect(decoding.deviations == [.nonMinimalLength(field: "TSRequest")])
        #expect(try TSRequest.frameLength(of: Self.nonMinimalOuter.prefix(4)) == Self.nonMinimalOuter.count)
    }

    @Test("(b) long-form lengths on inner fields, named by field")
    func longFormInnerLengths() throws {
        #expect(throws: CredSSPError.self) { try TSRequest(derEncoded: Self.longFormInner) }
        let decoding = try TSRequestDecoding(decoding: Self.longFormInner)
        #expect(decoding.request == TSRequest(version: 6, negoTokens: [Self.token]))
        // Three lengths inside negoTokens, reported once.
        #expect(decoding.deviations == [.nonMinimalLength(field: "version"), .nonMinimalLength(field: "negoTokens")])
    }

    @Test("(c) trailing bytes are counted and ignored")
    func trailingBytes() throws {
        #expect(throws: CredSSPError.self) { try TSRequest(derEncoded: Self.trailing) }
        let decoding = try TSRequestDecoding(decoding: Self.trailing)
        #expect(decoding.request == TSRequest(version: 6, negoTokens: [Self.token]))
        #expect(decoding.deviations == [.trailingBytes(count: 3)])
        let both = try TSRequestDecoding(decoding: Self.nonMinimalOuter + [0x00])
        #expect(both.deviations == [.nonMinimalLength(field: "TSRequest"), .trailingBytes(count: 1)])
    }

    @Test("other BER forms: a padded INTEGER and a segmented OCTET STRING")
    func otherBERForms() throws {
        // 30 06 | a0 04 02 02 00 06: version 6 as two octets.
        let padded = try TSRequestDecoding(decoding: hex("3006a00402020006"))
        #expect(padded.request.version == 6)
        #expect(padded.deviations == [.berEncoding(field: "version", form: "an INTEGER in more octets than needed")])
        // 30 11 | a0 03 02 01 06 | a3 0a 24 08 (04 02 01 02) (04 02 03 04): pubKeyAuth in two segments.
        let segmented = try TSRequestDecoding(decoding: hex("3011a003020106a30a2408040201020402 0304"))
        #expect(segmented.request.pubKeyAuth == [1, 2, 3, 4])
        #expect(segmented.deviations == [.berEncoding(field: "pubKeyAuth", form: "an OCTET STRING in segments (constructed form)")])
    }

    @Test("each deviation reads as a sentence")
    func descriptions() {
        #expect(
            CredSSPEncodingDeviation.nonMinimalLength(field: "TSRequest").description
                == "TSRequest: a length is written in more octets than DER allows (accepted as BER)")
        #expect(CredSSPEncodingDeviation.trailingBytes(count: 3).description == "3 bytes after the end of the TSRequest were ignored")
        #expect(CredSSPEncodingDeviation.trailingBytes(count: 1).description == "1 byte after the end of the TSRequest was ignored")
        #expect(
            CredSSPEncodingDeviation.berEncoding(field: "version", form: "an INTEGER in more octets than needed").description
                == "version: an INTEGER in more octets than needed (BER, not DER; accepted)")
    }

    @Test("(d) broken input is still a typed error")
    func broken() {
        let cases: [(String, [UInt8])] = [
            ("empty", []),
            ("header only", [0x30, 0x82, 0x00]),
            ("indefinite outer length", hex("3080a0030201060000")),
            ("indefinite inner length", hex("3007a080020106 0000")),
            ("SET instead of SEQUENCE", [0x31] + Self.nonMinimalOuter.dropFirst()),
            ("announces more than given", [0x30, 0x82, 0x00, 0x50] + Self.nonMinimalOuter.dropFirst(4)),
            ("nine length octets", hex("3089000000000000000005a003020106")),
            ("no version", hex("30820004a2020400")),
            ("negoToken not an OCTET STRING", hex("3081 0f a003020106a10830063004a0020500")),
            ("garbage after a valid header", hex("3082000503ffffffff")),
        ]
        for (name, bytes) in cases {
            #expect(throws: CredSSPError.self, "\(name)") { try TSRequestDecoding(decoding: bytes) }
        }
        for count in 0..<Self.nonMinimalOuter.count {
            #expect(throws: CredSSPError.self, "prefix \(count)") {
                try TSRequestDecoding(decoding: Array(Self.nonMinimalOuter.prefix(count)))
            }
        }
    }

    @Test(
        "every single-byte corruption of the lenient vectors decodes or is a typed error; none crashes",
        arguments: [("a", nonMinimalOuter), ("b", longFormInner), ("c", trailing)])
    func corruptions(name: String, vector: [UInt8]) {
        var decoded = 0
        for index in vector.indices {
            for value: UInt8 in [0x00, 0x7f, 0x80, 0x81, 0xff, vector[index] ^ 0x01] {
                var bytes = vector
                bytes[index] = value
                if (try? TSRequestDecoding(decoding: bytes)) != nil { decoded += 1 }
            }
        }
        // Changing token bytes keeps the TSRequest valid, so some must decode.
        #expect(decoded > 0, "\(name)")
    }

    @Test("captured messages of another implementation are DER: no deviations", arguments: Captured.all)
    func capturedAreDER(name: String, bytes: [UInt8]) throws {
        #expect(try TSRequestDecoding(decoding: bytes).deviations.isEmpty)
    }

    @Test("the 64 KiB bound holds for lenient lengths and for the input")
    func bounds() {
        // 30 83 01 00 00: 65536 bytes of content, 65541 in all.
        #expect(throws: CredSSPError.messageTooLarge(65_541)) { try TSRequestDecoding(decoding: hex("3083010000")) }
        let big = [UInt8](repeating: 0, count: TSRequest.maximumEncodedCount + 1)
        #expect(throws: CredSSPError.messageTooLarge(big.count)) { try TSRequestDecoding(decoding: big) }
        // A valid message padded past the bound is refused, not parsed.
        let padded = Self.der + [UInt8](repeating: 0, count: TSRequest.maximumEncodedCount)
        #expect(throws: CredSSPError.messageTooLarge(padded.count)) { try TSRequestDecoding(decoding: padded) }
    }
}

@Suite("CredSSP client with lenient server encodings")
struct LenientClientTests {
    typealias V = LenientDecodingTests

    /// Rewrites the outer SEQUENCE header with a 4-octet length (84 00 00 xx xx).
    static func stretched(_ der: [UInt8]) -> [UInt8] {
        let headerCount = der[1] < 0x80 ? 2 : 2 + Int(der[1] & 0x7f)
        let body = Array(der[headerCount...])
        let length = body.count
        return [0x30, 0x84, 0, 0, UInt8(length >> 8), UInt8(length & 0xff)] + body
    }

    @Test("probe mode: the CHALLENGE is read despite (a) and (c), and the deviations are reported")
    func probe() {
        var client = CredSSPClient(serverPublicKey: CredSSPClientTests.publicKey, configuration: CredSSPClientTests.configuration())
        _ = client.start(credentials: nil)
        guard case .challengeReceived(let info) = client.receive(V.nonMinimalOuter + [0, 0, 0]) else {
            Issue.record("the challenge was not accepted")
            return
        }
        #expect(info.targetName == "SRV")
        #expect(info.credSSPVersion == 6)
        #expect(client.peerVersion == 6)
        #expect(client.encodingDeviations == [.nonMinimalLength(field: "TSRequest"), .trailingBytes(count: 3)])

        // A new exchange starts with none.
        _ = client.start(credentials: nil)
        #expect(client.encodingDeviations.isEmpty)
        guard case .challengeReceived = client.receive(V.longFormInner) else {
            Issue.record("the challenge (b) was not accepted")
            return
        }
        #expect(client.encodingDeviations == [.nonMinimalLength(field: "version"), .nonMinimalLength(field: "negoTokens")])
    }

    @Test("a DER exchange reports nothing")
    func derExchange() {
        var client = CredSSPClient(serverPublicKey: CredSSPClientTests.publicKey, configuration: CredSSPClientTests.configuration())
        _ = client.start(credentials: nil)
        guard case .challengeReceived = client.receive(V.der) else {
            Issue.record("the challenge was not accepted")
            return
        }
        #expect(client.encodingDeviations.isEmpty)
    }

    @Test("full logon with stretched lengths and trailing bytes: accepted, deviations gathered over the exchange")
    func fullExchange() throws {
        var server = FakeServer(credentials: CredSSPClientTests.credentials, publicKey: CredSSPClientTests.publicKey)
        var client = CredSSPClient(serverPublicKey: CredSSPClientTests.publicKey, configuration: CredSSPClientTests.configuration())
        let challenge = try server.challenge(for: client.start(credentials: CredSSPClientTests.credentials))
        let authenticate = try CredSSPClientTests.sentBytes(client.receive(Self.stretched(challenge)))
        #expect(client.encodingDeviations == [.nonMinimalLength(field: "TSRequest")])
        let reply = try server.answer(authenticate)
        #expect(client.receive(Self.stretched(reply) + [0xff, 0xff]) == .authenticated(credentialsMessage: nil))
        // The repeated outer-length deviation is listed once.
        #expect(client.encodingDeviations == [.nonMinimalLength(field: "TSRequest"), .trailingBytes(count: 2)])
    }

    @Test("broken input still fails the exchange with a typed error")
    func brokenInput() {
        var client = CredSSPClient(serverPublicKey: CredSSPClientTests.publicKey, configuration: CredSSPClientTests.configuration())
        _ = client.start(credentials: nil)
        guard case .failed(.malformedMessage(let error)) = client.receive(hex("3007a080020106 0000")) else {
            Issue.record("an indefinite length was accepted")
            return
        }
        #expect(error.description.contains("indefinite"))
        #expect(client.encodingDeviations.isEmpty)
    }
}
