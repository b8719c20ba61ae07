import RDPProtocol
import RDPWire
import Testing

@Suite("MCS Connect Response")
struct MCSConnectResponseTests {
    static let serverRandom: [UInt8] = [
        0x10, 0x11, 0x77, 0x20, 0x30, 0x61, 0x0A, 0x12, 0xE4, 0x34, 0xA1, 0x1E, 0xF2, 0xC3, 0x9F, 0x31,
        0x7D, 0xA4, 0x5F, 0x01, 0x89, 0x34, 0x96, 0xE0, 0xFF, 0x11, 0x08, 0x69, 0x7F, 0x1A, 0xC3, 0xD2,
    ]
    static let modulus: [UInt8] = [
        0xCB, 0x81, 0xFE, 0xBA, 0x6D, 0x61, 0xC3, 0x55, 0x05, 0xD5, 0x5F, 0x2E, 0x87, 0xF8, 0x71, 0x94,
        0xD6, 0xF1, 0xA5, 0xCB, 0xF1, 0x5F, 0x0C, 0x3D, 0xF8, 0x70, 0x02, 0x96, 0xC4, 0xFB, 0x9B, 0xC8,
        0x3C, 0x2D, 0x55, 0xAE, 0xE8, 0xFF, 0x32, 0x75, 0xEA, 0x68, 0x79, 0xE5, 0xA2, 0x01, 0xFD, 0x31,
        0xA0, 0xB1, 0x1F, 0x55, 0xA6, 0x1F, 0xC1, 0xF6, 0xD1, 0x83, 0x88, 0x63, 0x26, 0x56, 0x12, 0xBC,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // 8 bytes of padding
    ]
    static let signature: [UInt8] = [
        0xE9, 0xE1, 0xD6, 0x28, 0x46, 0x8B, 0x4E, 0xF5, 0x0A, 0xDF, 0xFD, 0xEE, 0x21, 0x99, 0xAC, 0xB4,
        0xE1, 0x8F, 0x5F, 0x81, 0x57, 0x82, 0xEF, 0x9D, 0x96, 0x52, 0x63, 0x27, 0x18, 0x29, 0xDB, 0xB3,
        0x4A, 0xFD, 0x9A, 0xDA, 0x42, 0xAD, 0xB5, 0x69, 0x21, 0x89, 0x0E, 0x1D, 0xC0, 0x4C, 0x1A, 0xA8,
        0xAA, 0x71, 0x3E, 0x0F, 0x54, 0xB9, 0x9A, 0xE4, 0x99, 0x68, 0x3F, 0x6C, 0xD6, 0x76, 0x84, 0x61,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // 8 bytes of padding
    ]

