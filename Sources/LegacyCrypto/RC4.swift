// RC4 (the "alleged RC4" of RFC 6229's test vectors). NTLM seals with one RC4
// keystream that runs on across messages, and standard RDP security uses it
// too, so the cipher keeps its state between calls. swift-crypto has no RC4.

/// An RC4 keystream. A value type: copying it forks the keystream.
public struct RC4: Sendable {
    private var s: [UInt8]
    private var i: UInt8 = 0
    private var j: UInt8 = 0

    /// Schedules `key` (1 to 256 bytes; anything else is a programming error).
    public init<Key: Collection>(key: Key) where Key.Element == UInt8 {
        let key = Array(key)
        precondition((1...256).contains(key.count), "RC4 key must be 1 to 256 bytes")
        s = (0...255).map { UInt8($0) }
        var j: UInt8 = 0
        for i in 0..<256 {
            j = j &+ s[i] &+ key[i % key.count]
            s.swapAt(i, Int(j))
        }
    }

    /// XORs `input` with the next keystream bytes; encrypts and decrypts alike.
    public mutating func process<Bytes: Sequence>(_ input: Bytes) -> [UInt8] where Bytes.Element == UInt8 {
        var output: [UInt8] = []
        output.reserveCapacity(input.underestimatedCount)
        for byte in input {
            output.append(byte ^ nextByte())
        }
        return output
    }

    /// Discards `count` keystream bytes.
    public mutating func skip(_ count: Int) {
        for _ in 0..<max(0, count) {
            _ = nextByte()
        }
    }

    private mutating func nextByte() -> UInt8 {
        i = i &+ 1
        j = j &+ s[Int(i)]
        s.swapAt(Int(i), Int(j))
        return s[Int(s[Int(i)] &+ s[Int(j)])]
    }
}
