import LegacyCrypto
import RDPProtocol
import RDPSecurity
import RDPWire
import Testing

// The expected values were computed apart from this code, with Python's
// hashlib, straight from the formulas of MS-RDPBCGR 5.3.5.1 (SaltedHash,
// PreMasterHash, MasterHash, FinalHash, the 40- and 56-bit reductions) and
// 5.3.6.1 (the MAC, plain and salted), for these two randoms:
let clientRandom = Array(UInt8(0x00)...UInt8(0x1F))
let serverRandom = Array(UInt8(0xA0)...UInt8(0xBF))

@Suite("standard RDP security: session keys (MS-RDPBCGR 5.3.5.1)")
struct SessionKeyTests {
    @Test("128-bit: MACKey128 and the initial keys; the client encrypts with the third block, decrypts with the second")
    func keys128() throws {
        let keys = try SessionKeys(clientRandom: clientRandom, serverRandom: serverRandom, strength: .bits128)
        #expect(keys.macKey == hex("d3cbab255f0b440131261fea5b917b0e"))
        #expect(keys.decryptKey == hex("ad047705fdc6f5058d7a221b5ccf984c"))
        #expect(keys.encryptKey == hex("9854fffca4772bce1de4814e332130d1"))
    }

    @Test("40-bit: 0xD1269E and the last 40 of the first 64 bits")
    func keys40() throws {
        let keys = try SessionKeys(clientRandom: clientRandom, serverRandom: serverRandom, strength: .bits40)
        #expect(keys.macKey == hex("d1269e255f0b4401"))
        #expect(keys.encryptKey == hex("d1269efca4772bce"))
        #expect(keys.decryptKey == hex("d1269e05fdc6f505"))
    }

    @Test("56-bit: 0xD1 and the last 56 of the first 64 bits")
    func keys56() throws {
        let keys = try SessionKeys(clientRandom: clientRandom, serverRandom: serverRandom, strength: .bits56)
        #expect(keys.macKey == hex("d1cbab255f0b4401"))
        #expect(keys.encryptKey == hex("d154fffca4772bce"))
        #expect(keys.decryptKey == hex("d1047705fdc6f505"))
    }

    @Test("a server random that is not 32 bytes is a typed error naming the server's PDU")
    func shortServerRandom() {
        #expect(throws: WireError(.invalidField(reason: "is 16 bytes, expected 32"), pdu: "Server Security Data", field: "serverRandom")) {
            try SessionKeys(clientRandom: clientRandom, serverRandom: Array(serverRandom.prefix(16)), strength: .bits128)
        }
    }

    @Test("the key strength comes from exactly one RC4 method; FIPS and NONE have none")
    func strength() {
        #expect(KeyStrength(method: .bits40) == .bits40)
        #expect(KeyStrength(method: .bits56) == .bits56)
        #expect(KeyStrength(method: .bits128) == .bits128)
        #expect(KeyStrength(method: .fips) == nil)
        #expect(KeyStrength(method: .none) == nil)
        #expect(KeyStrength(method: [.bits40, .bits128]) == nil)
    }
}

@Suite("standard RDP security: MAC and RC4 (MS-RDPBCGR 5.3.6.1)")
struct SecurityLayerTests {
    let data = Array("rdpdoctor standard RDP security".utf8)

    @Test("MAC signature, plain and salted with the encryption count")
    func signatures() throws {
        let keys = try SessionKeys(clientRandom: clientRandom, serverRandom: serverRandom, strength: .bits128)
        #expect(StandardSecurityLayer.signature(macKey: keys.macKey, data: data[...]) == hex("5059b92f08979795"))
        #expect(StandardSecurityLayer.signature(macKey: keys.macKey, data: data[...], count: 0) == hex("67c063028ca5268d"))
        #expect(StandardSecurityLayer.signature(macKey: keys.macKey, data: data[...], count: 5) == hex("8a01a8374eabe2ca"))
        let keys40 = try SessionKeys(clientRandom: clientRandom, serverRandom: serverRandom, strength: .bits40)
        #expect(StandardSecurityLayer.signature(macKey: keys40.macKey, data: data[...]) == hex("19f57bbf605821a7"))
    }

    @Test("seal: SEC_ENCRYPT header, the MAC, then RC4 with the client's encrypt key")
    func seal() throws {
        var layer = StandardSecurityLayer(keys: try SessionKeys(clientRandom: clientRandom, serverRandom: serverRandom, strength: .bits128))
        let sealed = try layer.seal(data, flags: .infoPacket, pdu: "Client Info PDU")
        #expect(Array(sealed.prefix(4)) == [0x48, 0x00, 0x00, 0x00], "SEC_INFO_PKT | SEC_ENCRYPT, flagsHi 0")
        #expect(Array(sealed[4..<12]) == hex("5059b92f08979795"))
        #expect(Array(sealed[12...]) == hex("0d8fa4aa0c3a40dfa967e7e2365e35b70159621189b2ae9d17064fac1b414d"))
        #expect(layer.encryptedCount == 1)
    }

    /// What a server would send: its encrypt key is the client's decrypt key.
    static func serverSeal(_ data: [UInt8], keys: SessionKeys, salted count: UInt32? = nil, stream: inout RC4) -> [UInt8] {
        var flags: SecurityFlags = .encrypt
        if count != nil { flags.insert(.secureChecksum) }
        return SecurityHeader(flags: flags).encodeBasic()
            + StandardSecurityLayer.signature(macKey: keys.macKey, data: data[...], count: count)
            + stream.process(data)
    }

