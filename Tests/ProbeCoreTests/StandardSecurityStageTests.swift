import LegacyCrypto
import RDPProtocol
import RDPSecurity
import RDPWire
import Testing

@testable import ProbeCore

/// A scripted server of standard RDP security, with a 512-bit key whose
/// private exponent the test knows (made with `openssl genpkey`), so it can
/// read the client random back, derive the same keys and answer as xrdp does.
struct StandardSecurityServer {
    static let modulus = fromHex(
        """
        7f39779254c62c1873f2c0bc1d1dc4cdd72098ace30b52c6ed1dbc858079295b
        2a51f59308f75b5086bfeb0b32314c4a6381e344af5888756c8c1ba0408eadc6
        """)
    static let privateExponent = fromHex(
        """
        e1cd560f7c1cbbde33f05c99939ac40a059186390c5a6e6974fc7715a1170258
        17ebb4eb9f8bdc417ed5046555c07af8f31755b77d1547a7a2b64f37ab4f2eb0
        """)
    static let serverRandom = Array(UInt8(0xA0)...UInt8(0xBF))

    var method: EncryptionMethods = .bits128
    var level: EncryptionLevel = .high
    /// The server random as sent (32 bytes unless a test shortens it).
    var random = Self.serverRandom
    /// Set once the Security Exchange arrived.
    var keys: SessionKeys?
    var encryptor: RC4?
    var decryptor: RC4?

    /// MCS Connect Response: SC_CORE, SC_SECURITY with a proprietary certificate, SC_NET with no static channel.
    func connectResponse() -> [UInt8] {
        var security = ByteWriter()
        security.u32LE(method.rawValue)  // encryptionMethod
        security.u32LE(level.rawValue)  // encryptionLevel
        security.u32LE(UInt32(random.count))  // serverRandomLen
        let certificate = Self.certificate()
        security.u32LE(UInt32(certificate.count))  // serverCertLen
        security.append(random)
        security.append(certificate)
        var blocks = ByteWriter()
        blocks.append([
            0x01, 0x0C, 0x0C, 0x00,  // SC_CORE, length 12
            0x04, 0x00, 0x08, 0x00,  // version 0x00080004
            0x00, 0x00, 0x00, 0x00,
        ])  // clientRequestedProtocols PROTOCOL_RDP
        blocks.u16LE(0x0C02)  // SC_SECURITY
        blocks.u16LE(UInt16(security.bytes.count + 4))
        blocks.append(security.bytes)
        blocks.append([
            0x03, 0x0C, 0x08, 0x00,  // SC_NET, length 8
            0xEB, 0x03,  // MCSChannelId 1003
            0x00, 0x00,
        ])  // channelCount 0
        return Self.connectResponseFrame(blocks.bytes)
    }

    /// PROPRIETARYSERVERCERTIFICATE with the test key (the signature is not checked by clients that
    /// skip the Terminal Services key; zeros here).
    static func certificate() -> [UInt8] {
        var w = ByteWriter()
        w.u32LE(1)  // dwVersion CERT_CHAIN_VERSION_1
        w.u32LE(1)  // dwSigAlgId SIGNATURE_ALG_RSA
        w.u32LE(1)  // dwKeyAlgId KEY_EXCHANGE_ALG_RSA
        w.u16LE(0x0006)  // wPublicKeyBlobType BB_RSA_KEY_BLOB
        w.u16LE(92)  // wPublicKeyBlobLen
        w.append([0x52, 0x53, 0x41, 0x31])  // magic "RSA1"
        w.u32LE(72)  // keylen: 64 + 8 bytes of padding
        w.u32LE(512)  // bitlen
        w.u32LE(63)  // datalen
        w.u32LE(65537)  // pubExp
        w.append(modulus + [UInt8](repeating: 0, count: 8))
        w.u16LE(0x0008)  // wSignatureBlobType
        w.u16LE(72)  // wSignatureBlobLen
        w.zeros(72)
        return w.bytes
    }

