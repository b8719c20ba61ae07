import Crypto
import RDPWire

/// RFC 6455 framing as MS-TSGU's WebSocket transport uses it: binary frames,
/// the client's masked, the gateway's not.
public enum WebSocket {
    public struct Opcode: RawRepresentable, Hashable, Sendable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        public static let continuation = Opcode(rawValue: 0x0)
        public static let text = Opcode(rawValue: 0x1)
        public static let binary = Opcode(rawValue: 0x2)
        public static let close = Opcode(rawValue: 0x8)
        public static let ping = Opcode(rawValue: 0x9)
        public static let pong = Opcode(rawValue: 0xA)
    }

    public struct Frame: Sendable, Equatable {
        public let fin: Bool
        public let opcode: Opcode
        public let payload: [UInt8]
    }

    /// The largest frame payload read (a TSGU packet fits with room to spare).
    public static let maximumPayload = 128 * 1024

    /// One client frame, masked with `mask` (4 bytes).
    public static func clientFrame(_ payload: [UInt8], opcode: Opcode = .binary, mask: [UInt8]) -> [UInt8] {
        precondition(mask.count == 4, "a WebSocket mask is 4 bytes")
        var w = ByteWriter(capacity: payload.count + 14)
        w.u8(0x80 | opcode.rawValue)
        if payload.count < 126 {
            w.u8(0x80 | UInt8(payload.count))
        } else if payload.count <= 0xFFFF {
            w.u8(0x80 | 126)
            w.u16BE(UInt16(payload.count))
        } else {
            w.u8(0x80 | 127)
            w.u32BE(0)
            w.u32BE(UInt32(payload.count))
        }
        w.append(mask)
        w.append(payload.enumerated().map { $0.element ^ mask[$0.offset & 3] })
        return w.bytes
    }

    /// Sec-WebSocket-Accept for a Sec-WebSocket-Key (RFC 6455 4.2.2).
    public static func accept(key: String) -> String {
        let digest = Insecure.SHA1.hash(data: Array((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").utf8))
        return Base64.encode(Array(digest))
    }
}

/// Reads the gateway's frames from a byte stream; a frame longer than
/// `WebSocket.maximumPayload` is a `WireError` before anything is allocated.
public struct WebSocketDecoder: Sendable {
    private var buffer: [UInt8] = []
    public init() {}

    public mutating func append(_ bytes: some Sequence<UInt8>) { buffer.append(contentsOf: bytes) }

    public mutating func next() throws(WireError) -> WebSocket.Frame? {
        guard buffer.count >= 2 else { return nil }
        let b0 = buffer[0]
        let b1 = buffer[1]
        guard b0 & 0x70 == 0 else {
            throw WireError(
                .invalidField(reason: "has reserved bits set (no extension was negotiated)"),
                pdu: "WebSocket frame", field: "RSV")
        }
        var offset = 2
        var length = Int(b1 & 0x7F)
        if length == 126 {
            guard buffer.count >= 4 else { return nil }
            length = Int(buffer[2]) << 8 | Int(buffer[3])
            offset = 4
        } else if length == 127 {
            guard buffer.count >= 10 else { return nil }
            var value: UInt64 = 0
            for byte in buffer[2..<10] { value = value << 8 | UInt64(byte) }
            guard value <= UInt64(WebSocket.maximumPayload) else {
                throw WireError(
                    .tooLarge(value: Int(clamping: value), limit: WebSocket.maximumPayload),
                    pdu: "WebSocket frame", field: "payload length")
            }
            length = Int(value)
            offset = 10
        }
        guard length <= WebSocket.maximumPayload else {
            throw WireError(
                .tooLarge(value: length, limit: WebSocket.maximumPayload), pdu: "WebSocket frame",
                field: "payload length")
        }
        let masked = b1 & 0x80 != 0
        let mask: [UInt8] = masked ? (buffer.count >= offset + 4 ? Array(buffer[offset..<offset + 4]) : []) : []
        if masked {
            guard mask.count == 4 else { return nil }
            offset += 4
        }
        guard buffer.count >= offset + length else { return nil }
        var payload = Array(buffer[offset..<offset + length])
        if masked { for i in payload.indices { payload[i] ^= mask[i & 3] } }
        buffer.removeFirst(offset + length)
        return WebSocket.Frame(fin: b0 & 0x80 != 0, opcode: WebSocket.Opcode(rawValue: b0 & 0x0F), payload: payload)
    }
}

/// Base64 (RFC 4648) for HTTP headers, without Foundation.
public enum Base64 {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    public static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var i = 0
        while i < bytes.count {
            let n = min(3, bytes.count - i)
            let b0 = bytes[i]
            let b1 = n > 1 ? bytes[i + 1] : 0
            let b2 = n > 2 ? bytes[i + 2] : 0
            out.append(alphabet[Int(b0 >> 2)])
            out.append(alphabet[Int((b0 & 0x3) << 4 | b1 >> 4)])
            out.append(n > 1 ? alphabet[Int((b1 & 0xF) << 2 | b2 >> 6)] : UInt8(ascii: "="))
            out.append(n > 2 ? alphabet[Int(b2 & 0x3F)] : UInt8(ascii: "="))
            i += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// nil when the text is not base64.
    public static func decode(_ text: some StringProtocol) -> [UInt8]? {
        var values: [UInt8] = []
        for c in text.utf8 {
            switch c {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): values.append(c - UInt8(ascii: "A"))
            case UInt8(ascii: "a")...UInt8(ascii: "z"): values.append(c - UInt8(ascii: "a") + 26)
            case UInt8(ascii: "0")...UInt8(ascii: "9"): values.append(c - UInt8(ascii: "0") + 52)
            case UInt8(ascii: "+"): values.append(62)
            case UInt8(ascii: "/"): values.append(63)
            case UInt8(ascii: "="): continue
            default: return nil
            }
        }
        guard values.count % 4 != 1 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(values.count * 3 / 4)
        var i = 0
        while i + 1 < values.count {
            out.append(values[i] << 2 | values[i + 1] >> 4)
            if i + 2 < values.count { out.append(values[i + 1] << 4 | values[i + 2] >> 2) }
            if i + 3 < values.count { out.append(values[i + 2] << 6 | values[i + 3]) }
            i += 4
        }
        return out
    }
}
