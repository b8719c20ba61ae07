import RDPWire

// Packed Encoding Rules (X.691, aligned) in the few shapes used by MCS domain
// PDUs (T.125) and the GCC conference PDUs (T.124).

extension ByteWriter {
    /// A length determinant: one byte below 128, else two bytes with the top bit set.
    mutating func perLength(_ length: Int) {
        if length < 0x80 {
            u8(UInt8(length))
        } else {
            u16BE(UInt16(truncatingIfNeeded: length) | 0x8000)
        }
    }
}

extension ByteReader {
    /// A length determinant. Fragmented lengths (16K and above) never occur in
    /// the PDUs decoded here and are refused.
    mutating func perLength(_ field: String) throws(WireError) -> Int {
        let first = try u8(field)
        if first & 0x80 == 0 { return Int(first) }
        if first & 0x40 != 0 {
            throw error(.unsupported(reason: "a fragmented PER length"), field: field)
        }
        return Int(first & 0x3F) << 8 | Int(try u8(field))
    }
}

/// The maximum PER length `perLength` can write without fragmenting.
let perMaximumLength = 0x3FFF
