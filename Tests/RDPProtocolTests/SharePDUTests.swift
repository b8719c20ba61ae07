import RDPProtocol
import RDPWire
import Testing

@Suite("Share control PDUs")
struct SharePDUTests {
    static let demandActive: [UInt8] = [
        0x32, 0x00,  // totalLength 50
        0x11, 0x00,  // pduType DEMANDACTIVEPDU, version 1
        0xEA, 0x03,  // pduSource 1002
        0xEA, 0x03, 0x01, 0x00,  // shareID 0x000103EA
        0x04, 0x00,  // lengthSourceDescriptor 4
        0x1C, 0x00,  // lengthCombinedCapabilities 28
        0x52, 0x44, 0x50, 0x00,  // sourceDescriptor "RDP"
        0x02, 0x00,  // numberCapabilities 2
        0x00, 0x00,  // pad2Octets
        0x01, 0x00, 0x08, 0x00,  // GENERAL, length 8
        0x01, 0x00, 0x03, 0x00,  //   osMajorType WINDOWS, osMinorType WINDOWS_NT
        0x02, 0x00, 0x10, 0x00,  // BITMAP, length 16
        0x20, 0x00,  //   preferredBitsPerPixel 32
        0x01, 0x00, 0x01, 0x00, 0x01, 0x00,  //   receive1/4/8BitsPerPixel
        0x00, 0x04, 0x00, 0x03,  //   desktop 1024 x 768
        0x05, 0x00, 0x00, 0x00,  // sessionId 5
    ]

    @Test("Demand Active: share id, capability sets, session id")
    func demandActive() throws {
        let pdus = try ServerSharePDU.decodeAll(Self.demandActive[...])
        guard case let .demandActive(pdu)? = pdus.first, pdus.count == 1 else {
            Issue.record("expected one Demand Active PDU, got \(pdus)")
            return
        }
        #expect(pdu.shareID == 0x0001_03EA)
        #expect(pdu.sourceDescriptor == "RDP")
        #expect(pdu.capabilitySets.map(\.type) == [.general, .bitmap])
        #expect(pdu.sessionID == 5)
        #expect(pdu.source == 1002)
        #expect(pdu.serverOS?.major == 1 && pdu.serverOS?.minor == 3)
        #expect(pdu.desktop?.width == 1024 && pdu.desktop?.height == 768 && pdu.desktop?.bitsPerPixel == 32)
    }

    static let setErrorInfo: [UInt8] = [
        0x16, 0x00,  // totalLength 22
        0x17, 0x00,  // pduType DATAPDU, version 1
        0xEA, 0x03,  // pduSource 1002
        0xEA, 0x03, 0x01, 0x00,  // shareID
        0x00,  // pad1
        0x01,  // streamID STREAM_LOW
        0x08, 0x00,  // uncompressedLength 8
        0x2F,  // pduType2 SET_ERROR_INFO
        0x00,  // compressedType
        0x00, 0x00,  // compressedLength
        0x07, 0x00, 0x00, 0x00,  // errorInfo ERRINFO_SERVER_DENIED_CONNECTION
    ]

    static let deactivateAll: [UInt8] = [
        0x0C, 0x00,  // totalLength 12
        0x16, 0x00,  // pduType DEACTIVATEALLPDU, version 1
        0xEA, 0x03,  // pduSource 1002
        0xEA, 0x03, 0x01, 0x00,  // shareID
        0x01, 0x00,  // lengthSourceDescriptor 1 (descriptor missing, as sent)
    ]

    @Test("Set Error Info and Deactivate All, concatenated")
    func errorInfoThenDeactivate() throws {
        let pdus = try ServerSharePDU.decodeAll((Self.setErrorInfo + Self.deactivateAll)[...])
        #expect(pdus.count == 2)
        guard case let .data(header, .setErrorInfo(code)) = pdus[0] else {
            Issue.record("expected Set Error Info, got \(pdus[0])")
            return
        }
        #expect(header.type == .setErrorInfo)
        #expect(header.shareID == 0x0001_03EA)
        #expect(code == .serverDeniedConnection)
        #expect(pdus[1] == .deactivateAll(shareID: 0x0001_03EA))
    }

    static func saveSessionInfo(_ body: [UInt8]) -> [UInt8] {
        let total = 18 + body.count
        return [
            UInt8(total & 0xFF), UInt8(total >> 8),  // totalLength
            0x17, 0x00, 0xEA, 0x03,  // DATAPDU from 1002
            0xEA, 0x03, 0x01, 0x00, 0x00, 0x01,  // shareID, pad1, streamID
            UInt8(body.count & 0xFF), UInt8(body.count >> 8),  // uncompressedLength
            0x26, 0x00, 0x00, 0x00,
        ] + body  // SAVE_SESSION_INFO, not compressed
    }

