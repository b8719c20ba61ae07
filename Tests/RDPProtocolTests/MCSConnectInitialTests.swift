import RDPProtocol
import RDPWire
import Testing

@Suite("MCS Connect Initial")
struct MCSConnectInitialTests {
    /// MS-RDPBCGR 4.1.3, "Client MCS Connect Initial PDU with GCC Conference Create Request".
    static let specConnectInitial: [UInt8] =
        [
            0x03, 0x00, 0x01, 0xA0,  // TPKT: version 3, reserved, length 416
            0x02, 0xF0, 0x80,  // X.224 data TPDU
            0x7F, 0x65, 0x82, 0x01, 0x94,  // BER [APPLICATION 101] Connect-Initial, length 404
            0x04, 0x01, 0x01,  // callingDomainSelector "\x01"
            0x04, 0x01, 0x01,  // calledDomainSelector "\x01"
            0x01, 0x01, 0xFF,  // upwardFlag TRUE
            0x30, 0x19,  // targetParameters, 25 bytes
            0x02, 0x01, 0x22,  //   maxChannelIds 34
            0x02, 0x01, 0x02,  //   maxUserIds 2
            0x02, 0x01, 0x00,  //   maxTokenIds 0
            0x02, 0x01, 0x01,  //   numPriorities 1
            0x02, 0x01, 0x00,  //   minThroughput 0
            0x02, 0x01, 0x01,  //   maxHeight 1
            0x02, 0x02, 0xFF, 0xFF,  //   maxMCSPDUsize 65535
            0x02, 0x01, 0x02,  //   protocolVersion 2
            0x30, 0x19,  // minimumParameters, 25 bytes
            0x02, 0x01, 0x01,  //   maxChannelIds 1
            0x02, 0x01, 0x01,  //   maxUserIds 1
            0x02, 0x01, 0x01,  //   maxTokenIds 1
            0x02, 0x01, 0x01,  //   numPriorities 1
            0x02, 0x01, 0x00,  //   minThroughput 0
            0x02, 0x01, 0x01,  //   maxHeight 1
            0x02, 0x02, 0x04, 0x20,  //   maxMCSPDUsize 1056
            0x02, 0x01, 0x02,  //   protocolVersion 2
            0x30, 0x1C,  // maximumParameters, 28 bytes
            0x02, 0x02, 0xFF, 0xFF,  //   maxChannelIds 65535
            0x02, 0x02, 0xFC, 0x17,  //   maxUserIds 64535
            0x02, 0x02, 0xFF, 0xFF,  //   maxTokenIds 65535
            0x02, 0x01, 0x01,  //   numPriorities 1
            0x02, 0x01, 0x00,  //   minThroughput 0
            0x02, 0x01, 0x01,  //   maxHeight 1
            0x02, 0x02, 0xFF, 0xFF,  //   maxMCSPDUsize 65535
            0x02, 0x01, 0x02,  //   protocolVersion 2
            0x04, 0x82, 0x01, 0x33,  // userData OCTET STRING, 307 bytes
            0x00, 0x05, 0x00, 0x14, 0x7C, 0x00, 0x01,  //   GCC key: object identifier 0.0.20.124.0.1
            0x81, 0x2A,  //   connectPDU length 298 (PER, two bytes)
            0x00,  //   ConnectGCCPDU: conferenceCreateRequest
            0x08,  //   optional fields: userData present
            0x00, 0x10,  //   conferenceName "1"
            0x00,  //   locked/listed/conductible FALSE, termination automatic
            0x01,  //   userData: one member
            0xC0,  //   value present, key h221NonStandard
            0x00, 0x44, 0x75, 0x63, 0x61,  //   key length 4: "Duca"
            0x81, 0x1C,  //   user data length 284
            // CS_CORE
            0x01, 0xC0, 0xD8, 0x00,  // type 0xC001, length 216
            0x04, 0x00, 0x08, 0x00,  // version 0x00080004 (RDP 5.0–8.1)
            0x00, 0x05,  // desktopWidth 1280
            0x00, 0x04,  // desktopHeight 1024
            0x01, 0xCA,  // colorDepth RNS_UD_COLOR_8BPP
            0x03, 0xAA,  // SASSequence RNS_UD_SAS_DEL
            0x09, 0x04, 0x00, 0x00,  // keyboardLayout 0x409
            0xCE, 0x0E, 0x00, 0x00,  // clientBuild 3790
            0x45, 0x00, 0x4C, 0x00, 0x54, 0x00, 0x4F, 0x00,  // clientName "ELTO
            0x4E, 0x00, 0x53, 0x00, 0x2D, 0x00, 0x44, 0x00,  //   NS-D
            0x45, 0x00, 0x56, 0x00, 0x32, 0x00, 0x00, 0x00,  //   EV2" NUL
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //   padding to 32 bytes
            0x04, 0x00, 0x00, 0x00,  // keyboardType 4 (IBM enhanced)
            0x00, 0x00, 0x00, 0x00,  // keyboardSubType 0
            0x0C, 0x00, 0x00, 0x00,  // keyboardFunctionKey 12
        ] + Array(repeating: 0, count: 64) + [  // imeFileName, empty
            0x01, 0xCA,  // postBeta2ColorDepth RNS_UD_COLOR_8BPP
            0x01, 0x00,  // clientProductId 1
            0x00, 0x00, 0x00, 0x00,  // serialNumber 0
            0x18, 0x00,  // highColorDepth 24
            0x07, 0x00,  // supportedColorDepths 24 | 16 | 15 bpp
            0x01, 0x00,  // earlyCapabilityFlags RNS_UD_CS_SUPPORT_ERRINFO_PDU
            0x36, 0x00, 0x39, 0x00, 0x37, 0x00, 0x31, 0x00,  // clientDigProductId "6971
            0x32, 0x00, 0x2D, 0x00, 0x37, 0x00, 0x38, 0x00,  //   2-78
            0x33, 0x00, 0x2D, 0x00, 0x30, 0x00, 0x33, 0x00,  //   3-03
            0x35, 0x00, 0x37, 0x00, 0x39, 0x00, 0x37, 0x00,  //   5797
            0x34, 0x00, 0x2D, 0x00, 0x34, 0x00, 0x32, 0x00,  //   4-42
            0x37, 0x00, 0x31, 0x00, 0x34, 0x00, 0x00, 0x00,  //   714" NUL
        ] + Array(repeating: 0, count: 16) + [  //   padding to 64 bytes
            0x00,  // connectionType 0
            0x00,  // pad1octet
            0x00, 0x00, 0x00, 0x00,  // serverSelectedProtocol PROTOCOL_RDP
            // CS_CLUSTER
            0x04, 0xC0, 0x0C, 0x00,  // type 0xC004, length 12
            0x0D, 0x00, 0x00, 0x00,  // flags: REDIRECTION_SUPPORTED, REDIRECTION_VERSION4
            0x00, 0x00, 0x00, 0x00,  // redirectedSessionID 0
            // CS_SECURITY
            0x02, 0xC0, 0x0C, 0x00,  // type 0xC002, length 12
            0x1B, 0x00, 0x00, 0x00,  // encryptionMethods 40 | 128 | 56 | FIPS
            0x00, 0x00, 0x00, 0x00,  // extEncryptionMethods 0
            // CS_NET
            0x03, 0xC0, 0x2C, 0x00,  // type 0xC003, length 44
            0x03, 0x00, 0x00, 0x00,  // channelCount 3
            0x72, 0x64, 0x70, 0x64, 0x72, 0x00, 0x00, 0x00,  // "rdpdr"
            0x00, 0x00, 0x80, 0x80,  //   INITIALIZED | COMPRESS_RDP
            0x63, 0x6C, 0x69, 0x70, 0x72, 0x64, 0x72, 0x00,  // "cliprdr"
            0x00, 0x00, 0xA0, 0xC0,  //   INITIALIZED | ENCRYPT_RDP | COMPRESS_RDP | SHOW_PROTOCOL
            0x72, 0x64, 0x70, 0x73, 0x6E, 0x64, 0x00, 0x00,  // "rdpsnd"
            0x00, 0x00, 0x00, 0xC0,  //   INITIALIZED | ENCRYPT_RDP
        ]

