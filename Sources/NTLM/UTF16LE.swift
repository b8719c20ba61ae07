// NTLM and CredSSP carry strings as UTF-16 little-endian without terminator.

/// UTF-16LE conversion as NTLM and CredSSP use it.
public enum UTF16LE {
    public static func encode(_ string: String) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(string.utf16.count * 2)
        for unit in string.utf16 {
            bytes.append(UInt8(truncatingIfNeeded: unit))
            bytes.append(UInt8(truncatingIfNeeded: unit >> 8))
        }
        return bytes
    }

    /// Decodes UTF-16LE; nil for an odd byte count. Unpaired surrogates
    /// become U+FFFD rather than failing, since names are only shown.
    public static func decode<Bytes: Collection>(_ bytes: Bytes) -> String? where Bytes.Element == UInt8 {
        guard bytes.count % 2 == 0 else { return nil }
        var units: [UInt16] = []
        units.reserveCapacity(bytes.count / 2)
        var iterator = bytes.makeIterator()
        while let low = iterator.next(), let high = iterator.next() {
            units.append(UInt16(low) | UInt16(high) << 8)
        }
        return String(decoding: units, as: UTF16.self)
    }
}

/// Message strings: UTF-16LE when NEGOTIATE_UNICODE is agreed, otherwise the
/// OEM code page, which is read and written here as Latin-1.
func encodeString(_ string: String, unicode: Bool) -> [UInt8] {
    unicode ? UTF16LE.encode(string) : string.unicodeScalars.map { $0.value < 256 ? UInt8($0.value) : 0x3f }
}

func decodeString(_ bytes: [UInt8], unicode: Bool, field: String) throws(NTLMError) -> String {
    if !unicode { return String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) })) }
    guard let string = UTF16LE.decode(bytes) else { throw .malformedString(field) }
    return string
}
