// MD4 (RFC 1320). NTLM's NT one-way function is MD4 of the UTF-16LE password,
// and swift-crypto does not offer MD4, so it lives here. Never use it for
// anything new: MD4 is broken.

/// An incremental MD4 hash (RFC 1320).
public struct MD4: Sendable {
    private var state: (UInt32, UInt32, UInt32, UInt32) = (0x6745_2301, 0xefcd_ab89, 0x98ba_dcfe, 0x1032_5476)
    private var pending: [UInt8] = []
    private var byteCount: UInt64 = 0

    /// The digest length in bytes.
    public static let digestCount = 16

    public init() {
        pending.reserveCapacity(64)
    }

    /// Hashes `bytes` in one call.
    public static func hash<Bytes: Sequence>(_ bytes: Bytes) -> [UInt8] where Bytes.Element == UInt8 {
        var md4 = MD4()
        md4.update(bytes)
        return md4.finalize()
    }

    /// Feeds more message bytes.
    public mutating func update<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        for byte in bytes {
            pending.append(byte)
            byteCount &+= 1
            if pending.count == 64 {
                compress(pending)
                pending.removeAll(keepingCapacity: true)
            }
        }
    }

    /// Pads the message (RFC 1320 3.1 and 3.2) and returns the 16-byte digest.
    public func finalize() -> [UInt8] {
        var copy = self
        let bitLength = byteCount &* 8
        var padding: [UInt8] = [0x80]
        let afterMarker = (pending.count + 1) % 64
        padding += [UInt8](repeating: 0, count: (56 - afterMarker + 64) % 64)
        for shift in stride(from: 0, to: 64, by: 8) {
            padding.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(shift)))
        }
        copy.update(padding)
        var digest: [UInt8] = []
        digest.reserveCapacity(16)
        for word in [copy.state.0, copy.state.1, copy.state.2, copy.state.3] {
            for shift in stride(from: 0, to: 32, by: 8) {
                digest.append(UInt8(truncatingIfNeeded: word >> UInt32(shift)))
            }
        }
        return digest
    }

    // One 64-byte block: the three rounds of RFC 1320 section 3.4.
    private mutating func compress(_ block: [UInt8]) {
        var x = [UInt32](repeating: 0, count: 16)
        for i in 0..<16 {
            x[i] =
                UInt32(block[4 * i]) | UInt32(block[4 * i + 1]) << 8
                | UInt32(block[4 * i + 2]) << 16 | UInt32(block[4 * i + 3]) << 24
        }
        var (a, b, c, d) = state

        func f(_ x: UInt32, _ y: UInt32, _ z: UInt32) -> UInt32 { (x & y) | (~x & z) }
        func g(_ x: UInt32, _ y: UInt32, _ z: UInt32) -> UInt32 { (x & y) | (x & z) | (y & z) }
        func h(_ x: UInt32, _ y: UInt32, _ z: UInt32) -> UInt32 { x ^ y ^ z }
        func rotl(_ v: UInt32, _ s: UInt32) -> UInt32 { (v << s) | (v >> (32 - s)) }

        // Round 1.
        for i in stride(from: 0, to: 16, by: 4) {
            a = rotl(a &+ f(b, c, d) &+ x[i], 3)
            d = rotl(d &+ f(a, b, c) &+ x[i + 1], 7)
            c = rotl(c &+ f(d, a, b) &+ x[i + 2], 11)
            b = rotl(b &+ f(c, d, a) &+ x[i + 3], 19)
        }
        // Round 2: columns of the 4x4 word matrix.
        let k2: UInt32 = 0x5a82_7999
        for i in 0..<4 {
            a = rotl(a &+ g(b, c, d) &+ x[i] &+ k2, 3)
            d = rotl(d &+ g(a, b, c) &+ x[i + 4] &+ k2, 5)
            c = rotl(c &+ g(d, a, b) &+ x[i + 8] &+ k2, 9)
            b = rotl(b &+ g(c, d, a) &+ x[i + 12] &+ k2, 13)
        }
        // Round 3: bit-reversed order 0, 2, 1, 3.
        let k3: UInt32 = 0x6ed9_eba1
        for i in [0, 2, 1, 3] {
            a = rotl(a &+ h(b, c, d) &+ x[i] &+ k3, 3)
            d = rotl(d &+ h(a, b, c) &+ x[i + 8] &+ k3, 9)
            c = rotl(c &+ h(d, a, b) &+ x[i + 4] &+ k3, 11)
            b = rotl(b &+ h(c, d, a) &+ x[i + 12] &+ k3, 15)
        }
        state = (state.0 &+ a, state.1 &+ b, state.2 &+ c, state.3 &+ d)
    }
}
