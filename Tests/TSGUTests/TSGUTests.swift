import RDPWire
import Testing

@testable import TSGU

@Suite("MS-TSGU packets, WebSocket frames and HTTP heads")
struct TSGUTests {
    @Test("HANDSHAKE_REQUEST: header (type 1, length 14), version 1.0, client version 0, no extended auth")
    func handshakeRequest() {
        #expect(
            TSGU.handshakeRequest() == [
                0x01, 0x00, 0x00, 0x00, 0x0E, 0x00, 0x00, 0x00,
                0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
            ])
    }

    @Test("TUNNEL_AUTH and CHANNEL_CREATE carry NUL-terminated UTF-16LE names")
    func namesAreUTF16() {
        let auth = TSGU.tunnelAuth(clientName: "ab")
        // header, fieldsPresent 0, length 6, "a\0b\0\0\0"
        #expect(auth == [0x06, 0, 0, 0, 18, 0, 0, 0, 0, 0, 6, 0, 0x61, 0, 0x62, 0, 0, 0])
        let channel = TSGU.channelCreate(host: "h", port: 3389)
        // 1 resource, 0 alternates, port 3389, protocol 3, length 4, "h\0\0\0"
        #expect(channel == [0x08, 0, 0, 0, 20, 0, 0, 0, 1, 0, 0x3D, 0x0D, 3, 0, 4, 0, 0x68, 0, 0, 0])
    }

    @Test("DATA wraps the bytes with their length; the framer gives them back, across split reads")
    func dataRoundTrip() throws {
        let packet = TSGU.data([1, 2, 3][...])
        #expect(packet == [0x0A, 0, 0, 0, 13, 0, 0, 0, 3, 0, 1, 2, 3])
        var framer = TSGUFramer()
        framer.append(packet.prefix(5))
        #expect(try framer.next() == nil)
        framer.append(packet.dropFirst(5) + TSGU.keepalive())
        let first = try #require(try framer.next())
        #expect(first.type == .data)
        #expect(Array(try DataPacket.payload(first.body)) == [1, 2, 3])
        #expect(try framer.next()?.type == .keepalive)
        #expect(framer.buffered == 0)
    }

    @Test("a declared packet length below the header or above 64 KiB is a WireError, not an allocation")
    func framerBounds() {
        var small = TSGUFramer()
        small.append([0x02, 0, 0, 0, 4, 0, 0, 0])
        #expect(throws: WireError.self) { try small.next() }
        var huge = TSGUFramer()
        huge.append([0x0A, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0x7F])
        #expect(throws: WireError.self) { try huge.next() }
    }

    @Test("the gateway's answers as the testbed's gateway.py sends them")
    func responses() throws {
        // HANDSHAKE_RESPONSE: error 0, version 1.0, server version 0, extended auth 0
        let handshake = try HandshakeResponse([0, 0, 0, 0, 1, 0, 0, 0, 0, 0])
        #expect(handshake.result.failed == false && handshake.versionMajor == 1)
        // TUNNEL_RESPONSE: server version 0, status 0, fields 3, tunnel id 7, caps 3
        let tunnel = try TunnelResponse([0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 7, 0, 0, 0, 3, 0, 0, 0])
        #expect(tunnel.tunnelID == 7 && tunnel.capabilities == 3)
        // TUNNEL_AUTH_RESPONSE: error 0, fields 3, redirection flags 0, idle timeout 30
        let auth = try TunnelAuthResponse([0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 30, 0, 0, 0])
        #expect(auth.idleTimeoutMinutes == 30 && auth.redirectionFlags == 0)
        // TUNNEL_AUTH_RESPONSE refused: E_PROXY_NAP_ACCESSDENIED, no fields
        let refused = try TunnelAuthResponse([0xDB, 0x59, 0x07, 0x80, 0, 0, 0, 0])
        #expect(refused.result.rawValue == 0x8007_59DB && refused.result.failed)
        // CHANNEL_RESPONSE: E_PROXY_RAP_ACCESSDENIED
        let channel = try ChannelResponse([0xDA, 0x59, 0x07, 0x80, 0, 0, 0, 0])
        #expect(channel.result.hex == "0x800759DA" && channel.channelID == nil)
        #expect(throws: WireError.self) { try ChannelResponse([0, 0, 0]) }
        #expect(throws: WireError.self) { try TunnelResponse([0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 7]) }
    }

    @Test("WebSocket: RFC 6455's accept example, masked client frames, the gateway's frames read back")
    func webSocket() throws {
        #expect(WebSocket.accept(key: "dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
        let frame = WebSocket.clientFrame([1, 2, 3, 4, 5], mask: [0xA, 0xB, 0xC, 0xD])
        let expected: [UInt8] = [0x82, 0x85, 0x0A, 0x0B, 0x0C, 0x0D, 0x0B, 0x09, 0x0F, 0x09, 0x0F]  // 1^A 2^B 3^C 4^D 5^A
        #expect(frame == expected)
        var decoder = WebSocketDecoder()
        decoder.append(frame)  // a masked frame decodes too
        #expect(try decoder.next()?.payload == [1, 2, 3, 4, 5])
        let long = [UInt8](repeating: 7, count: 300)
        decoder.append([0x82, 126, 0x01, 0x2C] + long.prefix(100))
        #expect(try decoder.next() == nil)
        decoder.append(long.dropFirst(100))
        let read = try #require(try decoder.next())
        #expect(read.opcode == .binary && read.fin && read.payload == long)
        var huge = WebSocketDecoder()
        huge.append([0x82, 127, 0, 0, 0, 1, 0, 0, 0, 0])
        #expect(throws: WireError.self) { try huge.next() }
    }

    @Test("base64 both ways")
    func base64() {
        #expect(Base64.encode(Array("any carnal pleas".utf8)) == "YW55IGNhcm5hbCBwbGVhcw==")
        #expect(Base64.decode("YW55IGNhcm5hbCBwbGVhc3U=") == Array("any carnal pleasu".utf8))
        #expect(Base64.decode("not base64!") == nil)
    }

    @Test("HTTP: the request head, and a 401 head with its schemes and NTLM token")
    func http() throws {
        let request = String(
            decoding: GatewayHTTP.request(
                method: "RDG_OUT_DATA", host: "gw", connectionID: "{x}",
                authorization: "NTLM TlRMTVNTUAAB", webSocketKey: "k"),
            as: UTF8.self)
        #expect(request.hasPrefix("RDG_OUT_DATA /remoteDesktopGateway/ HTTP/1.1\r\nHost: gw\r\n"))
        #expect(request.contains("\r\nUpgrade: websocket\r\n") && request.contains("\r\nRDG-Connection-Id: {x}\r\n"))
        #expect(request.hasSuffix("Authorization: NTLM TlRMTVNTUAAB\r\n\r\n"))
        let bytes = Array(
            "HTTP/1.1 401 Unauthorized\r\nServer: Microsoft-HTTPAPI/2.0\r\nWWW-Authenticate: NTLM abc=\r\nwww-authenticate: Negotiate\r\nContent-Length: 0\r\n\r\nrest"
                .utf8)
        let end = try #require(HTTPResponseHead.end(of: bytes[...]))
        #expect(end == bytes.count - 4)
        let head = try HTTPResponseHead(bytes[..<end])
        #expect(head.status == 401 && head.reason == "Unauthorized")
        #expect(head.authenticationSchemes == ["NTLM", "Negotiate"])
        #expect(head.authenticationToken(scheme: "ntlm") == "abc=")
        #expect(head.value("server") == "Microsoft-HTTPAPI/2.0")
        #expect(throws: WireError.self) { try HTTPResponseHead(Array("SSH-2.0-x\r\n\r\n".utf8)[...]) }
        // Values lose the spaces and tabs around them, and only those.
        let padded = try HTTPResponseHead(
            Array("HTTP/1.1 200 OK\r\nServer:\t IIS 10 \t\r\nX-Blank: \t \r\nX-Inner: a \t b\r\n\r\n".utf8)[...])
        #expect(padded.value("server") == "IIS 10")
        #expect(padded.value("x-blank") == "")
        #expect(padded.value("x-inner") == "a \t b")
    }
}
