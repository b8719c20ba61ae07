import RDPWire

/// The HTTP around MS-TSGU (3.3.5.1): the client's RDG_OUT_DATA / RDG_IN_DATA
/// requests, and the head of the gateway's answer.
public enum GatewayHTTP {
    public static let path = "/remoteDesktopGateway/"
    /// The most of a response head read.
    public static let maximumHead = 16 * 1024

    /// A request head. `authorization` is a whole header value ("NTLM <base64>");
    /// `webSocketKey` asks for the upgrade.
    public static func request(
        method: String, host: String, connectionID: String, authorization: String?,
        webSocketKey: String?, chunkedBody: Bool = false
    ) -> [UInt8] {
        var lines = [
            "\(method) \(path) HTTP/1.1",
            "Host: \(host)",
            "Accept: */*",
            "Cache-Control: no-cache",
            "Pragma: no-cache",
            "User-Agent: MS-RDGateway/1.0",
        ]
        if let webSocketKey {
            lines += [
                "Connection: Upgrade", "Upgrade: websocket", "Sec-WebSocket-Version: 13",
                "Sec-WebSocket-Key: \(webSocketKey)",
            ]
        } else {
            lines.append("Connection: Keep-Alive")
        }
        lines.append("RDG-Connection-Id: \(connectionID)")
        // The legacy IN channel's body: the client's packets, one chunk each, for as long as the tunnel lives.
        lines.append(chunkedBody ? "Transfer-Encoding: chunked" : "Content-Length: 0")
        if let authorization { lines.append("Authorization: \(authorization)") }
        return Array((lines.joined(separator: "\r\n") + "\r\n\r\n").utf8)
    }
}

extension GatewayHTTP {
    /// One packet as a chunk of the legacy IN channel's body (RFC 9112 7.1).
    public static func chunk(_ bytes: [UInt8]) -> [UInt8] {
        Array((String(bytes.count, radix: 16, uppercase: true) + "\r\n").utf8) + bytes + [0x0D, 0x0A]
    }

    /// The legacy RPC-over-HTTP transport's first request ([MS-RPCH] 2.1.2.1),
    /// without credentials: IIS answers 401 with its schemes when rpcproxy.dll is there.
    public static func rpcInDataRequest(host: String) -> [UInt8] {
        let lines = [
            "RPC_IN_DATA /rpc/rpcproxy.dll?localhost:3388 HTTP/1.1",
            "Host: \(host)",
            "Accept: application/rpc",
            "Cache-Control: no-cache",
            "Pragma: no-cache",
            "User-Agent: MSRPC",
            "Connection: Keep-Alive",
            "Content-Length: 0",
        ]
        return Array((lines.joined(separator: "\r\n") + "\r\n\r\n").utf8)
    }

    /// The random bytes a gateway sends after the legacy OUT channel's 200 head, before its first packet.
    public static let legacySeedLength = 10
}

/// The head of an HTTP response: status, reason and every header (bounded).
public struct HTTPResponseHead: Sendable, Equatable {
    public let status: Int
    public let reason: String
    public let headers: [(name: String, value: String)]

    public static func == (a: Self, b: Self) -> Bool {
        a.status == b.status && a.reason == b.reason && a.headers.elementsEqual(b.headers) { $0 == $1 }
    }

    /// The values of every header with this name (case-insensitive).
    public func values(_ name: String) -> [String] {
        let lower = name.lowercased()
        return headers.filter { $0.name.lowercased() == lower }.map(\.value)
    }

    public func value(_ name: String) -> String? { values(name).first }

    /// The schemes of the WWW-Authenticate headers ("NTLM", "Negotiate", "Basic"…).
    public var authenticationSchemes: [String] {
        values("WWW-Authenticate").compactMap { $0.split(separator: " ").first.map(String.init) }
    }

    /// The token of a WWW-Authenticate header with this scheme, if it has one.
    public func authenticationToken(scheme: String) -> String? {
        for value in values("WWW-Authenticate") {
            let parts = value.split(separator: " ", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == scheme.lowercased() {
                return parts[1].trimmingBlanks()
            }
        }
        return nil
    }

    /// Where the head ends (just past the blank line), if it has arrived.
    public static func end(of bytes: ArraySlice<UInt8>) -> Int? {
        guard bytes.count >= 4 else { return nil }
        var i = bytes.startIndex + 3
        while i < bytes.endIndex {
            if bytes[i - 3] == 0x0D && bytes[i - 2] == 0x0A && bytes[i - 1] == 0x0D && bytes[i] == 0x0A {
                return i + 1
            }
            i += 1
        }
        return nil
    }

    /// Reads a complete head; a `WireError` when it is not HTTP.
    public init(_ head: ArraySlice<UInt8>) throws(WireError) {
        let text = String(decoding: head, as: UTF8.self)
        let lines = text.split(separator: "\r\n", omittingEmptySubsequences: true)
        guard let statusLine = lines.first, statusLine.hasPrefix("HTTP/1.") else {
            throw WireError(
                .invalidField(reason: "is not an HTTP/1.x status line"), pdu: "HTTP response",
                field: "status line")
        }
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, let status = Int(parts[1]), (100...999).contains(status) else {
            throw WireError(.invalidField(reason: "has no status code"), pdu: "HTTP response", field: "status line")
        }
        self.status = status
        reason = parts.count > 2 ? String(parts[2].prefix(80)) : ""
        var headers: [(String, String)] = []
        for line in lines.dropFirst().prefix(100) {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.append(
                (
                    String(line[..<colon].prefix(80)),
                    String(line[line.index(after: colon)...].trimmingBlanks().prefix(8192))
                ))
        }
        self.headers = headers
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs. Finds both ends in place:
    /// reversing a long header value twice cost more than the rest of the head.
    func trimmingBlanks() -> String {
        let blank: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !blank($0) }), let last = lastIndex(where: { !blank($0) }) else { return "" }
        return String(self[first...last])
    }
}
