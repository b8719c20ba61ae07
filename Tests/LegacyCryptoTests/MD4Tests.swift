import LegacyCrypto
import Testing

@Suite("MD4 (RFC 1320)")
struct MD4Tests {
    // RFC 1320 appendix A.5, "test suite".
    static let suite: [(String, String)] = [
        ("", "31d6cfe0d16ae931b73c59d7e0c089c0"),
        ("a", "bde52cb31de33e46245e05fbdbd6fb24"),
        ("abc", "a448017aaf21d8525fc10ae87aa6729d"),
        ("message digest", "d9130a8164549fe818874806e1c7014b"),
        ("abcdefghijklmnopqrstuvwxyz", "d79e1c308aa5bbcdeea8ed63df412da9"),
        ("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "043f8582f241db351ce627e153e7f0e4"),
        (String(repeating: "1234567890", count: 8), "e33b4ddc9c38f2199c3e7b164fcc0536"),
    ]

    @Test("the RFC 1320 A.5 test suite", arguments: suite)
    func rfcSuite(message: String, digest: String) {
        #expect(hexString(MD4.hash(Array(message.utf8))) == digest)
    }

    @Test("feeding in pieces gives the same digest as one call")
    func incremental() {
        let message = Array(String(repeating: "1234567890", count: 8).utf8)
        for split in [0, 1, 55, 56, 63, 64, 65, 79, 80] {
            var md4 = MD4()
            md4.update(message[0..<split])
            md4.update(message[split...])
            #expect(hexString(md4.finalize()) == "e33b4ddc9c38f2199c3e7b164fcc0536", "split at \(split)")
        }
    }

    @Test("padding boundaries: 55, 56, 63 and 64 bytes differ and are 16 bytes")
    func paddingBoundaries() {
        let digests = [55, 56, 63, 64, 119, 120].map { MD4.hash([UInt8](repeating: 0x61, count: $0)) }
        #expect(Set(digests.map(hexString)).count == digests.count)
        #expect(digests.allSatisfy { $0.count == MD4.digestCount })
    }

    @Test("NTOWFv1 of \"Password\" is MS-NLMP 4.2.2.1.2's value")
    func ntHash() {
        let unicodePassword = Array("Password".utf16).flatMap { [UInt8($0 & 0xff), UInt8($0 >> 8)] }
        #expect(hexString(MD4.hash(unicodePassword)) == "a4f49c406510bdcab6824ee7c30fd852")
    }
}
