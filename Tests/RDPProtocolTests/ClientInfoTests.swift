import RDPProtocol
import RDPWire
import Testing

@Suite("Client Info PDU")
struct ClientInfoTests {
    @Test("a no-credentials probe: empty strings, no password, Unicode flags")
    func probe() throws {
        let bytes = try ClientInfoPDU().encode()
        let expectedStart: [UInt8] = [
            0x40, 0x00, 0x00, 0x00,  // security header: SEC_INFO_PKT, flagsHi 0
            0x00, 0x00, 0x00, 0x00,  // CodePage 0
            0x73, 0x01, 0x03, 0x00,  // flags MOUSE | DISABLECTRLALTDEL | UNICODE | MAXIMIZESHELL
            //   | LOGONNOTIFY | ENABLEWINDOWSKEY | LOGONERRORS | MOUSE_HAS_WHEEL
            0x00, 0x00,  // cbDomain 0
            0x00, 0x00,  // cbUserName 0
            0x00, 0x00,  // cbPassword 0
            0x00, 0x00,  // cbAlternateShell 0
            0x00, 0x00,  // cbWorkingDir 0
            0x00, 0x00,  // Domain: terminator only
            0x00, 0x00,  // UserName: terminator only
            0x00, 0x00,  // Password: terminator only
            0x00, 0x00,  // AlternateShell: terminator only
            0x00, 0x00,  // WorkingDir: terminator only
            0x02, 0x00,  // clientAddressFamily AF_INET
            0x02, 0x00,  // cbClientAddress 2
            0x00, 0x00,  // clientAddress: terminator only
            0x02, 0x00,  // cbClientDir 2
            0x00, 0x00,  // clientDir: terminator only
        ]
        let expectedEnd: [UInt8] = [
            0x00, 0x00, 0x00, 0x00,  // clientSessionId 0
            0x07, 0x00, 0x00, 0x00,  // performanceFlags
            0x00, 0x00,  // cbAutoReconnectCookie 0
        ]
        #expect(bytes.count == expectedStart.count + 172 + expectedEnd.count)
        #expect(Array(bytes.prefix(expectedStart.count)) == expectedStart)
        #expect(Array(bytes[expectedStart.count..<(expectedStart.count + 172)]) == Array(repeating: 0, count: 172))
        #expect(Array(bytes.suffix(expectedEnd.count)) == expectedEnd)
        #expect(!ClientInfoFlags(rawValue: 0x0003_0173).contains(.autologon))
    }

    @Test("domain and user are UTF-16LE with lengths that exclude the terminator")
    func names() throws {
        var info = ClientInfoPDU()
        info.domain = "CORP"
        info.userName = "zoë"
        let bytes = try info.encode()
        #expect(Array(bytes[12..<16]) == [0x08, 0x00, 0x06, 0x00])  // cbDomain 8, cbUserName 6
        #expect(Array(bytes[22..<32]) == [0x43, 0x00, 0x4F, 0x00, 0x52, 0x00, 0x50, 0x00, 0x00, 0x00])
        #expect(Array(bytes[32..<40]) == [0x7A, 0x00, 0x6F, 0x00, 0xEB, 0x00, 0x00, 0x00])
    }

    @Test("is wrapped in a Send Data Request to the I/O channel")
    func framed() throws {
        let frame = try ClientInfoPDU().frame(userID: 1007, ioChannelID: 1003)
        guard case let .sendDataRequest(data) = try MCSDomainPDU.decode(frame: frame[...]) else {
            Issue.record("expected a send data request")
            return
        }
        #expect(data.initiator == 1007 && data.channelID == 1003)
        #expect(Array(data.userData) == (try ClientInfoPDU().encode()))
    }

    @Test("over-long fields are refused")
    func limits() {
        var info = ClientInfoPDU()
        info.domain = String(repeating: "d", count: 26)
        #expect(throws: WireError(.tooLarge(value: 54, limit: 52), pdu: "Client Info PDU", field: "Domain")) {
            _ = try info.encode()
        }
        info.domain = ""
        info.clientAddress = String(repeating: "1", count: 40)
        #expect(throws: WireError.self) { _ = try info.encode() }
    }
}
