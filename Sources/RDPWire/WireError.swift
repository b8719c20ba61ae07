/// Every decoding failure in the protocol core. It names the PDU and the field
/// so a diagnosis can say exactly which server byte broke the connection.
public struct WireError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Kind: Equatable, Sendable {
        /// A fixed-size read ran past the end of the data.
        case notEnoughBytes(needed: Int, available: Int)
        /// A length field points past the data that actually arrived.
        case lengthExceedsAvailable(declared: Int, available: Int)
        /// A length field disagrees with the size of what it describes.
        case lengthMismatch(declared: Int, actual: Int)
        /// A value is above a limit we set to keep memory bounded.
        case tooLarge(value: Int, limit: Int)
        /// A value is not allowed here; `reason` completes the sentence.
        case invalidField(reason: String)
        /// A legal encoding we deliberately do not decode.
        case unsupported(reason: String)
        /// The peer is not speaking RDP at all.
        case unexpectedProtocol(PeerProtocol)
    }

    public var kind: Kind
    /// Human name of the PDU being read, e.g. "X.224 connection confirm".
    public var pdu: String
    /// Name of the field being read, e.g. "length".
    public var field: String

    public init(_ kind: Kind, pdu: String, field: String) {
        self.kind = kind
        self.pdu = pdu
        self.field = field
    }

    public var description: String {
        switch kind {
        case let .notEnoughBytes(needed, available):
            return "\(pdu): \(field) needs \(needed) bytes but only \(available) remain"
        case let .lengthExceedsAvailable(declared, available):
            return "\(pdu): \(field) \(declared) exceeds the \(available) bytes received"
        case let .lengthMismatch(declared, actual):
            return "\(pdu): \(field) says \(declared) bytes but \(actual) are present"
        case let .tooLarge(value, limit):
            return "\(pdu): \(field) \(value) is above the limit of \(limit)"
        case let .invalidField(reason):
            return "\(pdu): \(field) \(reason)"
        case let .unsupported(reason):
            return "\(pdu): \(field) uses \(reason), which is not decoded"
        case let .unexpectedProtocol(peer):
            return "\(pdu): the peer answered with \(peer.name), not RDP"
        }
    }
}

/// Hex digits for bytes: fingerprints, serial numbers, unexpected bytes.
public enum Hex {
    private static let upper = Array("0123456789ABCDEF".utf8)
    private static let lower = Array("0123456789abcdef".utf8)

    public static func byte(_ byte: UInt8, uppercase: Bool = true) -> String {
        let digits = uppercase ? upper : lower
        return String(decoding: [digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]], as: UTF8.self)
    }

    public static func string<Bytes: Sequence>(_ bytes: Bytes, separator: String = "", uppercase: Bool = true) -> String
    where Bytes.Element == UInt8 {
        // One buffer for the whole text: a string per byte, then joined, made
        // hex the largest cost of encoding a record that holds certificates.
        let digits = uppercase ? upper : lower
        let between = Array(separator.utf8)
        var text: [UInt8] = []
        text.reserveCapacity(bytes.underestimatedCount * (2 + between.count))
        for byte in bytes {
            if !text.isEmpty { text += between }
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}

/// Formats wire values in messages the way the specifications write them.
public func hexString<T: FixedWidthInteger>(_ value: T) -> String {
    let digits = String(value, radix: 16, uppercase: true)
    let width = T.bitWidth / 4
    return "0x" + String(repeating: "0", count: max(0, width - digits.count)) + digits
}
