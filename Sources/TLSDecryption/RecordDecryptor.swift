import Crypto
import LegacyCrypto
import _CryptoExtras

// One direction's record protection, undone: the keys of one side, the
// sequence number, and for RC4 and TLS 1.0's CBC the state that runs on from
// record to record. Each record is checked (MAC, padding, AEAD tag) before
// its plaintext is trusted; a failure is a typed error, never a trap.

/// Why a record did not decrypt.
public enum RecordError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Too short for the cipher's IV, tag, MAC or block size.
    case malformed(String)
    case badPadding
    /// The MAC or the AEAD tag does not match: the wrong key, or a damaged record.
    case authenticationFailed

    public var description: String {
        switch self {
        case .malformed(let why): "a malformed record (\(why))"
        case .badPadding: "bad CBC padding (wrong keys?)"
        case .authenticationFailed: "the record's MAC or tag does not match (wrong keys?)"
        }
    }
}

/// Keys for one direction.
public struct DirectionKeys: Sendable, Equatable {
    public var macKey: [UInt8] = []
    public var key: [UInt8]
    public var iv: [UInt8]

    public init(macKey: [UInt8] = [], key: [UInt8], iv: [UInt8]) {
        self.macKey = macKey
        self.key = key
        self.iv = iv
    }
}

public struct RecordDecryptor: Sendable {
    private let suite: CipherSuite
    private let version: UInt16
    private let keys: DirectionKeys
    private var sequence: UInt64 = 0
    private var rc4: RC4?
    /// TLS 1.0 CBC: the last ciphertext block of the previous record.
    private var chainedIV: [UInt8]

    /// RFC 7366: the MAC covers the CBC ciphertext instead of the plaintext.
    private let encryptThenMAC: Bool

    public init(suite: CipherSuite, version: UInt16, keys: DirectionKeys, encryptThenMAC: Bool = false) {
        self.suite = suite
        self.version = version
        self.keys = keys
        self.encryptThenMAC = encryptThenMAC
        chainedIV = keys.iv
        if case .rc4_128 = suite.cipher { rc4 = RC4(key: keys.key) }
    }

    /// Opens one record (its header's type and its body). Returns the content
    /// type (TLS 1.3's inner type) and the plaintext.
    public mutating func open(type: UInt8, body: ArraySlice<UInt8>) throws(RecordError) -> (type: UInt8, plaintext: [UInt8]) {
        defer { sequence &+= 1 }
        if version >= 0x0304 { return try openTLS13(type: type, body: body) }
        switch suite.cipher {
        case .rc4_128:
            guard body.count >= suite.mac.bytes else { throw .malformed("\(body.count) bytes, shorter than the MAC") }
            let clear = rc4!.process(body)
            return (type, try checkMAC(type: type, clear[...]))
        case .aesCBC:
            return (type, try openCBC(type: type, body))
        case .aesGCM, .chacha20Poly1305:
            return (type, try openAEAD12(type: type, body))
        }
    }

    private mutating func openCBC(type: UInt8, _ body: ArraySlice<UInt8>) throws(RecordError) -> [UInt8] {
        var iv = chainedIV
        var ciphertext = body
        if encryptThenMAC {
            guard body.count >= suite.mac.bytes + 16 else { throw .malformed("\(body.count) bytes, shorter than a block and the MAC") }
            // The MAC over the IV and ciphertext first; then what it covers is decrypted.
            _ = try checkMAC(type: type, body)
            ciphertext = body.dropLast(suite.mac.bytes)
        }
        if version >= 0x0302 {  // TLS 1.1+: an explicit IV starts each record
            guard body.count >= 16 else { throw .malformed("no explicit IV") }
            iv = Array(body.prefix(16))
            ciphertext = body.dropFirst(16)
        }
        guard ciphertext.count >= 16, ciphertext.count % 16 == 0,
            ciphertext.count >= (encryptThenMAC ? 1 : suite.mac.bytes + 1)
        else { throw .malformed("\(ciphertext.count) bytes is not whole AES blocks") }
        let clear: [UInt8]
        do {
            clear = Array(
                try AES._CBC.decrypt(
                    ciphertext, using: SymmetricKey(data: keys.key),
                    iv: AES._CBC.IV(ivBytes: iv), noPadding: true))
        } catch {
            throw .malformed("AES-CBC refused it")
        }
        chainedIV = Array(ciphertext.suffix(16))
        let padding = Int(clear[clear.count - 1])
        let macInside = encryptThenMAC ? 0 : suite.mac.bytes
        guard padding + 1 + macInside <= clear.count,
            clear[(clear.count - 1 - padding)...].allSatisfy({ Int($0) == padding })
        else { throw .badPadding }
        let content = clear[..<(clear.count - 1 - padding)]
        return encryptThenMAC ? Array(content) : try checkMAC(type: type, content)
    }

