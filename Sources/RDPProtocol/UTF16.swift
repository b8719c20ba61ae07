import RDPWire

// RDP strings are UTF-16LE; these helpers convert without Foundation.

enum UTF16LE {
    static func encode(_ text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf16.count * 2)
        for unit in text.utf16 {
            bytes.append(UInt8(truncatingIfNeeded: unit))
            bytes.append(UInt8(truncatingIfNeeded: unit >> 8))
        }
        return bytes
    }

    /// Encodes into a fixed-size field, truncating to leave room for a NUL.
    static func fixed(_ text: String, byteCount: Int) -> [UInt8] {
        var bytes = Array(encode(text).prefix(byteCount - 2))
        if bytes.count % 2 == 1 { bytes.removeLast() }
        bytes.append(contentsOf: repeatElement(0, count: byteCount - bytes.count))
        return bytes
    }

    /// Decodes up to the first NUL; an odd trailing byte is ignored.
    static func decode(_ bytes: ArraySlice<UInt8>) -> String {
        var units: [UInt16] = []
        units.reserveCapacity(bytes.count / 2)
        var index = bytes.startIndex
        while index + 1 < bytes.endIndex {
            let unit = UInt16(bytes[index]) | UInt16(bytes[index + 1]) << 8
            if unit == 0 { break }
            units.append(unit)
            index += 2
        }
        return String(decoding: units, as: UTF16.self)
    }
}

enum ASCII {
    /// Decodes up to the first NUL, replacing non-ASCII bytes.
    static func decode(_ bytes: ArraySlice<UInt8>) -> String {
        let text = bytes.prefix { $0 != 0 }
        return String(decoding: text.map { $0 < 0x80 ? $0 : UInt8(ascii: "?") }, as: UTF8.self)
    }
}
