import RDPWire

// MCS domain PDUs after the connect exchange (T.125 section 7 parts 3–10,
// PER aligned). The first byte carries the DomainMCSPDU choice in its top six
// bits; the low two bits start the PDU's own fields.

/// DomainMCSPDU choice indexes used by RDP.
public struct MCSDomainPDUType: RawRepresentable, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let erectDomainRequest = MCSDomainPDUType(rawValue: 1)
    public static let disconnectProviderUltimatum = MCSDomainPDUType(rawValue: 8)
    public static let attachUserRequest = MCSDomainPDUType(rawValue: 10)
    public static let attachUserConfirm = MCSDomainPDUType(rawValue: 11)
    public static let channelJoinRequest = MCSDomainPDUType(rawValue: 14)
    public static let channelJoinConfirm = MCSDomainPDUType(rawValue: 15)
    public static let sendDataRequest = MCSDomainPDUType(rawValue: 25)
    public static let sendDataIndication = MCSDomainPDUType(rawValue: 26)

    var firstByte: UInt8 { rawValue << 2 }
}

/// Reason in a Disconnect Provider Ultimatum (T.125 Reason ENUMERATED).
public struct MCSDisconnectReason: RawRepresentable, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let domainDisconnected = MCSDisconnectReason(rawValue: 0)
    public static let providerInitiated = MCSDisconnectReason(rawValue: 1)
    public static let tokenPurged = MCSDisconnectReason(rawValue: 2)
    public static let userRequested = MCSDisconnectReason(rawValue: 3)
    public static let channelPurged = MCSDisconnectReason(rawValue: 4)

    public var name: String? {
        let names = [
            "rn-domain-disconnected", "rn-provider-initiated", "rn-token-purged",
            "rn-user-requested", "rn-channel-purged",
        ]
        return Int(rawValue) < names.count ? names[Int(rawValue)] : nil
    }
}

/// MCS user ids are sent as an offset from 1001 (PER constrained integer).
let mcsUserIDBase: UInt16 = 1001

/// Client-to-server MCS domain PDUs; each `frame` is a whole TPKT frame.
public enum MCSRequest {
    /// Erect Domain Request (2.2.1.5): subHeight 0, subInterval 0.
    public static func erectDomain() -> [UInt8] {
        X224Data.frame([
            MCSDomainPDUType.erectDomainRequest.firstByte,
            0x01, 0x00,  // subHeight: length 1, value 0
            0x01, 0x00,
        ])  // subInterval: length 1, value 0
    }

    /// Attach User Request (2.2.1.6).
    public static func attachUser() -> [UInt8] {
        X224Data.frame([MCSDomainPDUType.attachUserRequest.firstByte])
    }

    /// Channel Join Request (2.2.1.8) for `channelID` by user `userID`.
    public static func channelJoin(userID: UInt16, channelID: UInt16) -> [UInt8] {
        var w = ByteWriter(capacity: 5)
        w.u8(MCSDomainPDUType.channelJoinRequest.firstByte)
        w.u16BE(userID &- mcsUserIDBase)  // initiator
        w.u16BE(channelID)
        return X224Data.frame(w.bytes)
    }

    /// Send Data Request carrying `userData` to `channelID`, highest priority,
    /// unsegmented (begin and end set), as every RDP client sends it.
    public static func sendData(userID: UInt16, channelID: UInt16, userData: [UInt8]) throws(WireError) -> [UInt8] {
        guard userData.count <= perMaximumLength else {
            throw WireError(
                .tooLarge(value: userData.count, limit: perMaximumLength),
                pdu: "MCS Send Data Request", field: "userData length")
        }
        var w = ByteWriter(capacity: userData.count + 8)
        w.u8(MCSDomainPDUType.sendDataRequest.firstByte)
        w.u16BE(userID &- mcsUserIDBase)  // initiator
        w.u16BE(channelID)
        w.u8(0x70)  // dataPriority high, segmentation begin|end
        w.perLength(userData.count)
        w.append(userData)
        return X224Data.frame(w.bytes)
    }

    /// Disconnect Provider Ultimatum (2.2.2.3), our polite goodbye.
    public static func disconnectProviderUltimatum(reason: MCSDisconnectReason = .userRequested) -> [UInt8] {
        // The 3-bit reason straddles the byte boundary after the 6-bit choice.
        X224Data.frame([
            MCSDomainPDUType.disconnectProviderUltimatum.firstByte | (reason.rawValue >> 1) & 0x03,
            (reason.rawValue & 0x01) << 7,
        ])
    }
}

