import Crypto

// The TLS pseudo-random function: TLS 1.0 and 1.1 XOR P_MD5 over the first
// half of the secret with P_SHA1 over the second (RFC 2246 §5); TLS 1.2 is
// P_hash with the suite's hash, SHA-256 unless the suite names SHA-384
// (RFC 5246 §5).

public enum TLSPRF: Sendable, Equatable {
    case md5sha1
    case sha256
    case sha384

    public func bytes(secret: [UInt8], label: String, seed: [UInt8], count: Int) -> [UInt8] {
        let labelled = Array(label.utf8) + seed
        switch self {
        case .md5sha1:
            let half = (secret.count + 1) / 2
            let md5 = Self.pHash(Insecure.MD5.self, secret: Array(secret.prefix(half)), seed: labelled, count: count)
            let sha1 = Self.pHash(Insecure.SHA1.self, secret: Array(secret.suffix(half)), seed: labelled, count: count)
            return zip(md5, sha1).map { $0 ^ $1 }
        case .sha256:
            return Self.pHash(SHA256.self, secret: secret, seed: labelled, count: count)
        case .sha384:
            return Self.pHash(SHA384.self, secret: secret, seed: labelled, count: count)
        }
    }

    /// P_hash(secret, seed) = HMAC(secret, A(1) + seed) + HMAC(secret, A(2) + seed) + ...
    static func pHash<H: HashFunction>(_: H.Type, secret: [UInt8], seed: [UInt8], count: Int) -> [UInt8] {
        let key = SymmetricKey(data: secret)
        var a = seed
        var output: [UInt8] = []
        while output.count < count {
            a = Array(HMAC<H>.authenticationCode(for: a, using: key))
            output += HMAC<H>.authenticationCode(for: a + seed, using: key)
        }
        return Array(output.prefix(count))
    }

    /// The master secret from the premaster secret (RFC 5246 §8.1).
    public func masterSecret(premaster: [UInt8], clientRandom: [UInt8], serverRandom: [UInt8]) -> [UInt8] {
        bytes(secret: premaster, label: "master secret", seed: clientRandom + serverRandom, count: 48)
    }

    /// The master secret of RFC 7627's extended master secret (the hash of the handshake up to the ClientKeyExchange).
    public func extendedMasterSecret(premaster: [UInt8], sessionHash: [UInt8]) -> [UInt8] {
        bytes(secret: premaster, label: "extended master secret", seed: sessionHash, count: 48)
    }

    /// The key block (RFC 5246 §6.3): note the randoms' order is the other way round.
    public func keyBlock(master: [UInt8], clientRandom: [UInt8], serverRandom: [UInt8], count: Int) -> [UInt8] {
        bytes(secret: master, label: "key expansion", seed: serverRandom + clientRandom, count: count)
    }

    /// The hash of the transcript for the extended master secret.
    public func transcriptHash(_ messages: [UInt8]) -> [UInt8] {
        switch self {
        case .md5sha1: Array(Insecure.MD5.hash(data: messages)) + Array(Insecure.SHA1.hash(data: messages))
        case .sha256: Array(SHA256.hash(data: messages))
        case .sha384: Array(SHA384.hash(data: messages))
        }
    }
}
