// Modular exponentiation by Montgomery multiplication (CIOS form), so that
// reduction never needs a long division. Requires an odd modulus, which every
// RSA modulus is.

struct MontgomeryModulus: Sendable {
    let modulus: [UInt32]
    private let k: Int
    /// -modulus^-1 mod 2^32.
    private let inverse: UInt32
    /// R^2 mod modulus, R = 2^(32k): converts into Montgomery form.
    private let rSquared: [UInt32]

    init(odd modulus: BoundedUInt) {
        precondition(modulus.isOdd, "Montgomery reduction needs an odd modulus")
        var limbs = modulus.limbs
        while limbs.count > 1, limbs.last == 0 { limbs.removeLast() }
        self.modulus = limbs
        k = limbs.count

        // Newton iteration doubles the correct low bits each step: 1, 2, 4, .. 32.
        var inv: UInt32 = 1
        for _ in 0..<5 { inv = inv &* (2 &- limbs[0] &* inv) }
        inverse = 0 &- inv

        // R^2 mod n by doubling 1 a total of 2 * 32k times, reducing each time.
        var r = [UInt32](repeating: 0, count: k + 1)
        r[0] = 1
        for _ in 0..<(64 * k) {
            var carry: UInt32 = 0
            for index in 0..<r.count {
                let next = r[index] >> 31
                r[index] = r[index] << 1 | carry
                carry = next
            }
            if BoundedUInt.compare(r, limbs) >= 0 { BoundedUInt.subtract(&r, limbs) }
        }
        rSquared = Array(r[0..<k])
    }

    /// base^exponent mod modulus; base must already be below the modulus.
    func power(_ base: BoundedUInt, _ exponent: BoundedUInt) -> BoundedUInt {
        let x = multiply(padded(base.limbs), rSquared)
        var one = [UInt32](repeating: 0, count: k)
        one[0] = 1
        var accumulator = multiply(one, rSquared)
        for index in stride(from: exponent.bitWidth - 1, through: 0, by: -1) {
            accumulator = multiply(accumulator, accumulator)
            if exponent.bit(index) { accumulator = multiply(accumulator, x) }
        }
        return BoundedUInt(limbs: multiply(accumulator, one))
    }

    private func padded(_ limbs: [UInt32]) -> [UInt32] {
        var result = Array(limbs.prefix(k))
        result += [UInt32](repeating: 0, count: k - result.count)
        return result
    }

    /// a * b * R^-1 mod n, for a, b < n given as k limbs.
    private func multiply(_ a: [UInt32], _ b: [UInt32]) -> [UInt32] {
        var t = [UInt32](repeating: 0, count: k + 2)
        for i in 0..<k {
            var carry: UInt64 = 0
            for j in 0..<k {
                let sum = UInt64(t[j]) + UInt64(a[j]) * UInt64(b[i]) + carry
                t[j] = UInt32(truncatingIfNeeded: sum)
                carry = sum >> 32
            }
            var sum = UInt64(t[k]) + carry
            t[k] = UInt32(truncatingIfNeeded: sum)
            t[k + 1] = UInt32(sum >> 32)

            let m = t[0] &* inverse
            sum = UInt64(t[0]) + UInt64(m) * UInt64(modulus[0])
            carry = sum >> 32
            for j in 1..<k {
                sum = UInt64(t[j]) + UInt64(m) * UInt64(modulus[j]) + carry
                t[j - 1] = UInt32(truncatingIfNeeded: sum)
                carry = sum >> 32
            }
            sum = UInt64(t[k]) + carry
            t[k - 1] = UInt32(truncatingIfNeeded: sum)
            t[k] = t[k + 1] + UInt32(sum >> 32)
        }
        var result = Array(t[0...k])
        if BoundedUInt.compare(result, modulus) >= 0 { BoundedUInt.subtract(&result, modulus) }
        return Array(result[0..<k])
    }
}
