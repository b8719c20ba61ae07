import NTLM
import Testing

@Suite("Target information (AV pairs)")
struct TargetInfoTests {
    @Test("every named AV pair decodes, in order, and round-trips")
    func allPairs() throws {
        let pairs: [AVPair] = [
            AVPair(id: .nbComputerName, string: "SRV01"),
            AVPair(id: .nbDomainName, string: "CONTOSO"),
            AVPair(id: .dnsComputerName, string: "srv01.contoso.com"),
            AVPair(id: .dnsDomainName, string: "contoso.com"),
            AVPair(id: .dnsTreeName, string: "contoso.com"),
            .flags([.accountAuthenticationConstrained]),
            .timestamp(FileTime(rawValue: 0x01d9_0000_1234_5678)),
            AVPair(id: .singleHost, value: [UInt8](repeating: 0x11, count: 48)),
            AVPair(id: .targetName, string: "TERMSRV/srv01"),
            AVPair(id: .channelBindings, value: [UInt8](repeating: 0, count: 16)),
            AVPair(id: AVPairID(rawValue: 0x4242), value: [1, 2, 3]),
        ]
        let info = TargetInfo(pairs: pairs)
        let decoded = try TargetInfo(decoding: info.encoded())
        #expect(decoded == info)
        #expect(decoded.nbComputerName == "SRV01")
        #expect(decoded.nbDomainName == "CONTOSO")
        #expect(decoded.dnsComputerName == "srv01.contoso.com")
        #expect(decoded.dnsDomainName == "contoso.com")
        #expect(decoded.dnsTreeName == "contoso.com")
        #expect(decoded.flags == [.accountAuthenticationConstrained])
        #expect(decoded.timestamp == FileTime(rawValue: 0x01d9_0000_1234_5678))
        #expect(decoded.value(for: .singleHost)?.count == 48)
        #expect(decoded.targetName == "TERMSRV/srv01")
        #expect(decoded.value(for: .channelBindings) == [UInt8](repeating: 0, count: 16))
        #expect(decoded.value(for: AVPairID(rawValue: 0x4242)) == [1, 2, 3])
        #expect(AVPairID(rawValue: 0x4242).description == "AvId 16962")
        #expect(AVPairID.timestamp.description == "MsvAvTimestamp")
    }

    @Test("decoding stops at MsvAvEOL; a missing EOL at the very end is tolerated")
    func terminator() throws {
        let afterEOL = try TargetInfo(decoding: Spec.targetInfo + [9, 9, 9])
        #expect(afterEOL.pairs.count == 2)
        let noEOL = try TargetInfo(decoding: Array(Spec.targetInfo.dropLast(4)))
        #expect(noEOL.pairs.count == 2)
    }

    @Test("a pair that runs past the end, or a cut header, is an error")
    func malformed() {
        #expect(throws: NTLMError.self) { try TargetInfo(decoding: [2, 0, 12, 0, 0x44]) }
        #expect(throws: NTLMError.self) { try TargetInfo(decoding: [2, 0, 12]) }
        for count in 1..<(Spec.targetInfo.count - 4) where count % 16 != 0 {
            #expect(throws: NTLMError.self, "prefix \(count)") { try TargetInfo(decoding: Array(Spec.targetInfo.prefix(count))) }
        }
    }

    @Test("wrong-sized flags or timestamp read as absent")
    func wrongSizes() throws {
        let info = TargetInfo(pairs: [AVPair(id: .flags, value: [1, 0]), AVPair(id: .timestamp, value: [1])])
        #expect(info.flags == nil)
        #expect(info.timestamp == nil)
    }

    @Test("set replaces the first pair with the same identifier or appends")
    func setPair() {
        var info = TargetInfo(pairs: [AVPair(id: .nbComputerName, string: "A"), .flags([])])
        info.set(.flags([.micPresent]))
        info.set(AVPair(id: .targetName, string: "TERMSRV/a"))
        #expect(info.pairs.map(\.id) == [.nbComputerName, .flags, .targetName])
        #expect(info.flags == [.micPresent])
    }
}
