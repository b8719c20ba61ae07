import Catalogue

/// Turns pasted bytes into text: UTF-8, or UTF-16 with a byte-order mark (what
/// Windows tools often write). Anything else is refused with the offset of
/// the first bad byte rather than guessed at.
public enum InputText {
    public static func decode(_ bytes: [UInt8]) throws(InputError) -> String {
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) {
            return try decodeUTF16(bytes)
        }
        var body = bytes[...]
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
        guard let text = String(validating: body, as: UTF8.self) else {
            let offset = firstInvalidUTF8Offset(body)
            throw InputError("the input is not UTF-8 text (invalid byte at offset \(offset)); paste the error as text")
        }
        guard text.contains(where: { !$0.isWhitespace }) else {
            throw InputError("the input is empty; paste the error dialog or pass a code (rdpdoctor explain 0x904 0x7)")
        }
        if text.unicodeScalars.contains(where: { $0.value == 0 }) {
            throw InputError("the input contains NUL bytes, so it is not text; paste the error as text")
        }
        return text
    }

    static func decodeUTF16(_ bytes: [UInt8]) throws(InputError) -> String {
        let littleEndian = bytes[0] == 0xFF
        guard bytes.count % 2 == 0 else { throw InputError("the input looks like UTF-16 but has an odd number of bytes") }
        var units: [UInt16] = []
        units.reserveCapacity(bytes.count / 2 - 1)
        var i = 2
        while i + 1 < bytes.count {
            let unit = littleEndian ? UInt16(bytes[i]) | UInt16(bytes[i + 1]) << 8 : UInt16(bytes[i]) << 8 | UInt16(bytes[i + 1])
            units.append(unit)
            i += 2
        }
        guard let text = String(validating: units, as: UTF16.self) else {
            throw InputError("the input looks like UTF-16 but is not valid UTF-16 text")
        }
        return try decode(Array(text.utf8))
    }

    private static func firstInvalidUTF8Offset(_ bytes: ArraySlice<UInt8>) -> Int {
        var decoder = UTF8()
        var iterator = bytes.makeIterator()
        var offset = 0
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar): offset += UTF8.width(scalar)
            case .emptyInput, .error: return offset
            }
        }
    }
}
