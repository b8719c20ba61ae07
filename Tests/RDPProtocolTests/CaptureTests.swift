import RDPProtocol
import RDPWire
import Testing

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Reads the X.224 exchange out of a real Windows 7 → Server 2008 R2 capture.
/// Everything after the confirm is TLS, so only the first PDU each way is used.
@Suite("Real capture")
struct CaptureTests {
    static let path = "/work/shared/captures/windows/nla_win7_win2k8r2.pcap"

    /// TCP payloads of a classic little-endian Ethernet/IPv4 pcap, in capture
    /// order, split by direction relative to port 3389. Test-only and trusting:
    /// a malformed file makes it stop early, not crash.
    static func tcpStreams(_ file: [UInt8]) -> (client: [UInt8], server: [UInt8]) {
        func u16BE(_ i: Int) -> Int { Int(file[i]) << 8 | Int(file[i + 1]) }
        func u32LE(_ i: Int) -> Int { (0..<4).reduce(0) { $0 | Int(file[i + $1]) << (8 * $1) } }
        var client: [UInt8] = []
        var server: [UInt8] = []
        guard file.count >= 24, u32LE(0) == 0xA1B2_C3D4, u32LE(20) == 1 else { return ([], []) }
        var offset = 24
        while offset + 16 <= file.count {
            let captured = u32LE(offset + 8)
            let packet = offset + 16
            offset = packet + captured
            guard offset <= file.count, captured >= 14 + 20, u16BE(packet + 12) == 0x0800 else { continue }
            let ip = packet + 14
            let headerLength = Int(file[ip] & 0x0F) * 4
            let totalLength = u16BE(ip + 2)
            guard file[ip + 9] == 6, ip + totalLength <= offset, totalLength >= headerLength + 20 else { continue }
            let tcp = ip + headerLength
            let dataStart = tcp + Int(file[tcp + 12] >> 4) * 4
            let payload = file[dataStart..<(ip + totalLength)]
            if u16BE(tcp) == 3389 { server += payload } else if u16BE(tcp + 2) == 3389 { client += payload }
        }
        return (client, server)
    }

    @Test(
        "the X.224 request and confirm decode, then TLS begins",
        .enabled(if: FileManager.default.fileExists(atPath: path)))
    func x224FromCapture() throws {
        let file = try #require(FileManager.default.contents(atPath: Self.path))
        let streams = Self.tcpStreams(Array(file))

        var clientFramer = TPKTFramer()
        clientFramer.append(streams.client)
        guard case let .frame(.tpkt, requestBytes) = try clientFramer.next() else {
            Issue.record("no connection request in the capture")
            return
        }
        let request = try X224ConnectionRequest.decode(requestBytes[...])
        #expect(request.token == .cookie("AWAKECODI"))
        #expect(request.requestedProtocols == [.ssl, .hybrid])

        var serverFramer = TPKTFramer()
        serverFramer.append(streams.server)
        guard case let .frame(.tpkt, confirmBytes) = try serverFramer.next() else {
            Issue.record("no connection confirm in the capture")
            return
        }
        let confirm = try X224ConnectionConfirm.decode(confirmBytes[...])
        #expect(confirm.result == .negotiated(flags: [.extendedClientDataSupported], selectedProtocol: .hybrid))

        // The next server bytes are the TLS handshake, which the framer names.
        #expect(throws: WireError(.unexpectedProtocol(.tls), pdu: "TPKT framing", field: "first byte")) {
            _ = try serverFramer.next()
        }
    }
}