    static func open(_ layer: inout StandardSecurityLayer, _ pdu: [UInt8]) throws -> [UInt8] {
        var reader = ByteReader(pdu[...], pdu: "test")
        let header = try SecurityHeader.decode(from: &reader)
        return try layer.open(reader.rest(), header: header, pdu: "Demand Active PDU")
    }

    @Test("open: decrypts with the client's decrypt key across packets, checks plain and salted MACs")
    func open() throws {
        let keys = try SessionKeys(clientRandom: clientRandom, serverRandom: serverRandom, strength: .bits56)
        var server = RC4(key: keys.decryptKey)
        var layer = StandardSecurityLayer(keys: keys)
        let first = Self.serverSeal(data, keys: keys, stream: &server)
        #expect(try Self.open(&layer, first) == data)
        let second = Self.serverSeal(Array(data.reversed()), keys: keys, salted: 1, stream: &server)
        #expect(try Self.open(&layer, second) == Array(data.reversed()), "salted with the count of packets before it")
        #expect(layer.decryptedCount == 2)
    }

    @Test("a MAC that does not match is a typed error naming the PDU")
    func macMismatch() throws {
        let keys = try SessionKeys(clientRandom: clientRandom, serverRandom: serverRandom, strength: .bits128)
        var server = RC4(key: keys.decryptKey)
        var pdu = Self.serverSeal(data, keys: keys, stream: &server)
        pdu[pdu.count - 1] ^= 0x01
        var layer = StandardSecurityLayer(keys: keys)
        #expect(
            throws: WireError(
                .invalidField(reason: "does not match the MAC of the decrypted data (wrong session keys, or the PDU was altered)"),
                pdu: "Demand Active PDU", field: "dataSignature")
        ) {
            try Self.open(&layer, pdu)
        }
    }

    @Test("wrong keys (another client random) fail the MAC, never decode garbage")
    func wrongKeys() throws {
        let keys = try SessionKeys(clientRandom: clientRandom, serverRandom: serverRandom, strength: .bits128)
        var server = RC4(key: keys.decryptKey)
        let pdu = Self.serverSeal(data, keys: keys, stream: &server)
        var other = StandardSecurityLayer(
            keys: try SessionKeys(
                clientRandom: Array(clientRandom.reversed()),
                serverRandom: serverRandom, strength: .bits128))
        #expect(throws: WireError.self) { try Self.open(&other, pdu) }
    }
}

@Suite("standard RDP security: the Security Exchange PDU (2.2.1.10.1, 5.3.4)")
struct SecurityExchangeTests {
    // A 512-bit key made with `openssl genpkey`; the ciphertext was computed
    // with Python's pow() and checked by decrypting it with the private exponent.
    let modulusLittleEndian = hex(
        """
        7f39779254c62c1873f2c0bc1d1dc4cdd72098ace30b52c6ed1dbc858079295b
        2a51f59308f75b5086bfeb0b32314c4a6381e344af5888756c8c1ba0408eadc6
        """)
    let ciphertext = hex(
        """
        d2c279464101d1e99ba96e2b61abb0b9a6e392c668ceb8589eb05fceede4e060
        c604304bb13381adfdc3cad65b58822b724844d689e05cf95309880d6c519a38
        """)

    @Test("the proprietary key's modulus carries 8 zero bytes; the PDU adds 8 more after the ciphertext")
    func proprietary() throws {
        let wire = RDPProtocol.RSAPublicKey(
            bitLength: 512, dataLength: 63, publicExponent: 65537,
            modulusLittleEndian: modulusLittleEndian + [UInt8](repeating: 0, count: 8))
        let key = try SecurityExchange.ServerKey(proprietary: wire)
        #expect(key.bits == 512)
        let pdu = try SecurityExchange.encode(clientRandom: clientRandom, serverKey: key)
        #expect(Array(pdu.prefix(4)) == [0x01, 0x02, 0x00, 0x00], "SEC_EXCHANGE_PKT | SEC_LICENSE_ENCRYPT_SC")
        #expect(Array(pdu[4..<8]) == [72, 0, 0, 0], "length: 64 bytes of ciphertext and 8 of padding")
        #expect(Array(pdu[8..<72]) == ciphertext)
        #expect(Array(pdu[72...]) == [UInt8](repeating: 0, count: 8))
    }

    @Test("an X.509 key (big-endian) gives the same ciphertext")
    func x509() throws {
        let key = try SecurityExchange.ServerKey(
            modulusBigEndian: [0x00] + modulusLittleEndian.reversed(),
            exponentBigEndian: [0x01, 0x00, 0x01])
        let pdu = try SecurityExchange.encode(clientRandom: clientRandom, serverKey: key)
        #expect(Array(pdu[8..<72]) == ciphertext)
    }

    @Test("a key that is not an RSA modulus is a typed error naming the certificate")
    func badKey() {
        let even = RDPProtocol.RSAPublicKey(
            bitLength: 512, dataLength: 63, publicExponent: 65537,
            modulusLittleEndian: [0x02] + [UInt8](repeating: 0xFF, count: 63))
        #expect(throws: WireError.self) { try SecurityExchange.ServerKey(proprietary: even) }
    }
}
