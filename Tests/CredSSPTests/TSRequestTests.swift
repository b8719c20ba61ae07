import CredSSP
import NTLM
import Testing

@Suite("TSRequest DER")
struct TSRequestTests {
    // Hand-annotated: every field present. Text after "//" is commentary.
    static let annotated = annotatedHex(
        """
        30 4b                                   // SEQUENCE, 75 bytes
          a0 03 02 01 06                        // [0] version INTEGER 6
          a1 0c                                 // [1] negoTokens
            30 0a                               //   SEQUENCE OF
              30 08                             //     SEQUENCE
                a0 06 04 04 de ad be ef         //       [0] negoToken OCTET STRING de ad be ef
          a2 04 04 02 01 02                     // [2] authInfo OCTET STRING 01 02
          a3 04 04 02 03 04                     // [3] pubKeyAuth OCTET STRING 03 04
          a4 06 02 04 c0 00 02 34               // [4] errorCode INTEGER -1073741260 (0xC0000234)
          a5 22 04 20                           // [5] clientNonce OCTET STRING, 32 bytes:
            0102030405060708090a0b0c0d0e0f10    //   01 .. 10
            1112131415161718191a1b1c1d1e1f20    //   11 .. 20
        """)

    @Test("the hand-annotated vector decodes field by field and re-encodes identically")
    func annotatedVector() throws {
        #expect(Self.annotated.count == 77)
        let request = try TSRequest(derEncoded: Self.annotated)
        #expect(request.version == 6)
        #expect(request.negoTokens == [[0xde, 0xad, 0xbe, 0xef]])
        #expect(request.authInfo == [1, 2])
        #expect(request.pubKeyAuth == [3, 4])
        #expect(request.errorCode == .accountLockedOut)
        #expect(request.clientNonce == Array(1...32))
        #expect(request.derEncoded() == Self.annotated)
    }

    @Test("captured messages of another implementation decode and re-encode byte for byte", arguments: Captured.all)
    func capturedMessages(name: String, bytes: [UInt8]) throws {
        let request = try TSRequest(derEncoded: bytes)
        #expect(request.derEncoded() == bytes)
    }

    @Test("captured messages carry what they should")
    func capturedContents() throws {
        let negotiate = try TSRequest(derEncoded: Captured.negotiate)
        #expect(negotiate.version == 6)
        #expect(negotiate.negoTokens.count == 1)
        let challenge = try TSRequest(derEncoded: Captured.challenge)
        #expect(challenge.version == 2)
        let ntlm = try ChallengeMessage(decoding: challenge.negoTokens[0])
        #expect(ntlm.version == NTLMVersion(major: 5, minor: 1, build: 2600))
        let authenticate = try TSRequest(derEncoded: Captured.authenticate)
        #expect(authenticate.pubKeyAuth?.count == 32)
        #expect(authenticate.clientNonce == nil)
        let credentials = try TSRequest(derEncoded: Captured.credentials)
        #expect(credentials.authInfo?.count == 83)
        #expect(credentials.negoTokens.isEmpty)
    }

    @Test("our NEGOTIATE TSRequest matches the captured client's bytes")
    func encodeNegotiate() {
        let token = NegotiateMessage(flags: NegotiateFlags(rawValue: 0xe208_82b7), version: NTLMVersion(major: 6, minor: 1, build: 7601)).encoded()
        #expect(TSRequest(version: 6, negoTokens: [token]).derEncoded() == Captured.negotiate)
    }

    @Test(
        "round trips",
        arguments: [
            TSRequest(version: 2),
            TSRequest(version: 6, negoTokens: [[], [1], [UInt8](repeating: 7, count: 300)]),
            TSRequest(version: 3, errorCode: .logonFailure),
            TSRequest(version: 6, errorCode: NTStatus(rawValue: 0x7fff_ffff)),
            TSRequest(version: 6, errorCode: NTStatus(rawValue: 0x8000_0000)),
            TSRequest(version: 6, errorCode: .success),
            TSRequest(version: 5, pubKeyAuth: [UInt8](repeating: 0xab, count: 48), clientNonce: [UInt8](repeating: 1, count: 32)),
            TSRequest(version: 200, authInfo: [UInt8](repeating: 0x80, count: 70_000 / 2)),
        ])
    func roundTrip(request: TSRequest) throws {
        #expect(try TSRequest(derEncoded: request.derEncoded()) == request)
    }

