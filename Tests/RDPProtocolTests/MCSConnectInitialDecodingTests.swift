import RDPProtocol
import RDPWire
import Testing

/// Reading a client's Connect Initial (what `analyze` does with a capture):
/// the specification's example, a short core block, and damaged frames.
@Suite("MCS Connect Initial, decoded")
struct MCSConnectInitialDecodingTests {
    @Test("MS-RDPBCGR 4.1.3's PDU reads back as the value that writes it")
    func specExample() throws {
        let decoded = try MCSConnectInitial.decode(MCSConnectInitialTests.specConnectInitial[...])
        #expect(decoded == MCSConnectInitial(clientData: MCSConnectInitialTests.specClientData))
        let core = decoded.clientData.core
        #expect(core.clientBuild == 3790)
        #expect(core.clientName == "ELTONS-DEV2")
        #expect(core.desktopWidth == 1280 && core.desktopHeight == 1024)
        #expect(core.keyboardLayout == 0x409)
        #expect(core.highColorDepth == 24)
        #expect(core.clientDigProductID == "69712-783-0357974-42714")
        #expect(core.has(.serverSelectedProtocol))
        #expect(decoded.clientData.network?.channels.map(\.name) == ["rdpdr", "cliprdr", "rdpsnd"])
    }

    @Test("a probe's own Connect Initial reads back")
    func roundTrip() throws {
        let data = ClientConnectData.probe(selectedProtocol: .hybrid, encryptionMethods: [.bits128], clientName: "probe-7")
        let decoded = try MCSConnectInitial.decode(try MCSConnectInitial(clientData: data).encode()[...])
        #expect(decoded.clientData == data)
    }

    @Test("a core block with only the mandatory fields: the optional ones are absent, not zero")
    func shortCore() throws {
        var blocks = Array(try ClientConnectData(core: ClientCoreData(), cluster: nil, network: nil).encodeBlocks())
        // Cut TS_UD_CS_CORE to its 128 mandatory bytes (plus the header) and fix its length.
        let security = Array(blocks[216...])
        blocks = Array(blocks[0..<132]) + security
        blocks[2] = 132; blocks[3] = 0
        let data = try ClientConnectData.decode(blocks[...])
        #expect(data.core.clientBuild == 2600)
        #expect(data.core.lastFieldPresent == nil)
        #expect(!data.core.has(.highColorDepth))
        #expect(!data.core.has(.clientDigProductID))
        // One with the fields through earlyCapabilityFlags only (Windows XP's shape).
        var longer = Array(try ClientConnectData(core: ClientCoreData(), cluster: nil, network: nil).encodeBlocks())
        longer = Array(longer[0..<(4 + 128 + 14)]) + Array(longer[216...])
        longer[2] = UInt8(4 + 128 + 14); longer[3] = 0
        let xp = try ClientConnectData.decode(longer[...])
        #expect(xp.core.lastFieldPresent == .earlyCapabilityFlags)
        #expect(xp.core.has(.highColorDepth) && !xp.core.has(.clientDigProductID))
    }

    @Test("every cut of the frame, a core block shorter than its mandatory part, a channel count past the block, no core block: WireErrors")
    func damaged() throws {
        let frame = MCSConnectInitialTests.specConnectInitial
        for length in 0..<frame.count {
            var cut = Array(frame.prefix(length))
            if cut.count >= 4 { cut[2] = UInt8(length >> 8); cut[3] = UInt8(length & 0xFF) }
            #expect(throws: WireError.self, "cut at \(length)") { _ = try MCSConnectInitial.decode(cut[...]) }
        }
        let shortCore: [UInt8] = [0x01, 0xC0, 0x10, 0x00] + Array(repeating: 0, count: 12)
        #expect(throws: WireError.self) { _ = try ClientConnectData.decode(shortCore[...]) }
        let manyChannels: [UInt8] = [0x03, 0xC0, 0x08, 0x00, 0xFF, 0xFF, 0xFF, 0x7F]
        #expect(throws: WireError.self) { _ = try ClientConnectData.decode(manyChannels[...]) }
        let noCore: [UInt8] = [0x02, 0xC0, 0x0C, 0x00, 0x03, 0, 0, 0, 0, 0, 0, 0]
        do {
            _ = try ClientConnectData.decode(noCore[...])
            Issue.record("decoded without a core block")
        } catch {
            #expect(error.field == "block type")
        }
    }
}
