// Test helper: hex text to bytes and back. Spaces and newlines are ignored so
// vectors can be pasted in the layout the specifications print them in.

func hex(_ text: String) -> [UInt8] {
    let digits = text.compactMap { $0.hexDigitValue }
    precondition(digits.count == text.filter { !$0.isWhitespace }.count, "not hex: \(text)")
    precondition(digits.count % 2 == 0, "odd number of hex digits")
    return stride(from: 0, to: digits.count, by: 2).map { UInt8(digits[$0] << 4 | digits[$0 + 1]) }
}

func hexString(_ bytes: [UInt8]) -> String {
    bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
}

/// Hex with a "//" comment allowed at the end of each line.
func annotatedHex(_ text: String) -> [UInt8] {
    hex(
        text.split(separator: "\n").map { line in
            line.range(of: "//").map { String(line[..<$0.lowerBound]) } ?? String(line)
        }.joined(separator: "\n"))
}
