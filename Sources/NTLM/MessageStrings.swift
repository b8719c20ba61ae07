import RDPWire

// NTLM strings: UTF-16LE (RDPWire's UTF16LE) or the OEM code page.

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
