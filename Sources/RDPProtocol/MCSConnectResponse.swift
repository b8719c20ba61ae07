import RDPWire

/// MCS result codes (T.125 section 7, Result ENUMERATED), in Connect-Response,
/// Attach-User-Confirm and Channel-Join-Confirm.
public struct MCSResult: RawRepresentable, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let successful = MCSResult(rawValue: 0)
    public static let domainMerging = MCSResult(rawValue: 1)
    public static let domainNotHierarchical = MCSResult(rawValue: 2)
    public static let noSuchChannel = MCSResult(rawValue: 3)
    public static let noSuchDomain = MCSResult(rawValue: 4)
    public static let noSuchUser = MCSResult(rawValue: 5)
    public static let notAdmitted = MCSResult(rawValue: 6)
    public static let otherUserID = MCSResult(rawValue: 7)
    public static let parametersUnacceptable = MCSResult(rawValue: 8)
    public static let tokenNotAvailable = MCSResult(rawValue: 9)
    public static let tokenNotPossessed = MCSResult(rawValue: 10)
    public static let tooManyChannels = MCSResult(rawValue: 11)
    public static let tooManyTokens = MCSResult(rawValue: 12)
    public static let tooManyUsers = MCSResult(rawValue: 13)
    public static let unspecifiedFailure = MCSResult(rawValue: 14)
    public static let userRejected = MCSResult(rawValue: 15)

    public var name: String? {
        let names = [
            "rt-successful", "rt-domain-merging", "rt-domain-not-hierarchical", "rt-no-such-channel",
            "rt-no-such-domain", "rt-no-such-user", "rt-not-admitted", "rt-other-user-id",
            "rt-parameters-unacceptable", "rt-token-not-available", "rt-token-not-possessed",
            "rt-too-many-channels", "rt-too-many-tokens", "rt-too-many-users",
            "rt-unspecified-failure", "rt-user-rejected",
        ]
        return Int(rawValue) < names.count ? names[Int(rawValue)] : nil
    }
}

/// Server MCS Connect Response PDU with GCC Conference Create Response
/// (MS-RDPBCGR 2.2.1.4; T.125 Connect-Response in BER, T.124 in PER).
public struct MCSConnectResponse: Equatable, Sendable {
    public var result: MCSResult
    public var calledConnectID: UInt32?
    public var domainParameters: DomainParameters?
    /// The GCC ConferenceCreateResponse result (0 is success).
    public var conferenceResult: UInt8?
    /// The GCC node id (T.124 UserID), usually 1001 + n.
    public var nodeID: UInt16?
    /// Absent when the server refused with a bare result (3.3.5.3.3.1).
    public var serverData: ServerConnectData?

    static let pdu = "MCS Connect Response"

    public static func decode(_ frame: ArraySlice<UInt8>) throws(WireError) -> MCSConnectResponse {
        var reader = ByteReader(try X224Data.payload(of: frame, pdu: pdu), pdu: pdu)
        let tag = try reader.bytes(2, "BER tag")
        guard tag.elementsEqual([0x7F, 0x66]) else {
            throw reader.error(
                .invalidField(reason: "is \(tag.map { hexString($0) }.joined(separator: " ")), expected 0x7F 0x66 (Connect-Response)"),
                field: "BER tag")
        }
        var body = try reader.subReader(length: try reader.berLength("Connect-Response length"), "Connect-Response length")
        let rawResult = try body.berUnsigned(BERTag.enumerated, "result")
        guard rawResult <= 0xFF else {
            throw body.error(.tooLarge(value: Int(rawResult), limit: 0xFF), field: "result")
        }
        let result = MCSResult(rawValue: UInt8(rawResult))
        var response = MCSConnectResponse(result: result)
        if body.isAtEnd { return response }
        response.calledConnectID = try body.berUnsigned(BERTag.integer, "calledConnectId")
        response.domainParameters = try DomainParameters.decode(from: &body)
        let userData = try body.berContents(BERTag.octetString, "userData")
        try decodeConferenceCreateResponse(userData, into: &response)
        return response
    }

    /// GCC ConnectData with a ConferenceCreateResponse (T.124 8.7, PER) whose
    /// h221NonStandard user data ("McDn") holds the server blocks.
    static func decodeConferenceCreateResponse(_ reader: ByteReader, into response: inout MCSConnectResponse) throws(WireError) {
        var gcc = reader
        gcc.pdu = "GCC Conference Create Response"
        let identifier = try gcc.bytes(t124Identifier.count, "t124Identifier")
        guard identifier.elementsEqual(t124Identifier) else {
            throw gcc.error(.invalidField(reason: "is not the T.124 object identifier 0.0.20.124.0.1"), field: "t124Identifier")
        }
        // Windows writes a wrong connectPDU length here, so it is read and ignored.
        _ = try gcc.perLength("connectPDU length")
        let choice = try gcc.u8("ConnectGCCPDU choice")
        guard choice == 0x14 else {
            throw gcc.error(
                .invalidField(reason: "is \(hexString(choice)), expected 0x14 (conferenceCreateResponse)"),
                field: "ConnectGCCPDU choice")
        }
        response.nodeID = try gcc.u16BE("nodeID") &+ 1001
        let tagLength = Int(try gcc.u8("tag length"))
        guard (1...4).contains(tagLength) else {
            throw gcc.error(.invalidField(reason: "is \(tagLength) bytes, expected 1 to 4"), field: "tag length")
        }
        try gcc.skip(tagLength, "tag")
        let conferenceResult = try gcc.u8("result")
        response.conferenceResult = conferenceResult
        if gcc.isAtEnd { return }
        let setCount = try gcc.u8("userData set count")
        guard setCount >= 1 else { return }
        let keyChoice = try gcc.u8("userData key choice")
        guard keyChoice & 0xC0 == 0xC0 else {
            throw gcc.error(
                .invalidField(reason: "is \(hexString(keyChoice)), expected an h221NonStandard key with a value"),
                field: "userData key choice")
        }
        let keyLength = Int(try gcc.u8("h221NonStandard length")) + 4
        let key = try gcc.bytes(keyLength, "h221NonStandard key")
        guard key.elementsEqual("McDn".utf8) else {
            throw gcc.error(.invalidField(reason: "is not \"McDn\""), field: "h221NonStandard key")
        }
        let length = try gcc.perLength("user data length")
        let blocks = try gcc.subReader(length: length, "user data length")
        response.serverData = try ServerConnectData.decode(blocks.remainingBytes)
    }
}

extension ByteReader {
    /// The unread bytes, leaving this copy untouched.
    var remainingBytes: ArraySlice<UInt8> {
        var copy = self
        return copy.rest()
    }
}
