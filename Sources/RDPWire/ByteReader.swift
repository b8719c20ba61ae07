/// A bounds-checked cursor over bytes received from a peer.
///
/// Every read checks what is actually present first and throws a `WireError`
/// naming `pdu` and the field, so no server byte can crash or over-allocate.
public struct ByteReader: Sendable {
    /// The PDU being decoded; nested decoders may rename it for their part.
    public var pdu: String
    private let bytes: ArraySlice<UInt8>
    private var index: Int

    public init(_ bytes: ArraySlice<UInt8>, pdu: String) {
        self.bytes = bytes
        self.index = bytes.startIndex
        self.pdu = pdu
    }

    public init(_ bytes: [UInt8], pdu: String) {
        self.init(bytes[...], pdu: pdu)
    }

    /// Bytes not yet read.
    public var remaining: Int { bytes.endIndex - index }
    /// Bytes read so far.
    public var offset: Int { index - bytes.startIndex }
    /// Size of the whole input.
    public var count: Int { bytes.count }
    public var isAtEnd: Bool { index == bytes.endIndex }
    /// The bytes not yet read, without reading them.
    public var unread: ArraySlice<UInt8> { bytes[index...] }

    /// Builds an error for the current PDU, for checks made by callers.
    public func error(_ kind: WireError.Kind, field: String) -> WireError {
        WireError(kind, pdu: pdu, field: field)
    }

    private func require(_ needed: Int, _ field: String) throws(WireError) {
        guard needed >= 0 else {
            throw error(.invalidField(reason: "has a negative size \(needed)"), field: field)
        }
        guard needed <= remaining else {
            throw error(.notEnoughBytes(needed: needed, available: remaining), field: field)
        }
    }

    public func peekU8() -> UInt8? {
        index < bytes.endIndex ? bytes[index] : nil
    }

    public mutating func u8(_ field: String) throws(WireError) -> UInt8 {
        try require(1, field)
        defer { index += 1 }
        return bytes[index]
    }

    public mutating func u16LE(_ field: String) throws(WireError) -> UInt16 {
        try require(2, field)
        defer { index += 2 }
        return UInt16(bytes[index]) | UInt16(bytes[index + 1]) << 8
    }

    public mutating func u16BE(_ field: String) throws(WireError) -> UInt16 {
        try require(2, field)
        defer { index += 2 }
        return UInt16(bytes[index]) << 8 | UInt16(bytes[index + 1])
    }

    public mutating func u32LE(_ field: String) throws(WireError) -> UInt32 {
        try require(4, field)
        defer { index += 4 }
        var value: UInt32 = 0
        for shift in 0..<4 { value |= UInt32(bytes[index + shift]) << (8 * shift) }
        return value
    }

    public mutating func u32BE(_ field: String) throws(WireError) -> UInt32 {
        try require(4, field)
        defer { index += 4 }
        var value: UInt32 = 0
        for shift in 0..<4 { value = value << 8 | UInt32(bytes[index + shift]) }
        return value
    }

    /// The next `count` bytes, without copying.
    public mutating func bytes(_ count: Int, _ field: String) throws(WireError) -> ArraySlice<UInt8> {
        try require(count, field)
        defer { index += count }
        return bytes[index..<index + count]
    }

    public mutating func skip(_ count: Int, _ field: String) throws(WireError) {
        try require(count, field)
        index += count
    }

    /// Everything not yet read.
    public mutating func rest() -> ArraySlice<UInt8> {
        defer { index = bytes.endIndex }
        return bytes[index...]
    }

    /// Checks a length field against what is left, before anything is read or allocated.
    public func check(declaredLength: Int, _ field: String) throws(WireError) {
        guard declaredLength >= 0, declaredLength <= remaining else {
            throw error(.lengthExceedsAvailable(declared: declaredLength, available: remaining), field: field)
        }
    }

    /// A reader over the next `length` bytes (a nested structure with its own
    /// length field); this reader moves past them.
    public mutating func subReader(length: Int, _ field: String, pdu: String? = nil) throws(WireError) -> ByteReader {
        try check(declaredLength: length, field)
        let slice = bytes[index..<index + length]
        index += length
        return ByteReader(slice, pdu: pdu ?? self.pdu)
    }

    /// Throws if bytes are left over where a structure must end exactly.
    public func expectEnd(_ field: String) throws(WireError) {
        guard isAtEnd else {
            throw error(.lengthMismatch(declared: offset, actual: count), field: field)
        }
    }
}
