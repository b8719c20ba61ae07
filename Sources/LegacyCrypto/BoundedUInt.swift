// A small unsigned big integer, just enough for RSA public-key operations on
// moduli up to 4096 bits. Limbs are 32-bit, least significant first, so a
// limb product and its carries fit in a UInt64.

struct BoundedUInt: Sendable, Equatable {
    /// Least significant limb first; never empty.
    private(set) var limbs: [UInt32]

    init(limbs: [UInt32]) {
        self.limbs = limbs.isEmpty ? [0] : limbs
    }

    /// Reads a little-endian byte string (RDP's byte order for RSA numbers).
    init<Bytes: Collection>(littleEndian bytes: Bytes) where Bytes.Element == UInt8 {
        var limbs = [UInt32](repeating: 0, count: max(1, (bytes.count + 3) / 4))
        for (index, byte) in bytes.enumerated() {
            limbs[index / 4] |= UInt32(byte) << UInt32(8 * (index % 4))
        }
        self.init(limbs: limbs)
    }

    /// The number of significant bits (0 for zero).
    var bitWidth: Int {
        guard let top = limbs.lastIndex(where: { $0 != 0 }) else { return 0 }
        return top * 32 + (32 - limbs[top].leadingZeroBitCount)
    }

    var isZero: Bool { limbs.allSatisfy { $0 == 0 } }
    var isOdd: Bool { limbs[0] & 1 == 1 }

    func bit(_ index: Int) -> Bool {
        let limb = index / 32
        guard limb < limbs.count else { return false }
        return (limbs[limb] >> UInt32(index % 32)) & 1 == 1
    }

    /// The value as exactly `count` little-endian bytes (the caller has made
    /// sure it fits).
    func littleEndianBytes(count: Int) -> [UInt8] {
        (0..<count).map { index in
            let limb = index / 4
            guard limb < limbs.count else { return 0 }
            return UInt8(truncatingIfNeeded: limbs[limb] >> UInt32(8 * (index % 4)))
        }
    }

    /// Compares magnitudes, ignoring leading zero limbs.
    static func compare(_ a: [UInt32], _ b: [UInt32]) -> Int {
        let width = max(a.count, b.count)
        for index in stride(from: width - 1, through: 0, by: -1) {
            let x = index < a.count ? a[index] : 0
            let y = index < b.count ? b[index] : 0
            if x != y { return x < y ? -1 : 1 }
        }
        return 0
    }

    /// a - b in place; requires a >= b.
    static func subtract(_ a: inout [UInt32], _ b: [UInt32]) {
        var borrow: UInt64 = 0
        for index in 0..<a.count {
            let subtrahend = UInt64(index < b.count ? b[index] : 0) + borrow
            let minuend = UInt64(a[index])
            if minuend >= subtrahend {
                a[index] = UInt32(minuend - subtrahend)
                borrow = 0
            } else {
                a[index] = UInt32(minuend + (1 << 32) - subtrahend)
                borrow = 1
            }
        }
    }
}
