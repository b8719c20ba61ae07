import RDPWire

/// The TPKT header (T.123 section 8 / RFC 1006) that starts every slow-path PDU.
public enum TPKT {
    public static let version: UInt8 = 3
    public static let headerLength = 4

    /// Prefixes `payload` with a TPKT header.
    public static func wrap(_ payload: [UInt8]) -> [UInt8] {
        var writer = ByteWriter(capacity: payload.count + headerLength)
        writer.u8(version)
        writer.u8(0)  // reserved
        writer.u16BE(UInt16(truncatingIfNeeded: payload.count + headerLength))
        writer.append(payload)
        return writer.bytes
    }

    /// Checks the header of one whole frame and returns what follows it.
    /// The declared length must match the frame exactly.
    public static func payload(of frame: ArraySlice<UInt8>, pdu: String) throws(WireError) -> ArraySlice<UInt8> {
        var reader = ByteReader(frame, pdu: pdu)
        let version = try reader.u8("TPKT version")
        guard version == Self.version else {
            throw reader.error(.invalidField(reason: "is \(version), expected 3"), field: "TPKT version")
        }
        try reader.skip(1, "TPKT reserved")
        let length = Int(try reader.u16BE("TPKT length"))
        guard length <= frame.count else {
            throw reader.error(.lengthExceedsAvailable(declared: length, available: frame.count), field: "TPKT length")
        }
        guard length == frame.count else {
            throw reader.error(.lengthMismatch(declared: length, actual: frame.count), field: "TPKT length")
        }
        guard length >= headerLength else {
            throw reader.error(.invalidField(reason: "\(length) is shorter than the TPKT header"), field: "TPKT length")
        }
        return reader.rest()
    }
}

/// X.224 TPDU codes (X.224 section 13); the low nibble of CR/CC carries credit.
public struct X224TPDUCode: RawRepresentable, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let connectionRequest = X224TPDUCode(rawValue: 0xE0)
    public static let connectionConfirm = X224TPDUCode(rawValue: 0xD0)
    public static let disconnectRequest = X224TPDUCode(rawValue: 0x80)
    public static let data = X224TPDUCode(rawValue: 0xF0)
    public static let error = X224TPDUCode(rawValue: 0x70)

    /// The TPDU kinds by their high nibble: a table, so a name is data.
    private static let names: [UInt8: String] = [
        0xE0: "connection request", 0xD0: "connection confirm", 0x80: "disconnect request",
        0xF0: "data", 0x70: "TPDU error",
    ]

    public var name: String {
        Self.names[rawValue & 0xF0] ?? "unknown TPDU \(hexString(rawValue))"
    }
}

/// The X.224 class 0 data TPDU (X.224 section 13.7) that carries every MCS PDU
/// after the connection request: length indicator 2, code 0xF0, EOT 0x80.
public enum X224Data {
    static let header: [UInt8] = [0x02, 0xF0, 0x80]

    /// A whole TPKT frame carrying `mcs`.
    public static func frame(_ mcs: [UInt8]) -> [UInt8] {
        TPKT.wrap(header + mcs)
    }

    /// The MCS bytes inside one whole TPKT frame.
    public static func payload(of frame: ArraySlice<UInt8>, pdu: String) throws(WireError) -> ArraySlice<UInt8> {
        var reader = ByteReader(try TPKT.payload(of: frame, pdu: pdu), pdu: pdu)
        let indicator = try reader.u8("X.224 length indicator")
        let code = X224TPDUCode(rawValue: try reader.u8("X.224 TPDU code"))
        guard code.rawValue & 0xF0 == X224TPDUCode.data.rawValue else {
            throw reader.error(
                .invalidField(reason: "is \(hexString(code.rawValue)), a \(code.name), not a data TPDU"),
                field: "X.224 TPDU code")
        }
        guard indicator == 2 else {
            throw reader.error(
                .invalidField(reason: "is \(indicator), expected 2 for a data TPDU"),
                field: "X.224 length indicator")
        }
        try reader.skip(1, "X.224 EOT")
        return reader.rest()
    }
}
