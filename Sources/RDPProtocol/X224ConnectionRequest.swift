import RDPWire

/// Client X.224 Connection Request PDU (MS-RDPBCGR 2.2.1.1): TPKT, the X.224
/// CR TPDU, then optionally a routing token or `Cookie: mstshash=` line, an
/// RDP_NEG_REQ (2.2.1.1.1) and RDP_NEG_CORRELATION_INFO (2.2.1.1.2).
public struct X224ConnectionRequest: Equatable, Sendable {
    /// What precedes the negotiation request; both forms end in CR LF.
    public enum Token: Equatable, Sendable {
        /// `Cookie: mstshash=NAME\r\n`, the user name hint most clients send.
        case cookie(String)
        /// A load-balancing token from a Server Redirection PDU, sent verbatim
        /// (it already ends in CR LF).
        case routingToken([UInt8])
    }

    public var token: Token?
    /// nil sends no RDP_NEG_REQ: the request of a pre-RDP-5.2 client.
    public var requestedProtocols: SecurityProtocols?
    public var flags: NegotiationRequestFlags
    /// 16-byte correlation id; when set, CORRELATION_INFO_PRESENT is added.
    public var correlationID: [UInt8]?

    public init(
        token: Token? = nil,
        requestedProtocols: SecurityProtocols? = [.ssl, .hybrid],
        flags: NegotiationRequestFlags = [],
        correlationID: [UInt8]? = nil
    ) {
        self.token = token
        self.requestedProtocols = requestedProtocols
        self.flags = flags
        self.correlationID = correlationID
    }

    static let pdu = "X.224 connection request"

    /// The whole TPKT frame to send.
    public func encode() throws(WireError) -> [UInt8] {
        var variable = ByteWriter()
        switch token {
        case let .cookie(name)?:
            guard !name.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A }) else {
                throw WireError(.invalidField(reason: "must not contain CR or LF"), pdu: Self.pdu, field: "cookie")
            }
            variable.append("Cookie: mstshash=\(name)\r\n".utf8)
        case let .routingToken(bytes)?:
            variable.append(bytes)
        case nil:
            break
        }
        if let requested = requestedProtocols {
            var flags = self.flags
            if correlationID != nil { flags.insert(.correlationInfoPresent) }
            variable.u8(NegotiationType.request)
            variable.u8(flags.rawValue)
            variable.u16LE(8)  // length of RDP_NEG_REQ
            variable.u32LE(requested.rawValue)
            if let id = correlationID {
                guard id.count == 16 else {
                    throw WireError(
                        .invalidField(reason: "is \(id.count) bytes, expected 16"),
                        pdu: Self.pdu, field: "correlationId")
                }
                variable.u8(NegotiationType.correlationInfo)
                variable.u8(0)  // flags
                variable.u16LE(36)  // length
                variable.append(id)
                variable.zeros(16)  // reserved
            }
        }
        let indicator = 6 + variable.count  // CR fixed part after the indicator byte
        guard indicator <= 0xFE, indicator + 1 + TPKT.headerLength <= 0xFFFF else {
            throw WireError(.tooLarge(value: indicator, limit: 0xFE), pdu: Self.pdu, field: "length indicator")
        }
        var tpdu = ByteWriter()
        tpdu.u8(UInt8(indicator))
        tpdu.u8(X224TPDUCode.connectionRequest.rawValue)
        tpdu.u16BE(0)  // DST-REF
        tpdu.u16BE(0)  // SRC-REF
        tpdu.u8(0)  // class 0, no options
        tpdu.append(variable.bytes)
        return TPKT.wrap(tpdu.bytes)
    }

    /// Decodes a request (used to check our encoder and read captures).
    public static func decode(_ frame: ArraySlice<UInt8>) throws(WireError) -> X224ConnectionRequest {
        var reader = ByteReader(try TPKT.payload(of: frame, pdu: pdu), pdu: pdu)
        let indicator = Int(try reader.u8("length indicator"))
        guard indicator == reader.remaining else {
            throw reader.error(.lengthMismatch(declared: indicator, actual: reader.remaining), field: "length indicator")
        }
        let code = try reader.u8("TPDU code")
        guard code & 0xF0 == X224TPDUCode.connectionRequest.rawValue else {
            throw reader.error(
                .invalidField(reason: "is \(hexString(code)), a \(X224TPDUCode(rawValue: code).name)"),
                field: "TPDU code")
        }
        try reader.skip(5, "DST-REF, SRC-REF, class")
        var request = X224ConnectionRequest(token: nil, requestedProtocols: nil)
        var variable = reader.rest()
        if variable.first != NegotiationType.request || variable.count < 8 {
            if let end = firstCRLF(in: variable) {
                let line = variable[..<end]
                let prefix = Array("Cookie: mstshash=".utf8)
                if line.starts(with: prefix) {
                    request.token = .cookie(String(decoding: line.dropFirst(prefix.count), as: UTF8.self))
                } else {
                    request.token = .routingToken(Array(variable[..<(end + 2)]))
                }
                variable = variable[(end + 2)...]
            } else if !variable.isEmpty {
                throw reader.error(.invalidField(reason: "is not terminated by CR LF"), field: "cookie")
            }
        }
        guard !variable.isEmpty else { return request }
        var negotiation = ByteReader(variable, pdu: pdu)
        let type = try negotiation.u8("RDP_NEG_REQ type")
        guard type == NegotiationType.request else {
            throw negotiation.error(.invalidField(reason: "is \(hexString(type)), expected 0x01"), field: "RDP_NEG_REQ type")
        }
        request.flags = NegotiationRequestFlags(rawValue: try negotiation.u8("RDP_NEG_REQ flags"))
        let length = try negotiation.u16LE("RDP_NEG_REQ length")
        guard length == 8 else {
            throw negotiation.error(.invalidField(reason: "is \(length), expected 8"), field: "RDP_NEG_REQ length")
        }
        request.requestedProtocols = SecurityProtocols(rawValue: try negotiation.u32LE("requestedProtocols"))
        if request.flags.contains(.correlationInfoPresent), !negotiation.isAtEnd {
            try negotiation.skip(4, "RDP_NEG_CORRELATION_INFO header")
            request.correlationID = Array(try negotiation.bytes(16, "correlationId"))
            try negotiation.skip(16, "RDP_NEG_CORRELATION_INFO reserved")
            request.flags.remove(.correlationInfoPresent)
        }
        return request
    }

    private static func firstCRLF(in bytes: ArraySlice<UInt8>) -> Int? {
        var index = bytes.startIndex
        while index + 1 < bytes.endIndex {
            if bytes[index] == 0x0D, bytes[index + 1] == 0x0A { return index }
            index += 1
        }
        return nil
    }
}