    @Test("errorCode as Windows writes it (4-byte signed) and as a positive INTEGER")
    func errorCodeForms() throws {
        // a4 06 02 04 c0 00 00 6d: STATUS_LOGON_FAILURE as a negative 32-bit INTEGER.
        let signed = try TSRequest(derEncoded: hex("300da003020106a4060204c000006d"))
        #expect(signed.errorCode == .logonFailure)
        #expect(signed.errorCode?.description == "0xC000006D")
        // a4 07 02 05 00 c0 00 00 6d: the same value written as a positive INTEGER.
        let positive = try TSRequest(derEncoded: hex("300ea003020106a407020500c000006d"))
        #expect(positive.errorCode == .logonFailure)
        #expect(TSRequest(version: 6, errorCode: .logonFailure).derEncoded() == hex("300da003020106a4060204c000006d"))
    }

    @Test("errorCode outside 32 bits is a typed error")
    func errorCodeRange() {
        // 2^32 and -(2^31) - 1.
        #expect(throws: CredSSPError.errorCodeOutOfRange) { try TSRequest(derEncoded: hex("300ea003020106a40702050100000000")) }
        #expect(throws: CredSSPError.errorCodeOutOfRange) { try TSRequest(derEncoded: hex("300ea003020106a4070205ff7fffffff")) }
        // Nine bytes do not even fit the 64-bit reader.
        #expect(throws: CredSSPError.self) { try TSRequest(derEncoded: hex("3012a003020106a40b0209010000000000000000")) }
    }

    @Test("every proper prefix of a valid message is a typed error", arguments: Captured.all + [("annotated", annotated)])
    func prefixes(name: String, bytes: [UInt8]) {
        for count in 0..<bytes.count {
            #expect(throws: CredSSPError.self, "\(name) prefix \(count)") {
                try TSRequest(derEncoded: Array(bytes.prefix(count)))
            }
        }
    }

    @Test("every single-byte corruption is either a typed error or decodes; none crashes")
    func corruptions() {
        var decoded = 0
        for index in Self.annotated.indices {
            for value: UInt8 in [0x00, 0x7f, 0x80, 0xff, Self.annotated[index] ^ 0x01] {
                var bytes = Self.annotated
                bytes[index] = value
                do {
                    _ = try TSRequest(derEncoded: bytes)
                    decoded += 1
                } catch {
                    // A CredSSPError by the function's type; the point is reaching here.
                }
            }
        }
        #expect(decoded > 0)
    }

    @Test("shape errors: wrong outer type, missing version, fields out of order, trailing bytes, BER lengths")
    func malformed() {
        let cases: [(String, String)] = [
            ("SET instead of SEQUENCE", "3105a003020106"),
            ("no version", "3006a20404020102"),
            ("version not an INTEGER", "3005a003040106"),
            ("authInfo before negoTokens", "3017a003020106a20404020102a10a30083006a0040402aabb"),
            ("trailing bytes", "3005a00302010600"),
            ("indefinite length", "3080a0030201060000"),
            ("non-minimal length", "308105a003020106"),
            ("negoToken not an OCTET STRING", "300fa003020106a10830063004a0020500"),
            ("unknown universal field", "3007a0030201060500"),
            ("empty", ""),
        ]
        for (name, text) in cases {
            #expect(throws: CredSSPError.self, "\(name)") { try TSRequest(derEncoded: hex(text)) }
        }
    }

    @Test("a later context-tagged field from a newer version is skipped")
    func extensionField() throws {
        let request = try TSRequest(derEncoded: hex("300aa003020107a603020101"))
        #expect(request.version == 7)
    }

    @Test("more than 64 KiB is refused before parsing")
    func sizeLimit() {
        let big = TSRequest(version: 6, negoTokens: [[UInt8](repeating: 0, count: 65_536)]).derEncoded()
        #expect(throws: CredSSPError.messageTooLarge(big.count)) { try TSRequest(derEncoded: big) }
    }

    @Test("deep nesting is a typed error")
    func deepNesting() {
        var bytes: [UInt8] = [0x04, 0x00]
        for _ in 0..<200 {
            let length: [UInt8] =
                bytes.count < 128
                ? [UInt8(bytes.count)]
                : bytes.count < 256 ? [0x81, UInt8(bytes.count)] : [0x82, UInt8(bytes.count >> 8), UInt8(bytes.count & 0xff)]
            bytes = [0x30] + length + bytes
        }
        #expect(throws: CredSSPError.self) { try TSRequest(derEncoded: bytes) }
    }
}
