import Crypto
import Testing

@testable import TLSDecryption

/// Records sealed here with swift-crypto the way RFC 5246 and RFC 8446 say,
/// opened by the decryptor; then damaged, cut short, or opened with the
/// wrong key: each is a typed error.
@Suite("TLS record decryption")
struct RecordTests {
    static let keys = DirectionKeys(macKey: Array(repeating: 7, count: 20), key: Array(repeating: 9, count: 16), iv: Array(repeating: 1, count: 16))

    /// A TLS 1.0 AES-128-CBC-SHA record: content, HMAC-SHA1, padding, CBC with a chained IV.
    static func cbcRecord(_ content: [UInt8], sequence: UInt64, iv: [UInt8]) throws -> [UInt8] {
        let header = RecordDecryptor.bigEndian(sequence, 8) + [23, 3, 1] + RecordDecryptor.bigEndian(UInt64(content.count), 2)
        let mac = Array(HMAC<Insecure.SHA1>.authenticationCode(for: header + content, using: SymmetricKey(data: keys.macKey)))
        var clear = content + mac
        let padding = 15 - clear.count % 16
        clear += [UInt8](repeating: UInt8(padding), count: padding + 1)
        return Array(try AES._CBC.encrypt(clear, using: SymmetricKey(data: keys.key), iv: AES._CBC.IV(ivBytes: iv), noPadding: true))
    }

    @Test("TLS 1.0 CBC: the IV runs on from the previous record; a changed byte fails the padding or the MAC")
    func cbcChained() throws {
        let suite = try #require(CipherSuite.named(0x002F))
        let first = try Self.cbcRecord(Array("hello".utf8), sequence: 0, iv: Self.keys.iv)
        let second = try Self.cbcRecord(Array(repeating: 0x41, count: 40), sequence: 1, iv: Array(first.suffix(16)))
        var decryptor = RecordDecryptor(suite: suite, version: 0x0301, keys: Self.keys)
        #expect(try decryptor.open(type: 23, body: first[...]).plaintext == Array("hello".utf8))
        #expect(try decryptor.open(type: 23, body: second[...]).plaintext == Array(repeating: 0x41, count: 40))

        var damaged = second
        damaged[20] ^= 0x80
        var again = RecordDecryptor(suite: suite, version: 0x0301, keys: Self.keys)
        _ = try again.open(type: 23, body: first[...])
        #expect(throws: RecordError.self) { try again.open(type: 23, body: damaged[...]) }
        var wrongKey = RecordDecryptor(
            suite: suite, version: 0x0301, keys: DirectionKeys(macKey: Self.keys.macKey, key: Array(repeating: 8, count: 16), iv: Self.keys.iv))
        #expect(throws: RecordError.self) { try wrongKey.open(type: 23, body: first[...]) }
        var short = RecordDecryptor(suite: suite, version: 0x0301, keys: Self.keys)
        #expect(throws: RecordError.self) { try short.open(type: 23, body: first.prefix(15)) }
        #expect(throws: RecordError.self) { try short.open(type: 23, body: []) }
    }