    static var specClientData: ClientConnectData {
        var core = ClientCoreData()
        core.version = .rdp5Plus
        core.desktopWidth = 1280
        core.desktopHeight = 1024
        core.clientBuild = 3790
        core.clientName = "ELTONS-DEV2"
        core.supportedColorDepths = 0x0007
        core.earlyCapabilityFlags = [.supportErrorInfoPDU]
        core.clientDigProductID = "69712-783-0357974-42714"
        core.serverSelectedProtocol = .rdp
        let network = ClientNetworkData(channels: [
            ChannelDefinition(name: "rdpdr", options: [.initialized, .compressRDP]),
            ChannelDefinition(name: "cliprdr", options: [.initialized, .encryptRDP, .compressRDP, .showProtocol]),
            ChannelDefinition(name: "rdpsnd", options: [.initialized, .encryptRDP]),
        ])
        return ClientConnectData(
            core: core, cluster: ClientClusterData(),
            security: ClientSecurityData(encryptionMethods: .all), network: network)
    }

    @Test("matches the annotated PDU of MS-RDPBCGR 4.1.3 byte for byte")
    func specExample() throws {
        #expect(Self.specConnectInitial.count == 416)
        let encoded = try MCSConnectInitial(clientData: Self.specClientData).encode()
        #expect(encoded == Self.specConnectInitial)
    }

