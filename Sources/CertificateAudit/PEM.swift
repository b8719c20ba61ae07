/// Extracts DER certificates from PEM text (a CA bundle such as
/// /etc/ssl/certs/ca-certificates.crt, or a --ca file). The caller reads the
/// file; this only parses.
public enum PEM {
    /// The DER bytes of every `-----BEGIN CERTIFICATE-----` block, in order.
    /// Text outside blocks is ignored (bundles carry comments); a block whose
    /// body is not valid base64 or that lacks its END line is skipped.
    public static func derBlocks(from text: String, label: String = "CERTIFICATE") -> [[UInt8]] {
        let begin = "-----BEGIN \(label)-----"
        let end = "-----END \(label)-----"
        var blocks: [[UInt8]] = []
        var body: [Substring]?
        for rawLine in text.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }) {
            let line = Substring(String(rawLine).trimmingASCIIWhitespace())
            if line == begin {
                body = []  // a BEGIN inside an open block restarts it
            } else if line == end {
                if let lines = body, let der = Base64.decode(lines.joined()), !der.isEmpty {
                    blocks.append(der)
                }
                body = nil
            } else if body != nil {
                body?.append(line)
            }
        }
        return blocks
    }
}

/// Strict standard-alphabet base64 (RFC 4648 §4), padding optional.
enum Base64 {
    private static let table: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (i, c) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() {
            table[Int(c)] = UInt8(i)
        }
        return table
    }()

    static func decode(_ text: String) -> [UInt8]? {
        var chars = Array(text.utf8).filter { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\t") }
        while chars.last == UInt8(ascii: "=") { chars.removeLast() }
        guard chars.count % 4 != 1 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(chars.count * 3 / 4)
        var accumulator: UInt32 = 0
        var bits = 0
        for c in chars {
            let value = table[Int(c)]
            guard value != 0xFF else { return nil }
            accumulator = accumulator << 6 | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
            }
        }
        return out
    }
}