    /// MS-RDPBCGR 4.1.4, "Server MCS Connect Response PDU with GCC Conference Create Response".
    static let specConnectResponse: [UInt8] =
        [
            0x03, 0x00, 0x01, 0x51,  // TPKT: version 3, reserved, length 337
            0x02, 0xF0, 0x80,  // X.224 data TPDU
            0x7F, 0x66, 0x82, 0x01, 0x45,  // BER [APPLICATION 102] Connect-Response, length 325
            0x0A, 0x01, 0x00,  // result rt-successful
            0x02, 0x01, 0x00,  // calledConnectId 0
            0x30, 0x1A,  // domainParameters, 26 bytes
            0x02, 0x01, 0x22,  //   maxChannelIds 34
            0x02, 0x01, 0x03,  //   maxUserIds 3
            0x02, 0x01, 0x00,  //   maxTokenIds 0
            0x02, 0x01, 0x01,  //   numPriorities 1
            0x02, 0x01, 0x00,  //   minThroughput 0
            0x02, 0x01, 0x01,  //   maxHeight 1
            0x02, 0x03, 0x00, 0xFF, 0xF8,  //   maxMCSPDUsize 65528
            0x02, 0x01, 0x02,  //   protocolVersion 2
            0x04, 0x82, 0x01, 0x1F,  // userData OCTET STRING, 287 bytes
            0x00, 0x05, 0x00, 0x14, 0x7C, 0x00, 0x01,  //   GCC key: object identifier 0.0.20.124.0.1
            0x2A,  //   connectPDU length (wrong, as Windows sends it)
            0x14,  //   ConnectGCCPDU: conferenceCreateResponse
            0x76, 0x0A,  //   nodeID 0x760A + 1001
            0x01, 0x01,  //   tag: length 1, value 1
            0x00,  //   result success
            0x01,  //   userData: one member
            0xC0,  //   value present, key h221NonStandard
            0x00, 0x4D, 0x63, 0x44, 0x6E,  //   key length 4: "McDn"
            0x81, 0x08,  //   user data length 264
            // SC_CORE
            0x01, 0x0C, 0x0C, 0x00,  // type 0x0C01, length 12
            0x04, 0x00, 0x08, 0x00,  // version 0x00080004
            0x00, 0x00, 0x00, 0x00,  // clientRequestedProtocols PROTOCOL_RDP
            // SC_NET
            0x03, 0x0C, 0x10, 0x00,  // type 0x0C03, length 16
            0xEB, 0x03,  // MCSChannelId 1003
            0x03, 0x00,  // channelCount 3
            0xEC, 0x03, 0xED, 0x03, 0xEE, 0x03,  // channels 1004, 1005, 1006
            0x00, 0x00,  // pad to a multiple of 4
            // SC_SECURITY
            0x02, 0x0C, 0xEC, 0x00,  // type 0x0C02, length 236
            0x02, 0x00, 0x00, 0x00,  // encryptionMethod 128-bit
            0x02, 0x00, 0x00, 0x00,  // encryptionLevel client compatible
            0x20, 0x00, 0x00, 0x00,  // serverRandomLen 32
            0xB8, 0x00, 0x00, 0x00,  // serverCertLen 184
        ] + serverRandom + [
            0x01, 0x00, 0x00, 0x00,  // dwVersion: CERT_CHAIN_VERSION_1, permanent
            0x01, 0x00, 0x00, 0x00,  // dwSigAlgId SIGNATURE_ALG_RSA
            0x01, 0x00, 0x00, 0x00,  // dwKeyAlgId KEY_EXCHANGE_ALG_RSA
            0x06, 0x00,  // wPublicKeyBlobType BB_RSA_KEY_BLOB
            0x5C, 0x00,  // wPublicKeyBlobLen 92
            0x52, 0x53, 0x41, 0x31,  // magic "RSA1"
            0x48, 0x00, 0x00, 0x00,  // keylen 72
            0x00, 0x02, 0x00, 0x00,  // bitlen 512
            0x3F, 0x00, 0x00, 0x00,  // datalen 63
            0x01, 0x00, 0x01, 0x00,  // pubExp 65537
        ] + modulus + [
            0x08, 0x00,  // wSignatureBlobType BB_RSA_SIGNATURE_BLOB
            0x48, 0x00,  // wSignatureBlobLen 72
        ] + signature