    /// Splits content and MAC and compares the MAC (RFC 5246 §6.2.3.1).
    private func checkMAC(type: UInt8, _ clear: ArraySlice<UInt8>) throws(RecordError) -> [UInt8] {
        guard clear.count >= suite.mac.bytes else { throw .badPadding }
        let content = clear.dropLast(suite.mac.bytes)
        let mac = clear.suffix(suite.mac.bytes)
        let header = Self.bigEndian(sequence, 8) + [type] + Self.bigEndian(UInt64(version), 2) + Self.bigEndian(UInt64(content.count), 2)
        let key = SymmetricKey(data: keys.macKey)
        let expected: [UInt8]
        switch suite.mac {
        case .md5: expected = Array(HMAC<Insecure.MD5>.authenticationCode(for: header + content, using: key))
        case .sha1: expected = Array(HMAC<Insecure.SHA1>.authenticationCode(for: header + content, using: key))
        case .sha256: expected = Array(HMAC<SHA256>.authenticationCode(for: header + content, using: key))
        case .sha384: expected = Array(HMAC<SHA384>.authenticationCode(for: header + content, using: key))
        case .aead: expected = []
        }
        guard expected.elementsEqual(mac) else { throw .authenticationFailed }
        return Array(content)
    }

    /// TLS 1.2 AEAD: GCM's nonce is the 4-byte salt and an explicit 8 bytes
    /// in the record (RFC 5288); ChaCha20's is the IV XOR the sequence (RFC 7905).
    private func openAEAD12(type: UInt8, _ body: ArraySlice<UInt8>) throws(RecordError) -> [UInt8] {
        var nonce: [UInt8]
        var sealed = body
        if case .aesGCM = suite.cipher {
            guard body.count >= 8 + 16 else { throw .malformed("shorter than the explicit nonce and tag") }
            nonce = keys.iv + body.prefix(8)
            sealed = body.dropFirst(8)
        } else {
            guard body.count >= 16 else { throw .malformed("shorter than the tag") }
            nonce = xorSequence(keys.iv)
        }
        let length = sealed.count - 16
        let aad = Self.bigEndian(sequence, 8) + [type] + Self.bigEndian(UInt64(version), 2) + Self.bigEndian(UInt64(length), 2)
        return try openSealed(nonce: nonce, sealed, aad: aad)
    }

    /// TLS 1.3 (RFC 8446 §5.2): the header is the additional data; the real
    /// content type is the last non-zero byte of the plaintext.
    private func openTLS13(type: UInt8, body: ArraySlice<UInt8>) throws(RecordError) -> (type: UInt8, plaintext: [UInt8]) {
        guard type == 23 else { return (type, Array(body)) }  // a ChangeCipherSpec for middleboxes, in clear
        guard body.count >= 17 else { throw .malformed("shorter than the tag and content type") }
        let aad: [UInt8] = [23, 0x03, 0x03] + Self.bigEndian(UInt64(body.count), 2)
        var inner = try openSealed(nonce: xorSequence(keys.iv), body, aad: aad)
        while inner.last == 0 { inner.removeLast() }
        guard let innerType = inner.popLast() else { throw .malformed("no content type") }
        return (innerType, inner)
    }

    private func openSealed(nonce: [UInt8], _ sealed: ArraySlice<UInt8>, aad: [UInt8]) throws(RecordError) -> [UInt8] {
        let key = SymmetricKey(data: keys.key)
        do {
            switch suite.cipher {
            case .chacha20Poly1305:
                let box = try ChaChaPoly.SealedBox(nonce: ChaChaPoly.Nonce(data: nonce), ciphertext: sealed.dropLast(16), tag: sealed.suffix(16))
                return Array(try ChaChaPoly.open(box, using: key, authenticating: aad))
            default:
                let box = try AES.GCM.SealedBox(nonce: AES.GCM.Nonce(data: nonce), ciphertext: sealed.dropLast(16), tag: sealed.suffix(16))
                return Array(try AES.GCM.open(box, using: key, authenticating: aad))
            }
        } catch {
            throw .authenticationFailed
        }
    }

    private func xorSequence(_ iv: [UInt8]) -> [UInt8] {
        let padded = [UInt8](repeating: 0, count: max(0, iv.count - 8)) + Self.bigEndian(sequence, 8)
        return zip(iv, padded).map { $0 ^ $1 }
    }

    static func bigEndian(_ value: UInt64, _ count: Int) -> [UInt8] {
        (0..<count).reversed().map { UInt8(truncatingIfNeeded: value >> UInt64(8 * $0)) }
    }
}
