/// Reads code numbers as people and documents write them: `0x904`, `0X00000904`,
/// `2308`. Numbers wider than 64 bits are rejected rather than truncated.
public enum CodeNumber {
    /// How a number was written, so it can be written back the same way.
    public enum Notation: String, Sendable, Codable {
        case hex
        case decimal
    }

    /// Parses `text` as a hex (`0x` prefix) or decimal number.
    public static func parse(_ text: Substring) -> (value: UInt64, notation: Notation)? {
        var digits = text
        let notation: Notation
        if digits.count > 2, digits.hasPrefix("0x") || digits.hasPrefix("0X") {
            digits = digits.dropFirst(2)
            notation = .hex
        } else {
            notation = .decimal
        }
        guard !digits.isEmpty, digits.count <= 20 else { return nil }
        let radix = notation == .hex ? 16 : 10
        guard let value = UInt64(digits, radix: radix) else { return nil }
        return (value, notation)
    }

    public static func parse(_ text: String) -> (value: UInt64, notation: Notation)? {
        parse(Substring(text))
    }

    /// `0x904`, uppercase digits, no padding: how the catalogue writes keys.
    public static func hex(_ value: UInt64) -> String {
        "0x" + String(value, radix: 16, uppercase: true)
    }

    public static func format(_ value: UInt64, _ notation: Notation) -> String {
        notation == .hex ? hex(value) : String(value)
    }
}