    @Test("TLS 1.2 AES-GCM: salt and explicit nonce, the sequence in the additional data")
    func gcm12() throws {
        let suite = try #require(CipherSuite.named(0xC02F))
        let keys = DirectionKeys(key: Array(repeating: 3, count: 16), iv: [1, 2, 3, 4])
        let explicit: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 9]
        let content = Array("TSRequest".utf8)
        let aad = RecordDecryptor.bigEndian(0, 8) + [23, 3, 3] + RecordDecryptor.bigEndian(UInt64(content.count), 2)
        let box = try AES.GCM.seal(content, using: SymmetricKey(data: keys.key), nonce: AES.GCM.Nonce(data: keys.iv + explicit), authenticating: aad)
        let body = explicit + Array(box.ciphertext) + Array(box.tag)
        var decryptor = RecordDecryptor(suite: suite, version: 0x0303, keys: keys)
        #expect(try decryptor.open(type: 23, body: body[...]).plaintext == content)
        // The same record again is sequence 1: its tag no longer matches.
        #expect(throws: RecordError.authenticationFailed) { try decryptor.open(type: 23, body: body[...]) }
    }

    @Test("TLS 1.3: nonce from the IV and the sequence, the header as additional data, the inner content type")
    func tls13() throws {
        let suite = try #require(CipherSuite.named(0x1303))
        let keys = KeySchedule.keys(trafficSecret: Array(repeating: 5, count: 32), suite: suite)
        let inner = Array("MCS".utf8) + [23, 0, 0]
        let aad: [UInt8] = [23, 3, 3] + RecordDecryptor.bigEndian(UInt64(inner.count + 16), 2)
        let box = try ChaChaPoly.seal(inner, using: SymmetricKey(data: keys.key), nonce: ChaChaPoly.Nonce(data: keys.iv), authenticating: aad)
        let body = Array(box.ciphertext) + Array(box.tag)
        var decryptor = RecordDecryptor(suite: suite, version: 0x0304, keys: keys)
        let opened = try decryptor.open(type: 23, body: body[...])
        #expect(opened.type == 23)
        #expect(opened.plaintext == Array("MCS".utf8))
        #expect(throws: RecordError.self) { try decryptor.open(type: 23, body: body.prefix(10)) }
    }

    @Test("key log lines: the labels read, the rest skipped, hex checked")
    func keyLog() {
        let random = String(repeating: "ab", count: 32)
        let text = """
            # comment
            CLIENT_RANDOM \(random) \(String(repeating: "01", count: 48))
            SERVER_HANDSHAKE_TRAFFIC_SECRET \(random) \(String(repeating: "02", count: 32))
            EXPORTER_SECRET \(random) \(String(repeating: "03", count: 32))
            CLIENT_RANDOM zz\(random.dropFirst(2)) \(String(repeating: "01", count: 48))
            CLIENT_RANDOM \(random)
            """
        let log = KeyLog(text: Array(text.utf8))
        #expect(log.sessions == 1)
        let clientRandom = [UInt8](repeating: 0xAB, count: 32)
        #expect(log.secret(.clientRandom, clientRandom: clientRandom) == [UInt8](repeating: 1, count: 48))
        #expect(log.secret(.serverHandshake, clientRandom: clientRandom) == [UInt8](repeating: 2, count: 32))
        #expect(log.secret(.clientTraffic, clientRandom: clientRandom) == nil)
    }

    @Test("key log lines: CRLF and LF, a last line without an end, a line read as far as 1,024 bytes")
    func keyLogLineEnds() {
        let random = String(repeating: "ab", count: 32)
        let other = String(repeating: "cd", count: 32)
        let master = String(repeating: "01", count: 48)
        // Spaces past byte 1,024 and then a fourth field: only the first 1,024 bytes are read.
        let long = "CLIENT_RANDOM \(other) \(master)" + String(repeating: " ", count: 1_100) + "extra"
        let text = "CLIENT_HANDSHAKE_TRAFFIC_SECRET \(random) \(String(repeating: "02", count: 32))\r\n\(long)\nCLIENT_RANDOM \(random) \(master)"
        let log = KeyLog(text: Array(text.utf8))
        #expect(log.sessions == 2)
        #expect(log.secret(.clientHandshake, clientRandom: [UInt8](repeating: 0xAB, count: 32)) == [UInt8](repeating: 2, count: 32))
        #expect(log.secret(.clientRandom, clientRandom: [UInt8](repeating: 0xAB, count: 32)) == [UInt8](repeating: 1, count: 48))
        #expect(log.secret(.clientRandom, clientRandom: [UInt8](repeating: 0xCD, count: 32)) == [UInt8](repeating: 1, count: 48))
        #expect(KeyLog(text: [UInt8]()).isEmpty)
    }
}
