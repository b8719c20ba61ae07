import RDPProtocol
import RDPWire
import Testing

@Suite("X.224 connection request")
struct X224ConnectionRequestTests {
    @Test("matches the annotated request of MS-RDPBCGR 4.1.1")
    func specExample() throws {
        let expected: [UInt8] = [
            0x03, 0x00, 0x00, 0x2C,  // TPKT: version 3, reserved, length 44
            0x27,  // X.224 length indicator 39
            0xE0,  // CR TPDU code, credit 0
            0x00, 0x00,  // DST-REF
            0x00, 0x00,  // SRC-REF
            0x00,  // class 0
            0x43, 0x6F, 0x6F, 0x6B, 0x69, 0x65, 0x3A, 0x20,  // "Cookie: "
            0x6D, 0x73, 0x74, 0x73, 0x68, 0x61, 0x73, 0x68,  // "mstshash"
            0x3D, 0x65, 0x6C, 0x74, 0x6F, 0x6E, 0x73,  // "=eltons"
            0x0D, 0x0A,  // CR LF
            0x01,  // RDP_NEG_REQ type
            0x00,  // flags
            0x08, 0x00,  // length 8
            0x00, 0x00, 0x00, 0x00,  // requestedProtocols PROTOCOL_RDP
        ]
        let request = X224ConnectionRequest(token: .cookie("eltons"), requestedProtocols: .rdp)
        #expect(try request.encode() == expected)
        #expect(try X224ConnectionRequest.decode(expected[...]) == request)
    }

    @Test("requests TLS and CredSSP with restricted admin, no cookie")
    func protocolsAndFlags() throws {
        let request = X224ConnectionRequest(
            requestedProtocols: [.ssl, .hybrid, .hybridEx],
            flags: [.restrictedAdminModeRequired])
        let bytes = try request.encode()
        #expect(
            bytes == [
                0x03, 0x00, 0x00, 0x13,  // TPKT length 19
                0x0E, 0xE0, 0x00, 0x00, 0x00, 0x00, 0x00,  // X.224 CR, LI 14
                0x01, 0x01, 0x08, 0x00,  // RDP_NEG_REQ, RESTRICTED_ADMIN_MODE_REQUIRED, length 8
                0x0B, 0x00, 0x00, 0x00,  // SSL | HYBRID | HYBRID_EX
            ])
        #expect(try X224ConnectionRequest.decode(bytes[...]) == request)
    }

    @Test("carries a routing token and correlation info")
    func routingTokenAndCorrelation() throws {
        let token = Array("Cookie: msts=3640205228.15629.0000\r\n".utf8)
        let id: [UInt8] = Array(1...16)
        let request = X224ConnectionRequest(
            token: .routingToken(token), requestedProtocols: [.ssl],
            correlationID: id)
        let bytes = try request.encode()
        #expect(bytes.count == 4 + 7 + token.count + 8 + 36)
        #expect(bytes[11 + token.count + 1] == 0x08)  // CORRELATION_INFO_PRESENT added
        #expect(Array(bytes[(11 + token.count + 8)..<(11 + token.count + 12)]) == [0x06, 0x00, 0x24, 0x00])
        #expect(try X224ConnectionRequest.decode(bytes[...]) == request)
    }

    @Test("a legacy request has no negotiation data")
    func legacy() throws {
        let request = X224ConnectionRequest(token: .cookie("a"), requestedProtocols: nil)
        let bytes = try request.encode()
        #expect(bytes.count == 11 + "Cookie: mstshash=a\r\n".utf8.count)
        #expect(try X224ConnectionRequest.decode(bytes[...]) == request)
    }

    @Test("invalid inputs are refused")
    func invalid() {
        #expect(throws: WireError.self) { _ = try X224ConnectionRequest(token: .cookie("a\r\nb")).encode() }
        #expect(throws: WireError.self) { _ = try X224ConnectionRequest(correlationID: [1, 2]).encode() }
        #expect(throws: WireError.self) {
            _ = try X224ConnectionRequest(token: .routingToken(Array(repeating: 0x41, count: 300))).encode()
        }
    }
}

@Suite("X.224 connection confirm")
struct X224ConnectionConfirmTests {
    /// MS-RDPBCGR 4.1.2.
    static let specConfirm: [UInt8] = [
        0x03, 0x00, 0x00, 0x13,  // TPKT: version 3, reserved, length 19
        0x0E,  // X.224 length indicator 14
        0xD0,  // CC TPDU code
        0x00, 0x00,  // DST-REF
        0x12, 0x34,  // SRC-REF
        0x00,  // class 0
        0x02,  // RDP_NEG_RSP type
        0x00,  // flags
        0x08, 0x00,  // length 8
        0x00, 0x00, 0x00, 0x00,  // selectedProtocol PROTOCOL_RDP
    ]

    @Test("decodes the annotated confirm of MS-RDPBCGR 4.1.2")
    func specExample() throws {
        let confirm = try X224ConnectionConfirm.decode(Self.specConfirm[...])
        #expect(confirm.result == .negotiated(flags: [], selectedProtocol: .rdp))
    }

