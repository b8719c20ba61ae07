// RDP, NTLM and CredSSP carry strings as UTF-16 little-endian. One helper for
// all of them, without Foundation.

/// UTF-16LE conversion.
public enum UTF16LE {
    public static func encode(_ text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf16.count * 2)
        for unit in text.utf16 {
            bytes.append(UInt8(truncatingIfNeeded: unit))
            bytes.append(UInt8(truncatingIfNeeded: unit >> 8))
        }
        return bytes
    }

    /// Encodes into a fixed-size field, truncating to leave room for a NUL.
    public static func fixed(_ text: String, byteCount: Int) -> [UInt8] {
        var bytes = Array(encode(text).prefix(max(0, byteCount - 2)))
        if bytes.count % 2 == 1 { bytes.removeLast() }
        bytes.append(contentsOf: repeatElement(0, count: max(0, byteCount - bytes.count)))
        return bytes
    }

    /// Decodes a whole field (NTLM, CredSSP: no terminator); nil for an odd
    /// byte count. Unpaired surrogates become U+FFFD, since names are only shown.
    public static func decode<Bytes: Collection>(_ bytes: Bytes) -> String? where Bytes.Element == UInt8 {
        guard bytes.count % 2 == 0 else { return nil }
        return String(decoding: units(bytes, stopAtNUL: false), as: UTF16.self)
    }

    /// Decodes up to the first NUL (RDP's fixed-size and terminated fields);
    /// an odd trailing byte is ignored.
    public static func decodeUntilNUL<Bytes: Collection>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        String(decoding: units(bytes, stopAtNUL: true), as: UTF16.self)
    }

    private static func units<Bytes: Collection>(_ bytes: Bytes, stopAtNUL: Bool) -> [UInt16] where Bytes.Element == UInt8 {
        var units: [UInt16] = []
        units.reserveCapacity(bytes.count / 2)
        var iterator = bytes.makeIterator()
        while let low = iterator.next(), let high = iterator.next() {
            let unit = UInt16(low) | UInt16(high) << 8
            if stopAtNUL, unit == 0 { break }
            units.append(unit)
        }
        return units
    }
}

/// ASCII fields (RDP's client name in the cookie, channel names).
public enum ASCII {
    /// Decodes up to the first NUL, replacing non-ASCII bytes.
    public static func decode<Bytes: Collection>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        let text = bytes.prefix { $0 != 0 }
        return String(decoding: text.map { $0 < 0x80 ? $0 : UInt8(ascii: "?") }, as: UTF8.self)
    }
}
