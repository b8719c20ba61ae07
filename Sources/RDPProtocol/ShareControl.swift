import RDPWire

/// pduType in the share control header (MS-RDPBCGR 2.2.8.1.1.1.1), low 4 bits.
public struct SharePDUType: RawRepresentable, Hashable, Sendable {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let demandActive = SharePDUType(rawValue: 0x1)
    public static let confirmActive = SharePDUType(rawValue: 0x3)
    public static let deactivateAll = SharePDUType(rawValue: 0x6)
    public static let data = SharePDUType(rawValue: 0x7)
    public static let serverRedirect = SharePDUType(rawValue: 0xA)
}

/// TS_SHARECONTROLHEADER (2.2.8.1.1.1.1).
struct ShareControlHeader: Equatable, Sendable {
    var totalLength: UInt16
    var type: SharePDUType
    /// TS_PROTOCOL_VERSION (1) in practice.
    var version: UInt16
    /// The sender's MCS channel id; absent in some Deactivate All PDUs.
    var source: UInt16?
}

/// A slow-path server PDU that begins with a share control header, i.e. the
/// payload of a Send Data Indication on the I/O channel once licensing is over
/// (after the security header, if standard RDP security is in use).
public enum ServerSharePDU: Equatable, Sendable {
    /// Demand Active (2.2.1.13.1): the server's capabilities.
    case demandActive(DemandActivePDU)
    /// Deactivate All (2.2.3.1): the share is being torn down or reactivated.
    case deactivateAll(shareID: UInt32)
    /// A Data PDU (2.2.8.1.1.1.2) with its data header.
    case data(ShareDataHeader, ServerDataPDU)
    /// Enhanced Security Server Redirection (2.2.13.3.1): go to another server.
    case serverRedirection(ServerRedirection)
    /// A flow control PDU (totalLength 0x8000), kept by its type byte.
    case flowControl(UInt8)
    case other(SharePDUType, [UInt8])

    static let pdu = "Share control PDU"

    /// Decodes every PDU in `bytes`; servers may concatenate several.
    public static func decodeAll(_ bytes: ArraySlice<UInt8>) throws(WireError) -> [ServerSharePDU] {
        var reader = ByteReader(bytes, pdu: pdu)
        var pdus: [ServerSharePDU] = []
        while !reader.isAtEnd {
            pdus.append(try decode(from: &reader))
        }
        return pdus
    }

    /// Decodes one PDU; `reader` moves past it.
    public static func decode(from reader: inout ByteReader) throws(WireError) -> ServerSharePDU {
        reader.pdu = pdu
        let totalLength = Int(try reader.u16LE("totalLength"))
        if totalLength == 0x8000 {
            // TS_FLOW_PDU (2.2.8.1.1.1.x of the old spec): flowMarker, pad, type, number, source.
            try reader.skip(1, "flow pad")
            let type = try reader.u8("flow pduTypeFlow")
            try reader.skip(4, "flow number and source")
            return .flowControl(type)
        }
        guard totalLength >= 4 else {
            throw reader.error(
                .invalidField(reason: "\(totalLength) is shorter than the share control header"),
                field: "totalLength")
        }
        var body = try reader.subReader(length: totalLength - 2, "totalLength")
        let rawType = try body.u16LE("pduType")
        let source: UInt16? = body.remaining >= 2 ? try body.u16LE("pduSource") : nil
        let header = ShareControlHeader(
            totalLength: UInt16(totalLength), type: SharePDUType(rawValue: rawType & 0x0F),
            version: rawType >> 4, source: source)
        switch header.type {
        case .demandActive:
            body.pdu = "Demand Active PDU"
            var pdu = try DemandActivePDU.decode(from: &body)
            pdu.source = header.source
            return .demandActive(pdu)
        case .deactivateAll:
            body.pdu = "Deactivate All PDU"
            return .deactivateAll(shareID: body.remaining >= 4 ? try body.u32LE("shareID") : 0)
        case .data:
            body.pdu = "Data PDU"
            let dataHeader = try ShareDataHeader.decode(from: &body)
            return .data(dataHeader, try ServerDataPDU.decode(dataHeader, from: &body))
        case .serverRedirect:
            body.pdu = "Enhanced Security Server Redirection PDU"
            try body.skip(2, "pad2Octets")
            return .serverRedirection(try ServerRedirection.decode(from: &body))
        default:
            return .other(header.type, Array(body.rest()))
        }
    }
}