    /// The GCC, BER, X.224 and TPKT layers around server data blocks (as MS-RDPBCGR 4.1.4).
    static func connectResponseFrame(_ blocks: [UInt8]) -> [UInt8] {
        var gcc: [UInt8] = [
            0x00, 0x05, 0x00, 0x14, 0x7C, 0x00, 0x01, 0x2A, 0x14, 0x76, 0x0A, 0x01, 0x01, 0x00,
            0x01, 0xC0, 0x00, 0x4D, 0x63, 0x44, 0x6E,
        ]
        gcc += [0x80 | UInt8(blocks.count >> 8), UInt8(blocks.count & 0xFF)] + blocks
        var body: [UInt8] = [
            0x0A, 0x01, 0x00, 0x02, 0x01, 0x00,
            0x30, 0x1A, 0x02, 0x01, 0x22, 0x02, 0x01, 0x03, 0x02, 0x01, 0x00, 0x02, 0x01, 0x01,
            0x02, 0x01, 0x00, 0x02, 0x01, 0x01, 0x02, 0x03, 0x00, 0xFF, 0xF8, 0x02, 0x01, 0x02,
        ]
        body += [0x04, 0x82, UInt8(gcc.count >> 8), UInt8(gcc.count & 0xFF)] + gcc
        return X224Data.frame([0x7F, 0x66, 0x82, UInt8(body.count >> 8), UInt8(body.count & 0xFF)] + body)
    }

    static let attachUserConfirm = X224Data.frame([0x2E, 0x00, 0x00, 0x06])  // rt-successful, user 1007

    static func channelJoinConfirm(_ channel: UInt16) -> [UInt8] {
        X224Data.frame([0x3E, 0x00, 0x00, 0x06, UInt8(channel >> 8), UInt8(channel & 0xFF), UInt8(channel >> 8), UInt8(channel & 0xFF)])
    }

    /// Send Data Indication from the server (1002) on the I/O channel.
    static func indication(_ userData: [UInt8]) -> [UInt8] {
        let length: [UInt8] =
            userData.count < 0x80
            ? [UInt8(userData.count)]
            : [0x80 | UInt8(userData.count >> 8), UInt8(userData.count & 0xFF)]
        return X224Data.frame([0x68, 0x00, 0x01, 0x03, 0xEB, 0x70] + length + userData)
    }

    /// The userData of a client Send Data Request (initiator, channel, priority and PER length skipped).
    static func requestUserData(_ frame: [UInt8]) throws -> [UInt8] {
        guard case let .sendDataRequest(data) = try MCSDomainPDU.decode(frame: frame[...]) else {
            throw WireError(.invalidField(reason: "is not a Send Data Request"), pdu: "test", field: "MCS")
        }
        return Array(data.userData)
    }

    /// Reads the Security Exchange PDU back with the private key and derives the server's view of the keys.
    mutating func readSecurityExchange(_ userData: [UInt8]) throws -> [UInt8] {
        #expect(Array(userData.prefix(4)) == [0x01, 0x02, 0x00, 0x00], "SEC_EXCHANGE_PKT | SEC_LICENSE_ENCRYPT_SC")
        #expect(Array(userData[4..<8]) == [72, 0, 0, 0])
        let encrypted = Array(userData[8..<72])
        #expect(Array(userData[72...]) == [UInt8](repeating: 0, count: 8))
        // "Encrypting" with the private exponent is RSA decryption.
        let privateKey = try LegacyCrypto.RSAPublicKey(modulusLittleEndian: Self.modulus, exponentLittleEndian: Self.privateExponent)
        let clientRandom = Array(try privateKey.encrypt(littleEndian: encrypted).prefix(32))
        let keys = try SessionKeys(
            clientRandom: clientRandom, serverRandom: Self.serverRandom,
            strength: KeyStrength(method: method)!)
        self.keys = keys
        encryptor = RC4(key: keys.decryptKey)  // the server encrypts with what the client decrypts with
        decryptor = RC4(key: keys.encryptKey)
        return clientRandom
    }

    /// Decrypts the client's Client Info PDU and checks its MAC.
    mutating func readClientInfo(_ userData: [UInt8]) throws -> [UInt8] {
        #expect(Array(userData.prefix(4)) == [0x48, 0x00, 0x00, 0x00], "SEC_INFO_PKT | SEC_ENCRYPT")
        let plaintext = decryptor!.process(userData[12...])
        #expect(StandardSecurityLayer.signature(macKey: keys!.macKey, data: plaintext[...]) == Array(userData[4..<12]))
        return plaintext
    }

