// The NSS key log format (SSLKEYLOGFILE, and the text of a pcapng Decryption
// Secrets Block of type "TLSK"): one secret a line, `LABEL client_random secret`
// in hex. Lines that are not that are skipped; the file is bounded by the caller.

public struct KeyLog: Sendable, Equatable {
    /// The labels read; others (EXPORTER_SECRET, EARLY_TRAFFIC_SECRET…) are skipped.
    public enum Label: String, Sendable, CaseIterable {
        /// TLS 1.2 and earlier: the master secret.
        case clientRandom = "CLIENT_RANDOM"
        case clientHandshake = "CLIENT_HANDSHAKE_TRAFFIC_SECRET"
        case serverHandshake = "SERVER_HANDSHAKE_TRAFFIC_SECRET"
        case clientTraffic = "CLIENT_TRAFFIC_SECRET_0"
        case serverTraffic = "SERVER_TRAFFIC_SECRET_0"
    }

    /// Sessions kept at most (a line is ~180 bytes: 4 MiB of key log is ~23,000 lines).
    public static let maximumEntries = 100_000

    private var secrets: [[UInt8]: [Label: [UInt8]]] = [:]
    private var count = 0

    public init() {}

    public init(text: some Sequence<UInt8>) {
        add(text)
    }

    public var isEmpty: Bool { secrets.isEmpty }
    /// Client randoms with at least one secret.
    public var sessions: Int { secrets.count }

    /// Reads more lines (a second file, another secrets block). A line is read
    /// as far as its first 1,024 bytes.
    public mutating func add(_ text: some Sequence<UInt8>) {
        // One contiguous copy, then each line found in place: walking a generic
        // sequence byte by byte cost more than reading the secrets.
        let bytes = Array(text)
        var start = 0
        while start <= bytes.count {
            let end = bytes[start...].firstIndex { $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") } ?? bytes.count
            read(bytes[start..<min(end, start + 1024)])
            start = end + 1
        }
    }

    public func secret(_ label: Label, clientRandom: [UInt8]) -> [UInt8]? {
        secrets[clientRandom]?[label]
    }

    private mutating func read(_ line: ArraySlice<UInt8>) {
        guard count < Self.maximumEntries else { return }
        let fields = line.split(separator: UInt8(ascii: " "))
        guard fields.count == 3, let label = Label(rawValue: String(decoding: fields[0], as: UTF8.self)),
            let random = Self.hex(fields[1]), random.count == 32,
            let secret = Self.hex(fields[2]), (32...64).contains(secret.count)
        else { return }
        secrets[random, default: [:]][label] = secret
        count += 1
    }

    static func hex(_ text: ArraySlice<UInt8>) -> [UInt8]? {
        guard text.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.count / 2)
        var high: UInt8?
        for character in text {
            let value: UInt8
            switch character {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = character - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): value = character - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): value = character - UInt8(ascii: "A") + 10
            default: return nil
            }
            if let first = high {
                bytes.append(first << 4 | value)
                high = nil
            } else {
                high = value
            }
        }
        return bytes
    }
}
