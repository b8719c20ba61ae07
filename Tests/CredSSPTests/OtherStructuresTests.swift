import CredSSP
import NTLM
import Testing

@Suite("TSCredentials, pubKeyAuth values, early user authorization, framing")
struct OtherStructuresTests {
    @Test("TSPasswordCreds: hand-checked DER, UTF-16LE strings")
    func passwordCreds() throws {
        let creds = TSPasswordCreds(NTLMCredentials(user: "u", domain: "D", password: "p"))
        // SEQUENCE { [0] OCTET STRING "D", [1] OCTET STRING "u", [2] OCTET STRING "p" }, UTF-16LE.
        #expect(hexString(creds.derEncoded()) == "3012a00404024400a10404027500a20404027000")
        #expect(try TSPasswordCreds(derEncoded: creds.derEncoded()) == creds)
    }

    @Test("TSCredentials round trip, credType 1 wraps TSPasswordCreds")
    func credentials() throws {
        let password = TSPasswordCreds(NTLMCredentials(user: "alice", domain: "CONTOSO", password: "secret"))
        let creds = TSCredentials(password: password)
        #expect(creds.credType == 1)
        let decoded = try TSCredentials(derEncoded: creds.derEncoded())
        #expect(decoded == creds)
        #expect(try TSPasswordCreds(derEncoded: decoded.credentials) == password)
        for count in 0..<creds.derEncoded().count {
            #expect(throws: CredSSPError.self) { try TSCredentials(derEncoded: Array(creds.derEncoded().prefix(count))) }
        }
    }

    @Test("no password in any text form of the credential types")
    func redaction() {
        let secret = "Tr0ub4dor&3-unique"
        let password = TSPasswordCreds(NTLMCredentials(user: "alice", domain: "CONTOSO", password: secret))
        let creds = TSCredentials(password: password)
        var dumped = ""
        dump(password, to: &dumped)
        dump(creds, to: &dumped)
        for text in [
            String(describing: password), String(reflecting: password), String(describing: creds),
            String(reflecting: creds), dumped,
        ] {
            #expect(!text.contains(secret), "leaked in: \(text)")
        }
    }

    @Test("pubKeyAuth values: versions 2-4 seal the key and expect first byte + 1")
    func legacyValues() {
        let key: [UInt8] = [0x30, 0x82, 0x01, 0x0a]
        #expect(PublicKeyAuth.clientValue(version: 2, publicKey: key, nonce: []) == key)
        #expect(PublicKeyAuth.serverValue(version: 4, publicKey: key, nonce: []) == [0x31, 0x82, 0x01, 0x0a])
        #expect(PublicKeyAuth.serverValue(version: 3, publicKey: [0xff, 1], nonce: []) == [0x00, 1])
    }

    @Test("pubKeyAuth values: versions 5-6 hash magic + nonce + key (SHA-256, pinned with Python hashlib)")
    func hashValues() {
        let nonce = Array(UInt8(1)...32)
        #expect(
            hexString(PublicKeyAuth.clientValue(version: 5, publicKey: Captured.publicKey, nonce: nonce))
                == "86f6abafacea18343ad433223ca80d5ee404a51413dd5f8fdd54c17d84601405")
        #expect(
            hexString(PublicKeyAuth.serverValue(version: 6, publicKey: Captured.publicKey, nonce: nonce))
                == "90cf79bfbbe752c9c0812c64fde58470a193ecebf609c2873ddf4af118342b36")
    }

    @Test("early user authorization result: 4 bytes little-endian")
    func earlyUserAuthorization() throws {
        #expect(try EarlyUserAuthorizationResult(decoding: [0, 0, 0, 0]) == .success)
        #expect(try EarlyUserAuthorizationResult(decoding: [5, 0, 0, 0]) == .accessDenied)
        let other = try EarlyUserAuthorizationResult(decoding: [0x01, 0x02, 0x00, 0x80])
        #expect(other.rawValue == 0x8000_0201)
        #expect(other.encoded == [0x01, 0x02, 0x00, 0x80])
        #expect(EarlyUserAuthorizationResult.accessDenied.description == "AUTHZ_ACCESS_DENIED")
        for bad in [[], [0], [0, 0, 0], [0, 0, 0, 0, 0]] as [[UInt8]] {
            #expect(throws: CredSSPError.wrongLength(expected: 4, found: bad.count)) {
                try EarlyUserAuthorizationResult(decoding: bad)
            }
        }
    }

    @Test("framing: the length of the next TSRequest from as few bytes as possible")
    func framing() throws {
        #expect(try TSRequest.frameLength(of: []) == nil)
        #expect(try TSRequest.frameLength(of: [0x30]) == nil)
        #expect(try TSRequest.frameLength(of: Captured.negotiate.prefix(2)) == Captured.negotiate.count)
        #expect(try TSRequest.frameLength(of: Captured.challenge.prefix(2)) == nil)
        #expect(try TSRequest.frameLength(of: Captured.challenge.prefix(3)) == Captured.challenge.count)
        #expect(try TSRequest.frameLength(of: Captured.authenticate.prefix(3)) == nil)
        #expect(try TSRequest.frameLength(of: Captured.authenticate.prefix(4)) == Captured.authenticate.count)
        #expect(throws: CredSSPError.self) { try TSRequest.frameLength(of: [0x31, 0x00]) }
        #expect(throws: CredSSPError.self) { try TSRequest.frameLength(of: [0x30, 0x80]) }
        #expect(throws: CredSSPError.messageTooLarge(65539)) { try TSRequest.frameLength(of: [0x30, 0x82, 0xff, 0xff]) }
        // Long-form and non-minimal outer lengths (BER) are framed too, within 64 KiB.
        #expect(try TSRequest.frameLength(of: [0x30, 0x84, 0, 0, 0, 1]) == 7)
        #expect(try TSRequest.frameLength(of: [0x30, 0x81, 0x05]) == 8)
        #expect(try TSRequest.frameLength(of: [0x30, 0x82, 0x00, 0x45]) == 73)
        #expect(try TSRequest.frameLength(of: [0x30, 0x88, 0, 0, 0, 0, 0, 0]) == nil)
        #expect(try TSRequest.frameLength(of: [0x30, 0x88, 0, 0, 0, 0, 0, 0, 0x01, 0x00]) == 2 + 8 + 256)
        #expect(throws: CredSSPError.messageTooLarge(65542)) { try TSRequest.frameLength(of: [0x30, 0x84, 0, 1, 0, 0]) }
        // Eight octets of 0xFF would overflow Int: refused as soon as the value passes the bound.
        #expect(throws: CredSSPError.messageTooLarge(Int.max)) {
            try TSRequest.frameLength(of: [0x30, 0x88] + [UInt8](repeating: 0xff, count: 8))
        }
        #expect(throws: CredSSPError.self) { try TSRequest.frameLength(of: [0x30, 0x89, 0, 0, 0, 0, 0, 0, 0, 0, 1]) }
        #expect(throws: CredSSPError.self) { try TSRequest.frameLength(of: [0x30, 0xff]) }
    }
}