    /// Encrypts a server PDU (flags + SEC_ENCRYPT, the MAC, RC4); `tamper` flips a ciphertext bit.
    mutating func seal(_ data: [UInt8], flags: SecurityFlags = [], tamper: Bool = false) -> [UInt8] {
        var sealed =
            SecurityHeader(flags: flags.union(.encrypt)).encodeBasic()
            + StandardSecurityLayer.signature(macKey: keys!.macKey, data: data[...])
            + encryptor!.process(data)
        if tamper { sealed[sealed.count - 1] ^= 0x01 }
        return sealed
    }

    /// The licensing PDU xrdp sends in the clear: STATUS_VALID_CLIENT (MS-RDPBCGR 4.1.11, decrypted).
    static let validClient: [UInt8] =
        SecurityHeader(flags: .licensePacket).encodeBasic() + [
            0xFF, 0x03, 0x10, 0x00,  // ERROR_ALERT, PREAMBLE_VERSION_3_0, wMsgSize 16
            0x07, 0x00, 0x00, 0x00,  // STATUS_VALID_CLIENT
            0x02, 0x00, 0x00, 0x00,  // ST_NO_TRANSITION
            0x04, 0x00, 0x00, 0x00,  // BB_ERROR_BLOB, empty
        ]

    /// A Demand Active PDU (share control header, GENERAL capability: Windows NT).
    static let demandActive: [UInt8] = [
        0x22, 0x00, 0x11, 0x00, 0xEA, 0x03,  // totalLength 34, DEMANDACTIVEPDU, source 1002
        0xEA, 0x03, 0x01, 0x00,  // shareID
        0x04, 0x00, 0x0C, 0x00,  // lengthSourceDescriptor 4, lengthCombinedCapabilities 12
        0x52, 0x44, 0x50, 0x00,  // "RDP"
        0x01, 0x00, 0x00, 0x00,  // numberCapabilities 1, pad
        0x01, 0x00, 0x08, 0x00, 0x01, 0x00, 0x03, 0x00,  // GENERAL, length 8: WINDOWS, WINDOWS_NT
        0x05, 0x00, 0x00, 0x00,  // sessionId 5
    ]
}

private func fromHex(_ text: String) -> [UInt8] {
    let digits = text.compactMap { $0.hexDigitValue }
    return stride(from: 0, to: digits.count, by: 2).map { UInt8(digits[$0] << 4 | digits[$0 + 1]) }
}

@Suite("standard RDP security walked by the session stage")
struct StandardSecurityStageTests {
    typealias P = Probe
    static let clientRandom = Array(UInt8(0x00)...UInt8(0x1F))

    /// A default-client machine on a server that answered without negotiation data (standard RDP security).
    static func machine() -> RDPProbeMachine {
        var machine = P.connected()
        machine.fixedClientRandom = clientRandom
        _ = machine.handle(.received(PDU.confirmWithoutNegotiation), now: P.t0 + P.ms)
        return machine
    }

    static func sends(_ actions: [ConnectionAction]) -> [[UInt8]] {
        actions.compactMap { if case .send(let bytes) = $0 { bytes } else { nil } }
    }

    /// Walks to the Client Info; returns the machine and the server with keys.
    static func throughClientInfo(_ server: inout StandardSecurityServer) throws -> RDPProbeMachine {
        var machine = machine()
        _ = machine.handle(.received(server.connectResponse()), now: P.t0 + 2 * P.ms)
        #expect(machine.record.timings.last?.step == .channels)
        _ = machine.handle(.received(StandardSecurityServer.attachUserConfirm), now: P.t0 + 3 * P.ms)
        _ = machine.handle(.received(StandardSecurityServer.channelJoinConfirm(1007)), now: P.t0 + 4 * P.ms)
        let actions = machine.handle(.received(StandardSecurityServer.channelJoinConfirm(1003)), now: P.t0 + 5 * P.ms)
        let sent = sends(actions)
        #expect(sent.count == 2, "the Security Exchange PDU, then the Client Info PDU")
        guard sent.count == 2 else { return machine }
        #expect(try server.readSecurityExchange(StandardSecurityServer.requestUserData(sent[0])) == clientRandom)
        let info = try server.readClientInfo(StandardSecurityServer.requestUserData(sent[1]))
        #expect(Array(info.prefix(8)) == [0, 0, 0, 0, 0x73, 0x01, 0x03, 0x00], "codePage 0, the probe's INFO flags")
        #expect(machine.record.end == P.undecided)
        #expect(machine.record.timings.last?.step == .licensing)
        return machine
    }

