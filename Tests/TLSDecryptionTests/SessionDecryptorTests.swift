import Crypto
import Foundation
import Testing

@testable import TLSDecryption

/// A whole TLS 1.0 RSA session built here (the premaster OpenSSL encrypted
/// for the test key of KeyMaterialTests, records sealed with the derived
/// keys), then decrypted: with the right key, a damaged key exchange, a cut
/// stream, a damaged record, no keys, and a suite only a key log can open.
@Suite("TLS session decryption")
struct SessionDecryptorTests {
    static let clientRandom = [UInt8](repeating: 0x11, count: 32)
    static let serverRandom = [UInt8](repeating: 0x22, count: 32)
    static let premaster = [3, 1] + Array(0..<46).map { UInt8($0) }

    static func handshake(suite: UInt16 = 0x002F) -> HandshakeParameters {
        var parameters = HandshakeParameters(version: 0x0301, cipherSuite: suite, clientRandom: clientRandom, serverRandom: serverRandom)
        parameters.encryptedPremaster = KeyMaterialTests.ciphertext
        return parameters
    }

    /// CCS, then records sealed as a TLS 1.0 AES-128-CBC-SHA client would.
    static func clientRecords(_ contents: [(UInt8, [UInt8])]) throws -> [UInt8] {
        let suite = try #require(CipherSuite.named(0x002F))
        let master = TLSPRF.md5sha1.masterSecret(premaster: premaster, clientRandom: clientRandom, serverRandom: serverRandom)
        let keys = KeySchedule.keys(master: master, suite: suite, version: 0x0301, clientRandom: clientRandom, serverRandom: serverRandom).client
        var stream: [UInt8] = [20, 3, 1, 0, 1, 1]
        var iv = keys.iv
        for (sequence, (type, content)) in contents.enumerated() {
            let header = RecordDecryptor.bigEndian(UInt64(sequence), 8) + [type, 3, 1] + RecordDecryptor.bigEndian(UInt64(content.count), 2)
            var clear = content + Array(HMAC<Insecure.SHA1>.authenticationCode(for: header + content, using: SymmetricKey(data: keys.macKey)))
            let padding = 15 - clear.count % 16
            clear += [UInt8](repeating: UInt8(padding), count: padding + 1)
            let sealed = Array(try AES._CBC.encrypt(clear, using: SymmetricKey(data: keys.key), iv: AES._CBC.IV(ivBytes: iv), noPadding: true))
            iv = Array(sealed.suffix(16))
            stream += [type, 3, 1] + RecordDecryptor.bigEndian(UInt64(sealed.count), 2) + sealed
        }
        return stream
    }

    static var serverKey: ServerPrivateKey { get throws { try ServerPrivateKey(der: der(KeyMaterialTests.pkcs1PEM)) } }

    @Test("the right server key decrypts the session: the Finished opens, application data in order")
    func rightKey() throws {
        let stream = try Self.clientRecords([(22, [20, 0, 0, 12] + [UInt8](repeating: 0, count: 12)), (23, Array("first".utf8)), (23, Array("second".utf8))])
        let result = SessionDecryptor.decrypt(
            Self.handshake(), clientRecords: TLSRecords.split(stream, from: 0), serverRecords: [],
            keys: DecryptionKeys(serverKeys: [try Self.serverKey]))
        let session = try result.get()
        #expect(session.method == .serverRSAKey)
        #expect(session.fromClient.plaintext == Array("firstsecond".utf8))
        #expect(session.fromClient.records == 3)
        #expect(session.fromClient.failure == nil)
        #expect(session.fromClient.streamOffset(ofPlaintext: 5) == session.fromClient.recordOffsets[1].stream)
    }

    @Test("a premaster the key cannot unpad: no matching key, as a value")
    func wrongKey() throws {
        var handshake = Self.handshake()
        handshake.encryptedPremaster?[7] ^= 0x40
        let stream = try Self.clientRecords([(22, [20, 0, 0, 0])])
        let result = SessionDecryptor.decrypt(
            handshake, clientRecords: TLSRecords.split(stream, from: 0), serverRecords: [],
            keys: DecryptionKeys(serverKeys: [try Self.serverKey]))
        #expect(throws: NotDecrypted.noMatchingServerKey(tried: 1)) { try result.get() }
    }

    @Test("a stream cut inside a record, and a damaged record: what came before is kept, the failure is named")
    func damaged() throws {
        let stream = try Self.clientRecords([(22, [20, 0, 0, 0]), (23, Array("kept".utf8)), (23, Array("lost".utf8))])
        let cut = Array(stream.dropLast(5))
        let keys = DecryptionKeys(serverKeys: [try Self.serverKey])
        let shortened = try SessionDecryptor.decrypt(Self.handshake(), clientRecords: TLSRecords.split(cut, from: 0), serverRecords: [], keys: keys).get()
        #expect(shortened.fromClient.plaintext == Array("kept".utf8))
        var broken = stream
        broken[broken.count - 20] ^= 1
        let session = try SessionDecryptor.decrypt(Self.handshake(), clientRecords: TLSRecords.split(broken, from: 0), serverRecords: [], keys: keys).get()
        #expect(session.fromClient.plaintext == Array("kept".utf8))
        #expect(session.fromClient.failure != nil)
    }

    @Test("no keys, or ECDHE with only a server key: not decrypted, saying which keys would help")
    func withoutKeys() throws {
        let none = SessionDecryptor.decrypt(Self.handshake(), clientRecords: [], serverRecords: [], keys: DecryptionKeys())
        #expect(throws: NotDecrypted.noKeys(keyExchange: .rsa)) { try none.get() }
        let ecdhe = SessionDecryptor.decrypt(
            Self.handshake(suite: 0xC02F), clientRecords: [], serverRecords: [],
            keys: DecryptionKeys(serverKeys: [try Self.serverKey]))
        #expect(throws: NotDecrypted.needsKeyLog(keyExchange: .ephemeral)) { try ecdhe.get() }
        let unknown = SessionDecryptor.decrypt(Self.handshake(suite: 0x000A), clientRecords: [], serverRecords: [], keys: DecryptionKeys())
        #expect(throws: NotDecrypted.unsupportedSuite(0x000A)) { try unknown.get() }
    }

    @Test("a key log line for the client random decrypts without any server key")
    func keyLog() throws {
        let stream = try Self.clientRecords([(22, [20, 0, 0, 0]), (23, Array("logged".utf8))])
        let master = TLSPRF.md5sha1.masterSecret(premaster: Self.premaster, clientRandom: Self.clientRandom, serverRandom: Self.serverRandom)
        let line = "CLIENT_RANDOM \(String(repeating: "11", count: 32)) \(master.map { String(format: "%02x", $0) }.joined())"
        let session = try SessionDecryptor.decrypt(
            Self.handshake(), clientRecords: TLSRecords.split(stream, from: 0), serverRecords: [],
            keys: DecryptionKeys(keyLog: KeyLog(text: Array(line.utf8)))
        ).get()
        #expect(session.method == .keyLog)
        #expect(session.fromClient.plaintext == Array("logged".utf8))
    }
}