    @Test("decodes a CredSSP selection with flags")
    func hybrid() throws {
        let bytes: [UInt8] = [
            0x03, 0x00, 0x00, 0x13,  // TPKT length 19
            0x0E, 0xD0, 0x00, 0x00, 0x12, 0x34, 0x00,  // X.224 CC
            0x02,  // RDP_NEG_RSP
            0x1F,  // EXTENDED_CLIENT_DATA | GFX | reserved | RESTRICTED_ADMIN | REDIRECTED_AUTH
            0x08, 0x00,  // length 8
            0x02, 0x00, 0x00, 0x00,  // PROTOCOL_HYBRID
        ]
        let confirm = try X224ConnectionConfirm.decode(bytes[...])
        #expect(
            confirm.result
                == .negotiated(
                    flags: [
                        .extendedClientDataSupported, .dynvcGFXProtocolSupported, .reserved,
                        .restrictedAdminModeSupported, .redirectedAuthenticationModeSupported,
                    ],
                    selectedProtocol: .hybrid))
        #expect(
            confirm.encode() == [
                0x03, 0x00, 0x00, 0x13, 0x0E, 0xD0, 0x00, 0x00, 0x12, 0x34, 0x00,
                0x02, 0x1F, 0x08, 0x00, 0x02, 0x00, 0x00, 0x00,
            ])
    }

    @Test("decodes a negotiation failure, keeping unknown codes")
    func failure() throws {
        let bytes: [UInt8] = [
            0x03, 0x00, 0x00, 0x13,  // TPKT length 19
            0x0E, 0xD0, 0x00, 0x00, 0x12, 0x34, 0x00,  // X.224 CC
            0x03,  // RDP_NEG_FAILURE
            0x00,  // flags
            0x08, 0x00,  // length 8
            0x05, 0x00, 0x00, 0x00,  // HYBRID_REQUIRED_BY_SERVER
        ]
        let confirm = try X224ConnectionConfirm.decode(bytes[...])
        #expect(confirm.result == .failed(.hybridRequiredByServer))

        var unknown = bytes
        unknown[15] = 0x42
        let kept = try X224ConnectionConfirm.decode(unknown[...])
        #expect(kept.result == .failed(NegotiationFailureCode(rawValue: 0x42)))
    }

    @Test("an old server sends no negotiation data")
    func legacy() throws {
        let bytes: [UInt8] = [
            0x03, 0x00, 0x00, 0x0B,  // TPKT length 11
            0x06, 0xD0, 0x00, 0x00, 0x12, 0x34, 0x00,  // X.224 CC, LI 6, nothing after
        ]
        #expect(try X224ConnectionConfirm.decode(bytes[...]).result == .noNegotiationData)
        #expect(X224ConnectionConfirm(result: .noNegotiationData).encode() == bytes)
    }

    @Test("a TPKT length beyond the data names both numbers")
    func hugeLength() {
        let bytes = withTPKTLength(Self.specConfirm, 0xFFFF)
        #expect {
            _ = try X224ConnectionConfirm.decode(bytes[...])
        } throws: { error in
            "\(error)" == "X.224 connection confirm: TPKT length 65535 exceeds the 19 bytes received"
        }
    }

    @Test("wrong codes, types and lengths are typed errors")
    func malformed() {
        var wrongCode = Self.specConfirm
        wrongCode[5] = 0xE0
        #expect {
            _ = try X224ConnectionConfirm.decode(wrongCode[...])
        } throws: { error in
            (error as? WireError)?.field == "TPDU code"
        }
        var wrongType = Self.specConfirm
        wrongType[11] = 0x01
        #expect(throws: WireError.self) { _ = try X224ConnectionConfirm.decode(wrongType[...]) }
        var wrongNegLength = Self.specConfirm
        wrongNegLength[13] = 0x10
        #expect(throws: WireError.self) { _ = try X224ConnectionConfirm.decode(wrongNegLength[...]) }
        var wrongIndicator = Self.specConfirm
        wrongIndicator[4] = 0x20
        #expect(throws: WireError.self) { _ = try X224ConnectionConfirm.decode(wrongIndicator[...]) }
        var wrongVersion = Self.specConfirm
        wrongVersion[0] = 0x04
        #expect(throws: WireError.self) { _ = try X224ConnectionConfirm.decode(wrongVersion[...]) }
        let shortTPKT = withTPKTLength(Self.specConfirm, 3)
        #expect(throws: WireError.self) { _ = try X224ConnectionConfirm.decode(shortTPKT[...]) }
    }

    @Test("every truncation is refused")
    func truncations() {
        expectEveryPrefixThrows(Self.specConfirm) { bytes throws(WireError) in
            _ = try X224ConnectionConfirm.decode(bytes)
        }
        forEachTruncatedFrame(Self.specConfirm) { frame in
            // Only the bare 11-byte form is valid, and only with a matching indicator.
            #expect(throws: WireError.self) { _ = try X224ConnectionConfirm.decode(frame[...]) }
        }
    }

    @Test("mutations never crash")
    func mutations() {
        forEachMutation(of: Self.specConfirm) { bytes in
            _ = try? X224ConnectionConfirm.decode(bytes[...])
            _ = try? X224ConnectionRequest.decode(bytes[...])
        }
    }
}