    @Test("128-bit, level high: Security Exchange, encrypted Client Info, licensing, encrypted Demand Active")
    func walk128() throws {
        var server = StandardSecurityServer()
        var machine = try Self.throughClientInfo(&server)
        _ = machine.handle(.received(StandardSecurityServer.indication(StandardSecurityServer.validClient)), now: P.t0 + 6 * P.ms)
        #expect(machine.record.session?.licensing == .validClient)
        let demand = server.seal(StandardSecurityServer.demandActive)
        let actions = machine.handle(.received(StandardSecurityServer.indication(demand)), now: P.t0 + 7 * P.ms)
        #expect(actions.last == .close)
        #expect(machine.record.end == .completed)
        let session = try #require(machine.record.session)
        #expect(session.demandActive)
        #expect(session.serverOSMajor == 1 && session.serverOSMinor == 3)
        var expected = StandardSecurityObservation()
        expected.exchangeSent = true
        expected.serverKeyBits = 512
        expected.keyBits = 128
        expected.decryptedPDUs = 1
        #expect(session.standardSecurity == expected)
        #expect(machine.record.timings.map(\.step) == [.tcp, .x224, .mcs, .channels, .licensing, .capabilities])
        #expect(machine.record.timings.allSatisfy { $0.durationMs != nil })
    }

    @Test("40-bit, level low: the server answers in the clear behind a basic security header")
    func walk40Low() throws {
        var server = StandardSecurityServer(method: .bits40, level: .low)
        var machine = try Self.throughClientInfo(&server)
        #expect(server.keys?.encryptKey.count == 8)
        _ = machine.handle(.received(StandardSecurityServer.indication(StandardSecurityServer.validClient)), now: P.t0 + 6 * P.ms)
        let clear = SecurityHeader(flags: []).encodeBasic() + StandardSecurityServer.demandActive
        _ = machine.handle(.received(StandardSecurityServer.indication(clear)), now: P.t0 + 7 * P.ms)
        #expect(machine.record.session?.demandActive == true)
        #expect(machine.record.session?.standardSecurity?.decryptedPDUs == 0)
        #expect(machine.record.session?.standardSecurity?.keyBits == 40)
    }

    @Test("an encrypted licensing PDU is decrypted before it is read")
    func encryptedLicensing() throws {
        var server = StandardSecurityServer()
        var machine = try Self.throughClientInfo(&server)
        let licensing = server.seal(Array(StandardSecurityServer.validClient.dropFirst(4)), flags: .licensePacket)
        _ = machine.handle(.received(StandardSecurityServer.indication(licensing)), now: P.t0 + 6 * P.ms)
        #expect(machine.record.session?.licensing == .validClient)
        #expect(machine.record.session?.standardSecurity?.decryptedPDUs == 1)
        #expect(machine.record.timings.last?.step == .capabilities)
    }

