import RDPWire

/// Server X.224 Connection Confirm PDU (MS-RDPBCGR 2.2.1.2): TPKT, the X.224 CC
/// TPDU and optionally an RDP_NEG_RSP (2.2.1.2.1) or RDP_NEG_FAILURE (2.2.1.2.2).
public struct X224ConnectionConfirm: Equatable, Sendable {
    public enum Result: Equatable, Sendable {
        /// RDP_NEG_RSP: the server chose a protocol.
        case negotiated(flags: NegotiationResponseFlags, selectedProtocol: SecurityProtocols)
        /// RDP_NEG_FAILURE: the server refused every requested protocol.
        case failed(NegotiationFailureCode)
        /// No negotiation data: a server older than RDP 5.2 (or one answering a
        /// request without RDP_NEG_REQ); standard RDP security is implied.
        case noNegotiationData
    }

    public var result: Result

    public init(result: Result) { self.result = result }

    static let pdu = "X.224 connection confirm"

    public static func decode(_ frame: ArraySlice<UInt8>) throws(WireError) -> X224ConnectionConfirm {
        var reader = ByteReader(try TPKT.payload(of: frame, pdu: pdu), pdu: pdu)
        let indicator = Int(try reader.u8("length indicator"))
        guard indicator == reader.remaining else {
            throw reader.error(.lengthMismatch(declared: indicator, actual: reader.remaining), field: "length indicator")
        }
        let code = try reader.u8("TPDU code")
        guard code & 0xF0 == X224TPDUCode.connectionConfirm.rawValue else {
            throw reader.error(
                .invalidField(reason: "is \(hexString(code)), a \(X224TPDUCode(rawValue: code).name), not a connection confirm (0xD0)"),
                field: "TPDU code")
        }
        try reader.skip(5, "DST-REF, SRC-REF, class")
        if reader.isAtEnd { return X224ConnectionConfirm(result: .noNegotiationData) }

        let type = try reader.u8("negotiation type")
        let flags = try reader.u8("negotiation flags")
        let length = try reader.u16LE("negotiation length")
        guard length == 8 else {
            throw reader.error(.invalidField(reason: "is \(length), expected 8"), field: "negotiation length")
        }
        let value = try reader.u32LE(type == NegotiationType.failure ? "failureCode" : "selectedProtocol")
        switch type {
        case NegotiationType.response:
            return X224ConnectionConfirm(
                result: .negotiated(
                    flags: NegotiationResponseFlags(rawValue: flags),
                    selectedProtocol: SecurityProtocols(rawValue: value)))
        case NegotiationType.failure:
            return X224ConnectionConfirm(result: .failed(NegotiationFailureCode(rawValue: value)))
        default:
            throw reader.error(
                .invalidField(reason: "is \(hexString(type)), expected RDP_NEG_RSP (0x02) or RDP_NEG_FAILURE (0x03)"),
                field: "negotiation type")
        }
    }

    /// Encodes a confirm; used by tests and by a loopback test server.
    public func encode() -> [UInt8] {
        var tpdu = ByteWriter()
        let hasNegotiation = result != .noNegotiationData
        tpdu.u8(hasNegotiation ? 14 : 6)  // length indicator
        tpdu.u8(X224TPDUCode.connectionConfirm.rawValue)
        tpdu.u16BE(0)  // DST-REF
        tpdu.u16BE(0x1234)  // SRC-REF, as Windows sends
        tpdu.u8(0)  // class 0
        switch result {
        case let .negotiated(flags, selected):
            tpdu.u8(NegotiationType.response); tpdu.u8(flags.rawValue); tpdu.u16LE(8); tpdu.u32LE(selected.rawValue)
        case let .failed(code):
            tpdu.u8(NegotiationType.failure); tpdu.u8(0); tpdu.u16LE(8); tpdu.u32LE(code.rawValue)
        case .noNegotiationData:
            break
        }
        return TPKT.wrap(tpdu.bytes)
    }
}
