import RDPWire

// The target information block: a list of AV pairs ended by MsvAvEOL. The
// decoder reads untrusted bytes: every pair's length is checked against what
// is left, and a pair longer than the block is an error, not a crash.

/// A decoded list of AV pairs (without the terminating MsvAvEOL).
public struct TargetInfo: Sendable, Hashable {
    public var pairs: [AVPair]

    public init(pairs: [AVPair] = []) {
        self.pairs = pairs.filter { $0.id != .eol }
    }

    /// Decodes AV pairs up to MsvAvEOL. A block that simply ends without an
    /// EOL is accepted (some servers omit it); a pair that runs past the end is not.
    public init(decoding bytes: [UInt8]) throws(NTLMError) {
        var reader = NTLMReader(bytes)
        var pairs: [AVPair] = []
        while reader.remaining > 0 {
            guard reader.remaining >= 4 else { throw .malformedTargetInfo("a pair header is cut short") }
            let id = AVPairID(rawValue: try reader.readUInt16())
            let length = Int(try reader.readUInt16())
            guard length <= reader.remaining else {
                throw .malformedTargetInfo("\(id) claims \(length) bytes, \(reader.remaining) remain")
            }
            let value = try reader.readBytes(length)
            if id == .eol { break }
            pairs.append(AVPair(id: id, value: value))
        }
        self.pairs = pairs
    }

    /// The pairs followed by MsvAvEOL.
    public func encoded() -> [UInt8] {
        var bytes = ByteWriter()
        for pair in pairs {
            bytes.u16LE(pair.id.rawValue)
            bytes.u16LE(UInt16(truncatingIfNeeded: pair.value.count))
            bytes.append(pair.value)
        }
        bytes.zeros(4)  // MsvAvEOL
        return bytes.bytes
    }

    /// The first pair's value for `id`.
    public func value(for id: AVPairID) -> [UInt8]? {
        pairs.first { $0.id == id }?.value
    }

    /// Replaces the first pair with this identifier, or appends it.
    public mutating func set(_ pair: AVPair) {
        if let index = pairs.firstIndex(where: { $0.id == pair.id }) {
            pairs[index] = pair
        } else {
            pairs.append(pair)
        }
    }

    /// A string-valued pair decoded from UTF-16LE; nil if absent or malformed.
    public func string(for id: AVPairID) -> String? {
        value(for: id).flatMap { UTF16LE.decode($0) }
    }

    public var nbComputerName: String? { string(for: .nbComputerName) }
    public var nbDomainName: String? { string(for: .nbDomainName) }
    public var dnsComputerName: String? { string(for: .dnsComputerName) }
    public var dnsDomainName: String? { string(for: .dnsDomainName) }
    public var dnsTreeName: String? { string(for: .dnsTreeName) }
    public var targetName: String? { string(for: .targetName) }

    /// MsvAvFlags, if present and 4 bytes long.
    public var flags: AVFlags? {
        guard let value = value(for: .flags), value.count == 4 else { return nil }
        var reader = NTLMReader(value)
        return (try? reader.readUInt32()).map(AVFlags.init(rawValue:))
    }

    /// MsvAvTimestamp, if present and 8 bytes long.
    public var timestamp: FileTime? {
        guard let value = value(for: .timestamp), value.count == 8 else { return nil }
        var reader = NTLMReader(value)
        return (try? reader.readUInt64()).map(FileTime.init(rawValue:))
    }
}
