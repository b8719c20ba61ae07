import RDPWire

// Basic Encoding Rules (X.690) as MCS uses them in Connect-Initial and
// Connect-Response (T.125 section 7, part 2). Only the forms MCS needs.

enum BERTag {
    static let boolean: UInt8 = 0x01
    static let integer: UInt8 = 0x02
    static let octetString: UInt8 = 0x04
    static let enumerated: UInt8 = 0x0A
    static let sequence: UInt8 = 0x30
}

extension ByteWriter {
    /// Definite length, shortest form.
    mutating func berLength(_ length: Int) {
        if length < 0x80 {
            u8(UInt8(length))
        } else if length <= 0xFF {
            u8(0x81)
            u8(UInt8(length))
        } else {
            u8(0x82)
            u16BE(UInt16(truncatingIfNeeded: length))
        }
    }

    /// Integers in the fewest bytes that hold the unsigned value, as Windows
    /// clients write them (65535 becomes 02 02 FF FF).
    mutating func berInteger(_ value: UInt32) {
        u8(BERTag.integer)
        if value <= 0xFF {
            u8(1); u8(UInt8(value))
        } else if value <= 0xFFFF {
            u8(2); u16BE(UInt16(value))
        } else if value <= 0xFF_FFFF {
            u8(3); u8(UInt8(value >> 16)); u16BE(UInt16(truncatingIfNeeded: value))
        } else {
            u8(4); u32BE(value)
        }
    }

    mutating func berOctetString(_ contents: [UInt8]) {
        u8(BERTag.octetString)
        berLength(contents.count)
        append(contents)
    }

    mutating func berBoolean(_ value: Bool) {
        u8(BERTag.boolean); u8(1); u8(value ? 0xFF : 0x00)
    }
}

extension ByteReader {
    mutating func berTag(_ expected: UInt8, _ field: String) throws(WireError) {
        let tag = try u8(field)
        guard tag == expected else {
            throw error(.invalidField(reason: "has BER tag \(hexString(tag)), expected \(hexString(expected))"), field: field)
        }
    }

    /// A definite length, checked against the bytes that follow.
    mutating func berLength(_ field: String) throws(WireError) -> Int {
        switch DERLength.read(unread, maximumOctets: 4, limit: Int(UInt32.max)) {
        case let .length(length, octets):
            try skip(octets, field)
            try check(declaredLength: length, field)
            return length
        case .needMore:
            throw error(.notEnoughBytes(needed: (unread.first.map { Int($0 & 0x7F) } ?? 0) + 1, available: remaining), field: field)
        case .indefinite, .tooManyOctets, .tooLarge:
            throw error(.invalidField(reason: "has an unsupported BER length form \(hexString(unread.first ?? 0))"), field: field)
        }
    }

    /// Reads tag and length and returns a reader over the contents.
    mutating func berContents(_ tag: UInt8, _ field: String) throws(WireError) -> ByteReader {
        try berTag(tag, field)
        let length = try berLength(field)
        return try subReader(length: length, field)
    }

    /// An INTEGER or ENUMERATED read as unsigned, up to 32 bits.
    mutating func berUnsigned(_ tag: UInt8, _ field: String) throws(WireError) -> UInt32 {
        var contents = try berContents(tag, field)
        guard (1...5).contains(contents.remaining) else {
            throw error(.invalidField(reason: "is \(contents.remaining) bytes long, expected 1 to 4"), field: field)
        }
        var value: UInt64 = 0
        while !contents.isAtEnd { value = value << 8 | UInt64(try contents.u8(field)) }
        guard value <= UInt64(UInt32.max) else {
            throw error(.tooLarge(value: Int(value), limit: Int(UInt32.max)), field: field)
        }
        return UInt32(value)
    }
}
