import RDPWire

// The clear part of a TLS conversation as a capture shows it: the record
// layer, the handshake messages up to the point where encryption starts
// (ClientHello, ServerHello, and in TLS 1.2 the server's Certificate), and
// alerts sent in clear. Everything is read from bytes with bounds checks;
// anything that does not parse ends the reading with what was understood.

/// One side's TLS records, read as far as they are in clear.
public struct TLSStream: Sendable, Equatable {
    public struct Alert: Sendable, Equatable {
        public let level: UInt8
        public let description: UInt8
        /// Where in the TCP stream its record starts.
        public let offset: Int
    }

    public struct Handshake: Sendable, Equatable {
        public let type: UInt8
        public let body: [UInt8]
        /// Where in the TCP stream the record holding its first byte starts.
        public let offset: Int
    }

    public internal(set) var handshakes: [Handshake] = []
    public internal(set) var alerts: [Alert] = []
    /// Where the first encrypted record (ChangeCipherSpec onwards, or application data) starts.
    public internal(set) var encryptedFrom: Int?
    /// Bytes that are not TLS records at all (the reading stopped there).
    public internal(set) var notTLSAt: Int?
    /// Whole records read.
    public internal(set) var records = 0

    /// The largest TLS record: 2^14 plus expansion (RFC 8446 5.2).
    static let maximumRecord = (1 << 14) + 2048
    /// Handshake bytes kept (a chain of certificates fits easily).
    static let maximumHandshakeBytes = 256 * 1024

    /// Reads the records of `stream` starting at `start`.
    public static func read(_ stream: [UInt8], from start: Int) -> TLSStream {
        var result = TLSStream()
        var position = start
        var pending: [UInt8] = []  // handshake bytes not yet a whole message
        var pendingOffset = start
        while stream.count - position >= 5 {
            let type = stream[position]
            let major = stream[position + 1]
            let length = Int(stream[position + 3]) << 8 | Int(stream[position + 4])
            guard (20...23).contains(type), major == 3, length <= maximumRecord else {
                result.notTLSAt = position
                break
            }
            guard stream.count - position - 5 >= length else { break }  // the capture (or stream limit) ends inside it
            let body = Array(stream[(position + 5)..<(position + 5 + length)])
            result.records += 1
            if result.encryptedFrom != nil {
                position += 5 + length
                continue
            }
            switch type {
            case 20, 23:  // ChangeCipherSpec, application data: encrypted from here on
                result.encryptedFrom = position
            case 21 where body.count == 2:
                result.alerts.append(Alert(level: body[0], description: body[1], offset: position))
            case 21:
                result.encryptedFrom = position  // an encrypted alert
            case 22:
                if pending.isEmpty { pendingOffset = position }
                if pending.count + body.count <= maximumHandshakeBytes { pending += body }
                while pending.count >= 4 {
                    let messageLength = Int(pending[1]) << 16 | Int(pending[2]) << 8 | Int(pending[3])
                    guard pending.count >= 4 + messageLength else { break }
                    result.handshakes.append(
                        Handshake(
                            type: pending[0], body: Array(pending[4..<(4 + messageLength)]),
                            offset: pendingOffset))
                    pending.removeFirst(4 + messageLength)
                    pendingOffset = position
                }
            // TLS 1.3: after the ServerHello everything is encrypted (wrapped as application data).
            default:
                break
            }
            position += 5 + length
        }
        return result
    }

    public var clientHello: ClientHello? {
        handshakes.first { $0.type == 1 }.flatMap { ClientHello(parsing: $0.body) }
    }

    public var serverHello: ServerHello? {
        handshakes.first { $0.type == 2 }.flatMap { ServerHello(parsing: $0.body) }
    }