    @Test("a probe echoes the selected protocol and the requested methods")
    func probe() throws {
        let data = ClientConnectData.probe(selectedProtocol: .hybrid, encryptionMethods: [.bits128])
        let frame = try MCSConnectInitial(clientData: data).encode()
        // TPKT length matches the frame.
        #expect(Int(frame[2]) << 8 | Int(frame[3]) == frame.count)
        let blocks = try data.encodeBlocks()
        // CS_CORE is 216 bytes; serverSelectedProtocol is its last field.
        #expect(Array(blocks[0..<4]) == [0x01, 0xC0, 0xD8, 0x00])
        #expect(Array(blocks[212..<216]) == [0x02, 0x00, 0x00, 0x00])
        // CS_CLUSTER, then CS_SECURITY with the requested method.
        #expect(Array(blocks[216..<220]) == [0x04, 0xC0, 0x0C, 0x00])
        #expect(Array(blocks[228..<236]) == [0x02, 0xC0, 0x0C, 0x00, 0x02, 0x00, 0x00, 0x00])
        // An empty CS_NET.
        #expect(Array(blocks[240...]) == [0x03, 0xC0, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00])
        #expect(frame.suffix(blocks.count) == blocks[...])
    }

    @Test("a long client name is cut to 15 characters and a terminator")
    func longName() throws {
        var core = ClientCoreData()
        core.clientName = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
        let blocks = try ClientConnectData(core: core).encodeBlocks()
        let name = Array(blocks[24..<56])
        #expect(name.prefix(30) == Array("ABCDEFGHIJKLMNO".utf16.flatMap { [UInt8($0), 0] })[...])
        #expect(name.suffix(2) == [0, 0])
    }

    @Test("bad channel definitions are refused")
    func badChannels() {
        let tooLong = ClientConnectData(network: ClientNetworkData(channels: [ChannelDefinition(name: "toolongname", options: [])]))
        #expect(throws: WireError.self) { _ = try tooLong.encodeBlocks() }
        let empty = ClientConnectData(network: ClientNetworkData(channels: [ChannelDefinition(name: "", options: [])]))
        #expect(throws: WireError.self) { _ = try empty.encodeBlocks() }
        let many = ClientConnectData(
            network: ClientNetworkData(
                channels: Array(repeating: ChannelDefinition(name: "x", options: []), count: 32)))
        #expect(throws: WireError.self) { _ = try many.encodeBlocks() }
    }
}