/// Send Data Request / Indication contents (T.125 SendDataRequest/Indication).
public struct MCSSendData: Equatable, Sendable {
    public var initiator: UInt16
    public var channelID: UInt16
    public var userData: ArraySlice<UInt8>

    public init(initiator: UInt16, channelID: UInt16, userData: ArraySlice<UInt8>) {
        self.initiator = initiator
        self.channelID = channelID
        self.userData = userData
    }
}

/// A decoded MCS domain PDU from the server.
public enum MCSDomainPDU: Equatable, Sendable {
    /// Attach User Confirm (2.2.1.7); `initiator` is the user channel id.
    case attachUserConfirm(result: MCSResult, initiator: UInt16?)
    /// Channel Join Confirm (2.2.1.9).
    case channelJoinConfirm(result: MCSResult, initiator: UInt16, requested: UInt16, channelID: UInt16?)
    /// Send Data Indication: the carrier of every slow-path server PDU.
    case sendDataIndication(MCSSendData)
    /// Send Data Request; servers do not send it, decoded to check our encoder.
    case sendDataRequest(MCSSendData)
    /// Disconnect Provider Ultimatum (2.2.2.3): the server is hanging up.
    case disconnectProviderUltimatum(MCSDisconnectReason)
    /// Any other domain PDU, kept by type.
    case other(MCSDomainPDUType, ArraySlice<UInt8>)

    static let pdu = "MCS domain PDU"

    /// Decodes the MCS PDU inside one whole TPKT frame.
    public static func decode(frame: ArraySlice<UInt8>) throws(WireError) -> MCSDomainPDU {
        try decode(try X224Data.payload(of: frame, pdu: pdu))
    }

    /// Decodes MCS bytes (after TPKT and X.224).
    public static func decode(_ bytes: ArraySlice<UInt8>) throws(WireError) -> MCSDomainPDU {
        var reader = ByteReader(bytes, pdu: pdu)
        let first = try reader.u8("DomainMCSPDU choice")
        let type = MCSDomainPDUType(rawValue: first >> 2)
        switch type {
        case .attachUserConfirm:
            reader.pdu = "MCS Attach User Confirm"
            let result = try readResult(first, &reader)
            let initiator: UInt16? = if first & 0x02 != 0 { try reader.u16BE("initiator") &+ mcsUserIDBase } else { nil }
            return .attachUserConfirm(result: result, initiator: initiator)
        case .channelJoinConfirm:
            reader.pdu = "MCS Channel Join Confirm"
            let result = try readResult(first, &reader)
            let initiator = try reader.u16BE("initiator") &+ mcsUserIDBase
            let requested = try reader.u16BE("requested")
            let channel: UInt16? = if first & 0x02 != 0 { try reader.u16BE("channelId") } else { nil }
            return .channelJoinConfirm(result: result, initiator: initiator, requested: requested, channelID: channel)
        case .sendDataIndication, .sendDataRequest:
            reader.pdu = type == .sendDataIndication ? "MCS Send Data Indication" : "MCS Send Data Request"
            let initiator = try reader.u16BE("initiator") &+ mcsUserIDBase
            let channel = try reader.u16BE("channelId")
            try reader.skip(1, "dataPriority and segmentation")
            let length = try reader.perLength("userData length")
            try reader.check(declaredLength: length, "userData length")
            let data = MCSSendData(initiator: initiator, channelID: channel, userData: try reader.bytes(length, "userData"))
            return type == .sendDataIndication ? .sendDataIndication(data) : .sendDataRequest(data)
        case .disconnectProviderUltimatum:
            reader.pdu = "MCS Disconnect Provider Ultimatum"
            let second = try reader.u8("reason")
            return .disconnectProviderUltimatum(MCSDisconnectReason(rawValue: (first & 0x03) << 1 | second >> 7))
        default:
            return .other(type, reader.rest())
        }
    }

    /// The 4-bit result: the last bit of the first byte and the top three of the next.
    private static func readResult(_ first: UInt8, _ reader: inout ByteReader) throws(WireError) -> MCSResult {
        let second = try reader.u8("result")
        return MCSResult(rawValue: (first & 0x01) << 3 | second >> 5)
    }
}