    /// The server's certificates in DER, when they went in clear (TLS 1.2 and earlier).
    public var certificateChain: [[UInt8]]? {
        guard let message = handshakes.first(where: { $0.type == 11 }) else { return nil }
        var reader = ByteReader(message.body, pdu: "TLS Certificate")
        guard let high = try? reader.u8("length"), let low = try? reader.u16BE("length"),
            var list = try? reader.subReader(length: Int(high) << 16 | Int(low), "certificate_list")
        else { return nil }
        var chain: [[UInt8]] = []
        while !list.isAtEnd, chain.count < 32 {
            guard let high = try? list.u8("length"), let low = try? list.u16BE("length"),
                let der = try? list.bytes(Int(high) << 16 | Int(low), "certificate")
            else { return chain }
            chain.append(Array(der))
        }
        return chain
    }
}

/// What a ClientHello asks for.
public struct ClientHello: Sendable, Equatable {
    public let legacyVersion: UInt16
    /// From supported_versions (TLS 1.3 clients), highest preference first.
    public let supportedVersions: [UInt16]
    public let serverName: String?
    public let cipherSuiteCount: Int

    init?(parsing body: [UInt8]) {
        var reader = ByteReader(body, pdu: "ClientHello")
        guard let version = try? reader.u16BE("legacy_version"), (try? reader.skip(32, "random")) != nil,
            let sessionLength = try? reader.u8("session_id"), (try? reader.skip(Int(sessionLength), "session_id")) != nil,
            let suitesLength = try? reader.u16BE("cipher_suites"), (try? reader.skip(Int(suitesLength), "cipher_suites")) != nil,
            let compressionLength = try? reader.u8("compression"), (try? reader.skip(Int(compressionLength), "compression")) != nil
        else { return nil }
        legacyVersion = version
        cipherSuiteCount = Int(suitesLength) / 2
        var versions: [UInt16] = []
        var name: String?
        for (type, data) in Extensions.read(&reader) {
            var ext = ByteReader(data, pdu: "extension")
            if type == 43, let count = try? ext.u8("versions") {
                for _ in 0..<(Int(count) / 2) { if let v = try? ext.u16BE("version") { versions.append(v) } }
            } else if type == 0, (try? ext.u16BE("list")) != nil, (try? ext.u8("name type")) == 0,
                let length = try? ext.u16BE("name"), let bytes = try? ext.bytes(Int(length), "name")
            {
                name = String(decoding: bytes.filter { $0 >= 0x20 && $0 < 0x7F }, as: UTF8.self)
            }
        }
        supportedVersions = versions
        serverName = name
    }
}

/// What the server chose.
public struct ServerHello: Sendable, Equatable {
    public let legacyVersion: UInt16
    public let cipherSuite: UInt16
    /// The negotiated version: supported_versions when present (TLS 1.3), else legacy_version.
    public let version: UInt16

    init?(parsing body: [UInt8]) {
        var reader = ByteReader(body, pdu: "ServerHello")
        guard let legacy = try? reader.u16BE("legacy_version"), (try? reader.skip(32, "random")) != nil,
            let sessionLength = try? reader.u8("session_id"), (try? reader.skip(Int(sessionLength), "session_id")) != nil,
            let suite = try? reader.u16BE("cipher_suite"), (try? reader.skip(1, "compression")) != nil
        else { return nil }
        legacyVersion = legacy
        cipherSuite = suite
        var chosen = legacy
        for (type, data) in Extensions.read(&reader) where type == 43 && data.count == 2 {
            chosen = UInt16(data[data.startIndex]) << 8 | UInt16(data[data.startIndex + 1])
        }
        version = chosen
    }
}

enum Extensions {
    /// The extensions block: (type, data) pairs; stops at the first malformed one.
    static func read(_ reader: inout ByteReader) -> [(UInt16, ArraySlice<UInt8>)] {
        guard let length = try? reader.u16BE("extensions"), var block = try? reader.subReader(length: Int(length), "extensions")
        else { return [] }
        var found: [(UInt16, ArraySlice<UInt8>)] = []
        while !block.isAtEnd, found.count < 256 {
            guard let type = try? block.u16BE("type"), let size = try? block.u16BE("length"),
                let data = try? block.bytes(Int(size), "data")
            else { break }
            found.append((type, data))
        }
        return found
    }
}
