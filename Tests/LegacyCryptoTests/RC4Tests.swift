import LegacyCrypto
import Testing

@Suite("RC4 (RFC 6229)")
struct RC4Tests {
    struct Vector: Sendable, CustomTestStringConvertible {
        let key: String
        /// Offset into the keystream, and the 16 bytes found there.
        let blocks: [(Int, String)]
        var testDescription: String { "key \(key)" }
    }

    // RFC 6229 section 2, keys made of 0x01 0x02 ...: a selection of offsets
    // per key length, always including the first and the last ones.
    static let vectors: [Vector] = [
        Vector(
            key: "0102030405",
            blocks: [
                (0, "b2396305f03dc027ccc3524a0a1118a8"),
                (16, "6982944f18fc82d589c403a47a0d0919"),
                (240, "28cb1132c96ce286421dcaadb8b69eae"),
                (256, "1cfcf62b03eddb641d77dfcf7f8d8c93"),
                (1520, "3294f744d8f9790507e70f62e5bbceea"),
                (4080, "068326a2118416d21f9d04b2cd1ca050"),
                (4096, "ff25b58995996707e51fbdf08b34d875"),
            ]),
        Vector(
            key: "01020304050607",
            blocks: [
                (0, "293f02d47f37c9b633f2af5285feb46b"),
                (16, "e620f1390d19bd84e2e0fd752031afc1"),
                (240, "914f02531c9218810df60f67e338154c"),
                (4080, "f3172ceffc3b3d997c85ccd5af1a950c"),
                (4096, "e74b0b9731227fd37c0ec08a47ddd8b8"),
            ]),
        Vector(
            key: "0102030405060708",
            blocks: [
                (0, "97ab8a1bf0afb96132f2f67258da15a8"),
                (16, "8263efdb45c4a18684ef87e6b19e5b09"),
                (240, "9636ebc9841926f4f7d1f362bddf6e18"),
                (4080, "d5fa5a3469d29aaaf83d23589db8c85b"),
                (4096, "3fb46e2c8f0f068edce8cdcd7dfc5862"),
            ]),
        Vector(
            key: "0102030405060708090a0b0c0d0e0f10",
            blocks: [
                (0, "9ac7cc9a609d1ef7b2932899cde41b97"),
                (16, "5248c4959014126a6e8a84f11d1a9e1c"),
                (240, "065902e4b620f6cc36c8589f66432f2b"),
                (256, "d39d566bc6bce3010768151549f3873f"),
                (2032, "d03d1bc03cd33d70dff9fa5d71963ebd"),
                (4080, "ff38265c1642c1abe8d3c2fe5e572bf8"),
                (4096, "a36a4c301ae8ac13610ccbc12256cacc"),
            ]),
        Vector(
            key: "0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20",
            blocks: [
                (0, "eaa6bd25880bf93d3f5d1e4ca2611d91"),
                (16, "cfa45c9f7e714b54bdfa80027cb14380"),
                (240, "114ae344ded71b35f2e60febad727fd8"),
                (4080, "a13a7c79c7e119b5ab0296ab28c300b9"),
                (4096, "f3e4c0a2e02d1d01f7f0a74618af2b48"),
            ]),
        // The second key of RFC 6229, 40 bits.
        Vector(
            key: "833222772a",
            blocks: [
                (0, "80ad97bdc973df8a2e879e92a497efda"),
                (16, "20f060c2f2e5126501d3d4fea10d5fc0"),
                (240, "faa148e99046181fec6b2085f3b20ed9"),
            ]),
    ]

    @Test("keystream at RFC 6229 offsets", arguments: vectors)
    func offsets(vector: Vector) {
        var rc4 = RC4(key: hex(vector.key))
        let stream = rc4.process([UInt8](repeating: 0, count: 4112))
        for (offset, expected) in vector.blocks {
            #expect(hexString(Array(stream[offset..<offset + 16])) == hexString(hex(expected)), "offset \(offset)")
        }
    }

    @Test("state carries across calls: odd-sized pieces give the same keystream", arguments: vectors)
    func streaming(vector: Vector) {
        var whole = RC4(key: hex(vector.key))
        let expected = whole.process([UInt8](repeating: 0, count: 4112))
        var pieces = RC4(key: hex(vector.key))
        var collected: [UInt8] = []
        var size = 1
        while collected.count < 4112 {
            let count = min(size, 4112 - collected.count)
            collected += pieces.process([UInt8](repeating: 0, count: count))
            size = size * 3 % 97 + 1
        }
        #expect(collected == expected)
    }

    @Test("skip discards keystream, and decrypting undoes encrypting")
    func skipAndInverse() {
        let key = hex("0102030405")
        var skipping = RC4(key: key)
        skipping.skip(4080)
        #expect(hexString(skipping.process([UInt8](repeating: 0, count: 16))) == "068326a2118416d21f9d04b2cd1ca050")

        var encrypt = RC4(key: key)
        var decrypt = RC4(key: key)
        let message = Array("Plaintext".utf8)
        #expect(decrypt.process(encrypt.process(message)) == message)
    }

    @Test("a copy forks the keystream")
    func valueSemantics() {
        var first = RC4(key: hex("0102030405"))
        _ = first.process([0, 0, 0])
        var second = first
        #expect(first.process([0, 0]) == second.process([0, 0]))
    }
}