    @Test("a Demand Active whose MAC does not match is a protocol error naming the PDU")
    func macMismatch() throws {
        var server = StandardSecurityServer()
        var machine = try Self.throughClientInfo(&server)
        _ = machine.handle(.received(StandardSecurityServer.indication(StandardSecurityServer.validClient)), now: P.t0 + 6 * P.ms)
        let demand = server.seal(StandardSecurityServer.demandActive, tamper: true)
        #expect(machine.handle(.received(StandardSecurityServer.indication(demand)), now: P.t0 + 7 * P.ms) == [.close])
        #expect(
            machine.record.end
                == .protocolError(
                    step: .capabilities,
                    message:
                        "Demand Active PDU (or another share control PDU): dataSignature does not match the MAC of the decrypted data (wrong session keys, or the PDU was altered)"
                ))
        #expect(machine.record.session?.demandActive == false)
    }

    @Test("FIPS: the channels are joined, then the walk stops before the Security Exchange, completed")
    func fips() throws {
        let server = StandardSecurityServer(method: .fips, level: .fips)
        var machine = Self.machine()
        _ = machine.handle(.received(server.connectResponse()), now: P.t0 + 2 * P.ms)
        _ = machine.handle(.received(StandardSecurityServer.attachUserConfirm), now: P.t0 + 3 * P.ms)
        _ = machine.handle(.received(StandardSecurityServer.channelJoinConfirm(1007)), now: P.t0 + 4 * P.ms)
        let actions = machine.handle(.received(StandardSecurityServer.channelJoinConfirm(1003)), now: P.t0 + 5 * P.ms)
        #expect(actions == [.close], "nothing sent: no Security Exchange, no Client Info")
        #expect(machine.record.end == .completed)
        #expect(machine.record.session?.standardSecurity?.notAttempted == .fipsNotImplemented)
        #expect(machine.record.session?.standardSecurity?.exchangeSent == false)
        #expect(machine.record.session?.joinedChannels == [1007, 1003])
        #expect(machine.record.timings.map(\.step) == [.tcp, .x224, .mcs, .channels])
    }

    @Test("the stage on its own: outputs in order, waits as an enum with the reports' phrases")
    func stageOutputs() throws {
        var stage = SessionStage(selected: .rdp, stopAfterServerData: false, clientRandom: Self.clientRandom)
        let start = stage.start()
        #expect(start.count == 2)
        #expect(start.last == .awaiting(.connectResponse))
        let response = stage.receive(StandardSecurityServer().connectResponse())
        #expect(response.first == .stepCompleted)
        #expect(response.last == .awaiting(.attachUserConfirm))
        #expect(SessionStage.Awaiting.connectResponse.shared.description == "the MCS Connect Response")
        #expect(SessionStage.Awaiting.channelJoinConfirm(1003).shared.description == "the MCS Channel Join Confirm for channel 1003")
        #expect(SessionStage.Awaiting.licensing.step == .licensing)
        let disconnect = stage.receive([0x03, 0x00, 0x00, 0x09, 0x02, 0xF0, 0x80, 0x21, 0x80])
        #expect(disconnect == [.observed(.disconnectReason(.userRequested)), .finished(.disconnected(.userRequested, awaiting: .attachUserConfirm))])
        #expect(stage.isFinished)
        #expect(stage.receive(StandardSecurityServer.attachUserConfirm).isEmpty, "a finished stage takes nothing more")
    }

    @Test("a server random that is not 32 bytes fails at the MCS Connect Response, naming the field")
    func shortServerRandom() {
        var machine = Self.machine()
        let server = StandardSecurityServer(random: Array(StandardSecurityServer.serverRandom.prefix(16)))
        #expect(machine.handle(.received(server.connectResponse()), now: P.t0 + 2 * P.ms) == [.close])
        #expect(machine.record.end == .protocolError(step: .mcs, message: "Server Security Data: serverRandom is 16 bytes, expected 32"))
    }

    @Test("a server that chose encryption without a certificate fails at the MCS Connect Response")
    func noCertificate() throws {
        var blocks = ByteWriter()
        blocks.append([0x01, 0x0C, 0x0C, 0x00, 0x04, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00])
        blocks.append(
            [
                0x02, 0x0C, 0x34, 0x00, 0x02, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00,
                0x20, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            ] + StandardSecurityServer.serverRandom)
        blocks.append([0x03, 0x0C, 0x08, 0x00, 0xEB, 0x03, 0x00, 0x00])
        var machine = Self.machine()
        #expect(machine.handle(.received(StandardSecurityServer.connectResponseFrame(blocks.bytes)), now: P.t0 + 2 * P.ms) == [.close])
        #expect(
            machine.record.end == .protocolError(step: .mcs, message: "Server Security Data: serverCertificate is missing, but the server chose encryption"))
        #expect(machine.record.serverData?.encryptionMethod == .bits128, "the server data is recorded all the same")
    }
}