    @Test("decodes the annotated PDU of MS-RDPBCGR 4.1.4")
    func specExample() throws {
        #expect(Self.specConnectResponse.count == 337)
        let response = try MCSConnectResponse.decode(Self.specConnectResponse[...])
        #expect(response.result == .successful)
        #expect(response.result.name == "rt-successful")
        #expect(response.calledConnectID == 0)
        #expect(response.domainParameters?.maxMCSPDUSize == 65528)
        #expect(response.domainParameters?.maxUserIDs == 3)
        #expect(response.conferenceResult == 0)
        #expect(response.nodeID == 0x760A &+ 1001)

        let data = try #require(response.serverData)
        #expect(data.blocks.count == 3)
        let core = try #require(data.core)
        #expect(core.version == .rdp5Plus)
        #expect(core.clientRequestedProtocols == .rdp)
        #expect(core.earlyCapabilityFlags == nil)

        #expect(data.network == ServerNetworkData(ioChannelID: 1003, channelIDs: [1004, 1005, 1006]))

        let security = try #require(data.security)
        #expect(security.encryptionMethod == .bits128)
        #expect(security.encryptionLevel == .clientCompatible)
        #expect(security.serverRandom == Self.serverRandom)
        guard case let .proprietary(certificate, temporary)? = security.certificate else {
            Issue.record("expected a proprietary certificate")
            return
        }
        #expect(!temporary)
        #expect(certificate.signatureAlgorithmID == 1)
        #expect(certificate.keyAlgorithmID == 1)
        #expect(certificate.publicKey.bitLength == 512)
        #expect(certificate.publicKey.dataLength == 63)
        #expect(certificate.publicKey.publicExponent == 65537)
        #expect(certificate.publicKey.modulusLittleEndian == Self.modulus)
        #expect(certificate.signature == Self.signature)
        #expect(data.messageChannelID == nil)
        #expect(data.multitransport == nil)
    }

    /// A TLS-era response: SC_CORE with early flags, empty SC_SECURITY, message
    /// channel, multitransport and an unknown block.
    static func modernResponse(extraBlock: [UInt8] = []) -> [UInt8] {
        let blocks: [UInt8] =
            [
                0x01, 0x0C, 0x10, 0x00,  // SC_CORE, length 16
                0x0C, 0x00, 0x08, 0x00,  // version 0x0008000C (RDP 10.7)
                0x0B, 0x00, 0x00, 0x00,  // clientRequestedProtocols SSL | HYBRID | HYBRID_EX
                0x09, 0x00, 0x00, 0x00,  // earlyCapabilityFlags EDGE_ACTIONS_V1 | SKIP_CHANNELJOIN
                0x02, 0x0C, 0x0C, 0x00,  // SC_SECURITY, length 12
                0x00, 0x00, 0x00, 0x00,  // encryptionMethod none
                0x00, 0x00, 0x00, 0x00,  // encryptionLevel none
                0x03, 0x0C, 0x08, 0x00,  // SC_NET, length 8
                0xEB, 0x03,  // MCSChannelId 1003
                0x00, 0x00,  // channelCount 0
                0x04, 0x0C, 0x06, 0x00,  // SC_MCS_MSGCHANNEL, length 6
                0xEC, 0x03,  // message channel 1004
                0x08, 0x0C, 0x08, 0x00,  // SC_MULTITRANSPORT, length 8
                0x05, 0x01, 0x00, 0x00,  // UDPFECR | UDPFECL | UDP_PREFERRED
                0x99, 0x0C, 0x06, 0x00,  // unknown block 0x0C99, length 6
                0xAB, 0xCD,  // its body
            ] + extraBlock
        return connectResponseFrame(userData: blocks)
    }

    /// Wraps server blocks in the GCC, BER, X.224 and TPKT layers.
    static func connectResponseFrame(userData blocks: [UInt8], result: UInt8 = 0) -> [UInt8] {
        var gcc: [UInt8] = [
            0x00, 0x05, 0x00, 0x14, 0x7C, 0x00, 0x01, 0x2A, 0x14, 0x76, 0x0A, 0x01, 0x01, result,
            0x01, 0xC0, 0x00, 0x4D, 0x63, 0x44, 0x6E,
        ]
        gcc += blocks.count < 0x80 ? [UInt8(blocks.count)] : [0x80 | UInt8(blocks.count >> 8), UInt8(blocks.count & 0xFF)]
        gcc += blocks
        var body: [UInt8] = [
            0x0A, 0x01, 0x00, 0x02, 0x01, 0x00,
            0x30, 0x1A, 0x02, 0x01, 0x22, 0x02, 0x01, 0x03, 0x02, 0x01, 0x00, 0x02, 0x01, 0x01,
            0x02, 0x01, 0x00, 0x02, 0x01, 0x01, 0x02, 0x03, 0x00, 0xFF, 0xF8, 0x02, 0x01, 0x02,
        ]
        body += [0x04, 0x82, UInt8(gcc.count >> 8), UInt8(gcc.count & 0xFF)] + gcc
        let mcs: [UInt8] = [0x7F, 0x66, 0x82, UInt8(body.count >> 8), UInt8(body.count & 0xFF)] + body
        return X224Data.frame(mcs)
    }