    @Test("Save Session Info: logon errors in the extended form")
    func logonErrors() throws {
        let body: [UInt8] =
            [
                0x03, 0x00, 0x00, 0x00,  // infoType INFOTYPE_LOGON_EXTENDED_INFO
                0x12, 0x00,  // Length 18
                0x02, 0x00, 0x00, 0x00,  // FieldsPresent LOGON_EX_LOGONERRORS
                0x08, 0x00, 0x00, 0x00,  // cbFieldData 8
                0xFA, 0xFF, 0xFF, 0xFF,  // ErrorNotificationType LOGON_MSG_NO_PERMISSION
                0x0D, 0x00, 0x00, 0xC0,  // ErrorNotificationData
            ] + Array(repeating: 0, count: 570)  // Pad
        let pdus = try ServerSharePDU.decodeAll(Self.saveSessionInfo(body)[...])
        #expect(pdus.count == 1)
        guard case let .data(_, .saveSessionInfo(info)) = pdus[0] else {
            Issue.record("expected Save Session Info")
            return
        }
        #expect(
            info
                == .extended(
                    logonError: LogonError(type: .noPermission, data: 0xC000_000D),
                    hasAutoReconnectCookie: false))
    }

    @Test("Save Session Info: the long logon form and plain notify")
    func logonLong() throws {
        let domain: [UInt8] = [0x44, 0x00, 0x4F, 0x00, 0x4D, 0x00, 0x00, 0x00]  // "DOM"
        let user: [UInt8] = [0x62, 0x00, 0x6F, 0x00, 0x62, 0x00, 0x00, 0x00]  // "bob"
        let body: [UInt8] =
            [
                0x01, 0x00, 0x00, 0x00,  // infoType INFOTYPE_LOGON_LONG
                0x01, 0x00,  // Version SAVE_SESSION_PDU_VERSION_ONE
                0x12, 0x00, 0x00, 0x00,  // Size 18
                0x02, 0x00, 0x00, 0x00,  // SessionId 2
                0x08, 0x00, 0x00, 0x00,  // cbDomain 8
                0x08, 0x00, 0x00, 0x00,  // cbUserName 8
            ] + Array(repeating: 0, count: 558) + domain + user
        guard case let .data(_, .saveSessionInfo(info))? = try ServerSharePDU.decodeAll(Self.saveSessionInfo(body)[...]).first else {
            Issue.record("expected Save Session Info")
            return
        }
        #expect(info == .logonLong(domain: "DOM", userName: "bob", sessionID: 2))

        let plain = [0x02, 0x00, 0x00, 0x00] + Array(repeating: UInt8(0), count: 576)
        let decoded = try ServerSharePDU.decodeAll(Self.saveSessionInfo(plain)[...])
        #expect(decoded.first.map { if case .data(_, .saveSessionInfo(.plainNotify)) = $0 { true } else { false } } == true)
    }

    @Test("Save Session Info: the short logon form")
    func logonShort() throws {
        var body: [UInt8] = [
            0x00, 0x00, 0x00, 0x00,  // infoType INFOTYPE_LOGON
            0x08, 0x00, 0x00, 0x00,
        ]  // cbDomain 8
        body += [0x44, 0x00, 0x4F, 0x00, 0x4D, 0x00, 0x00, 0x00] + Array(repeating: 0, count: 44)  // Domain[52]
        body += [0x08, 0x00, 0x00, 0x00]  // cbUserName 8
        body += [0x62, 0x00, 0x6F, 0x00, 0x62, 0x00, 0x00, 0x00] + Array(repeating: 0, count: 504)  // UserName[512]
        body += [0x03, 0x00, 0x00, 0x00]  // SessionId 3
        guard case let .data(_, .saveSessionInfo(info))? = try ServerSharePDU.decodeAll(Self.saveSessionInfo(body)[...]).first else {
            Issue.record("expected Save Session Info")
            return
        }
        #expect(info == .logon(domain: "DOM", userName: "bob", sessionID: 3))
    }

    static func utf16z(_ text: String) -> [UInt8] {
        text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] } + [0, 0]
    }

    static func lengthPrefixed(_ bytes: [UInt8]) -> [UInt8] {
        [UInt8(bytes.count & 0xFF), UInt8(bytes.count >> 8), 0, 0] + bytes
    }

    static var redirection: [UInt8] {
        let lbInfo = Array("Cookie: msts=3640205228.15629.0000\r\n".utf8)
        let addresses =
            [0x02, 0x00, 0x00, 0x00]  // addressCount 2
            + lengthPrefixed(utf16z("10.0.0.5")) + lengthPrefixed(utf16z("fe80::1"))
        var packet: [UInt8] = [
            0x00, 0x04,  // Flags SEC_REDIRECTION_PKT
            0x00, 0x00,  // Length, filled in below
            0x07, 0x00, 0x00, 0x00,  // SessionID 7
            0x1F, 0x09, 0x00, 0x00,  // RedirFlags: NET_ADDRESS | LB_INFO | USERNAME | DOMAIN
            //   | PASSWORD | TARGET_FQDN | TARGET_NET_ADDRESSES
        ]
        packet += lengthPrefixed(utf16z("10.0.0.5"))  // TargetNetAddress
        packet += lengthPrefixed(lbInfo)  // LoadBalanceInfo
        packet += lengthPrefixed(utf16z("bob"))  // UserName
        packet += lengthPrefixed(utf16z("CORP"))  // Domain
        packet += lengthPrefixed(Array(repeating: 0xA5, count: 120))  // Password cookie
        packet += lengthPrefixed(utf16z("rdsh1.corp.example"))  // TargetFQDN
        packet += lengthPrefixed(addresses)  // TargetNetAddresses
        packet += Array(repeating: 0, count: 8)  // Pad
        packet[2] = UInt8(packet.count & 0xFF)
        packet[3] = UInt8(packet.count >> 8)
        let total = 6 + 2 + packet.count + 1
        return [
            UInt8(total & 0xFF), UInt8(total >> 8),  // totalLength
            0x1A, 0x00,  // pduType SERVER_REDIR_PKT, version 1
            0xEA, 0x03,  // pduSource
            0x00, 0x00,
        ] + packet + [0x00]  // pad2Octets, packet, pad1Octet
    }

    @Test("Enhanced Security Server Redirection: where the broker sends us")
    func serverRedirection() throws {
        let pdus = try ServerSharePDU.decodeAll(Self.redirection[...])
        guard case let .serverRedirection(packet)? = pdus.first, pdus.count == 1 else {
            Issue.record("expected a redirection, got \(pdus)")
            return
        }
        #expect(packet.sessionID == 7)
        #expect(packet.targetNetAddress == "10.0.0.5")
        #expect(packet.loadBalanceInfo == Array("Cookie: msts=3640205228.15629.0000\r\n".utf8))
        #expect(packet.userName == "bob")
        #expect(packet.domain == "CORP")
        #expect(packet.passwordLength == 120)
        #expect(packet.targetFQDN == "rdsh1.corp.example")
        #expect(packet.targetNetAddresses == ["10.0.0.5", "fe80::1"])
        #expect(packet.targetNetBIOSName == nil)
        // The broker's token goes back out in the next connection request.
        let request = X224ConnectionRequest(token: .routingToken(try #require(packet.loadBalanceInfo)))
        #expect(try X224ConnectionRequest.decode(try request.encode()[...]).token == request.token)
    }

    @Test("flow, compressed and unknown PDUs are kept by type")
    func others() throws {
        let flow: [UInt8] = [0x00, 0x80, 0x00, 0x42, 0x00, 0x00, 0xEA, 0x03]  // flowMarker, pad, type 0x42, id, number, source
        let compressed: [UInt8] = [
            0x14, 0x00, 0x17, 0x00, 0xEA, 0x03, 0xEA, 0x03, 0x01, 0x00, 0x00, 0x01,
            0x10, 0x00, 0x02, 0x21, 0x02, 0x00, 0xAA, 0xBB,
        ]  // UPDATE, PACKET_COMPRESSED
        let confirm: [UInt8] = [0x08, 0x00, 0x13, 0x00, 0xEA, 0x03, 0x01, 0x02]  // CONFIRMACTIVEPDU
        let pdus = try ServerSharePDU.decodeAll((flow + compressed + confirm)[...])
        #expect(pdus.count == 3)
        #expect(pdus.first == .flowControl(0x42))
        guard case let .data(header, body) = pdus[1] else {
            Issue.record("expected a data PDU")
            return
        }
        #expect(header.isCompressed)
        #expect(body == .compressed(.update))
        #expect(pdus.last == .other(.confirmActive, [0x01, 0x02]))
    }

    @Test("malformed share PDUs are refused, never crash")
    func malformed() {
        for vector in [Self.demandActive, Self.setErrorInfo, Self.deactivateAll, Self.redirection] {
            for length in 1..<vector.count {
                _ = try? ServerSharePDU.decodeAll(vector[0..<length])
            }
            forEachMutation(of: vector) { bytes in _ = try? ServerSharePDU.decodeAll(bytes[...]) }
        }
        expectEveryPrefixThrows(Self.demandActive) { bytes throws(WireError) in
            guard !bytes.isEmpty else { throw WireError(.invalidField(reason: "empty"), pdu: "", field: "") }
            _ = try ServerSharePDU.decodeAll(bytes)
        }
        #expect(throws: WireError.self) { _ = try ServerSharePDU.decodeAll([0x02, 0x00, 0x01, 0x00][...]) }
        var capability = Self.demandActive
        capability[24] = 0x00  // lengthCapability 0 < header
        #expect(throws: WireError.self) { _ = try ServerSharePDU.decodeAll(capability[...]) }
        var redirect = Self.redirection
        redirect[22] = 0xFF  // TargetNetAddressLength far past the end
        redirect[23] = 0xFF
        #expect(throws: WireError.self) { _ = try ServerSharePDU.decodeAll(redirect[...]) }
        var marker = Self.redirection
        marker[9] = 0x08  // Flags is not SEC_REDIRECTION_PKT
        #expect(throws: WireError.self) { _ = try ServerSharePDU.decodeAll(marker[...]) }
    }
}