    @Test("decodes a TLS-era response with every known block and an unknown one")
    func modern() throws {
        let response = try MCSConnectResponse.decode(Self.modernResponse()[...])
        let data = try #require(response.serverData)
        #expect(data.core?.version == .rdp10_7)
        #expect(data.core?.clientRequestedProtocols == [.ssl, .hybrid, .hybridEx])
        #expect(data.core?.earlyCapabilityFlags == [.edgeActionsSupportedV1, .skipChannelJoinSupported])
        #expect(
            data.security
                == ServerSecurityData(
                    encryptionMethod: .none, encryptionLevel: .none,
                    serverRandom: [], certificate: nil))
        #expect(data.network?.channelIDs == [])
        #expect(data.messageChannelID == 1004)
        #expect(data.multitransport == [.udpFECReliable, .udpFECLossy, .udpPreferred])
        #expect(data.multitransport?.offersUDP == true)
        #expect(data.blocks.last == .unknown(UserDataBlockType(rawValue: 0x0C99), [0xAB, 0xCD]))
    }

    @Test("keeps an X.509 chain's DER blobs")
    func x509Chain() throws {
        let certificate: [UInt8] =
            [
                0x02, 0x00, 0x00, 0x80,  // dwVersion: CERT_CHAIN_VERSION_2, temporary
                0x02, 0x00, 0x00, 0x00,  // NumCertBlobs 2
                0x03, 0x00, 0x00, 0x00, 0x30, 0x01, 0x00,  // cbCert 3, abCert
                0x02, 0x00, 0x00, 0x00, 0x30, 0x00,  // cbCert 2, abCert
            ] + Array(repeating: 0, count: 16)  // padding
        let random = Array(repeating: UInt8(0x5A), count: 32)
        var security: [UInt8] = [
            0x02, 0x0C, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00,
            0x20, 0x00, 0x00, 0x00, UInt8(certificate.count), 0x00, 0x00, 0x00,
        ]
        security += random + certificate
        security[2] = UInt8(security.count)
        let response = try MCSConnectResponse.decode(Self.connectResponseFrame(userData: security)[...])
        let data = try #require(response.serverData?.security)
        #expect(data.encryptionLevel == .high)
        #expect(data.serverRandom == random)
        #expect(data.certificate == .x509Chain([[0x30, 0x01, 0x00], [0x30, 0x00]], temporary: true))
    }

    @Test("a bare refusal carries only the result")
    func refusal() throws {
        let frame = X224Data.frame([
            0x7F, 0x66, 0x03,  // Connect-Response, length 3
            0x0A, 0x01, 0x0E,  // result rt-unspecified-failure
        ])
        let response = try MCSConnectResponse.decode(frame[...])
        #expect(response.result == .unspecifiedFailure)
        #expect(response.serverData == nil)
        #expect(MCSResult(rawValue: 99).name == nil)
        // A result too wide for the enumeration is not mistaken for success.
        let wide = X224Data.frame([0x7F, 0x66, 0x04, 0x0A, 0x02, 0x01, 0x00])
        #expect(throws: WireError.self) { _ = try MCSConnectResponse.decode(wide[...]) }
    }

    @Test("every truncation is refused")
    func truncations() {
        expectEveryPrefixThrows(Self.specConnectResponse) { bytes throws(WireError) in
            _ = try MCSConnectResponse.decode(bytes)
        }
        forEachTruncatedFrame(Self.specConnectResponse) { frame in
            #expect(throws: WireError.self) { _ = try MCSConnectResponse.decode(frame[...]) }
        }
    }

    @Test(
        "lengths that point past the end are refused",
        arguments: [
            // (offset of the field, new bytes, field named in the error)
            (10, [0x7F, 0xFF] as [UInt8], "Connect-Response length"),
            (48, [0x7F, 0xFF], "userData"),
            (75, [0xFF, 0x7F], "block length"),
            (113, [0xFF, 0xFF], "serverRandomLen"),
            (117, [0xFF, 0xFF], "serverCertLen"),
            (167, [0xFF, 0x00], "wPublicKeyBlobLen"),
            (173, [0xFF, 0xFF], "keylen"),
            (263, [0xFF, 0x00], "wSignatureBlobLen"),
        ])
    func pastTheEnd(offset: Int, bytes: [UInt8], field: String) {
        var frame = Self.specConnectResponse
        frame.replaceSubrange(offset..<(offset + bytes.count), with: bytes)
        #expect {
            _ = try MCSConnectResponse.decode(frame[...])
        } throws: { error in
            guard let wire = error as? WireError else { return false }
            if case .lengthExceedsAvailable = wire.kind { return wire.field.hasPrefix(field) }
            return false
        }
    }

    @Test("wrong tags and types are refused")
    func wrongTypes() {
        var tag = Self.specConnectResponse
        tag[8] = 0x65  // Connect-Initial, not Connect-Response
        #expect(throws: WireError.self) { _ = try MCSConnectResponse.decode(tag[...]) }
        var key = Self.specConnectResponse
        key[53] = 0x15  // not the T.124 OID
        #expect(throws: WireError.self) { _ = try MCSConnectResponse.decode(key[...]) }
        var choice = Self.specConnectResponse
        choice[58] = 0x00  // a create request, not a response
        #expect(throws: WireError.self) { _ = try MCSConnectResponse.decode(choice[...]) }
        var magic = Self.specConnectResponse
        magic[169] = 0x00  // not "RSA1"
        #expect(throws: WireError.self) { _ = try MCSConnectResponse.decode(magic[...]) }
        var chainVersion = Self.specConnectResponse
        chainVersion[153] = 0x07  // neither proprietary nor X.509
        #expect(throws: WireError.self) { _ = try MCSConnectResponse.decode(chainVersion[...]) }
        var fragment = Self.specConnectResponse
        fragment[71] = 0xC1  // fragmented PER length
        #expect(throws: WireError.self) { _ = try MCSConnectResponse.decode(fragment[...]) }
    }

    @Test("a block shorter than its header cannot loop forever")
    func zeroLengthBlock() {
        let frame = Self.modernResponse(extraBlock: [0x99, 0x0C, 0x00, 0x00])
        #expect(throws: WireError.self) { _ = try MCSConnectResponse.decode(frame[...]) }
        #expect(throws: WireError.self) { _ = try ServerConnectData.decode([0x01, 0x0C, 0x03, 0x00][...]) }
    }

    @Test("a certificate count larger than the data is refused before allocating")
    func hugeCertificateCount() {
        let certificate: [UInt8] = [0x02, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0x7F]
        var security: [UInt8] = [
            0x02, 0x0C, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00,
            0x00, 0x00, 0x00, 0x00, UInt8(certificate.count), 0x00, 0x00, 0x00,
        ]
        security += certificate
        security[2] = UInt8(security.count)
        #expect(throws: WireError.self) {
            _ = try MCSConnectResponse.decode(Self.connectResponseFrame(userData: security)[...])
        }
    }

    @Test("mutations never crash")
    func mutations() {
        for vector in [Self.specConnectResponse, Self.modernResponse()] {
            forEachMutation(of: vector) { bytes in
                _ = try? MCSConnectResponse.decode(bytes[...])
            }
        }
    }

    @Test("an RDP version reads as its number; its words come from the catalogue")
    func versions() {
        #expect(RDPVersion.rdp10_12.description == "0x00080011")
        #expect(RDPVersion(rawValue: 0x0008_0012) > .rdp10_12)
    }
}
