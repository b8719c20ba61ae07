import RDPWire

// Reading the client's MCS Connect Initial (MS-RDPBCGR 2.2.1.3), as a capture
// shows it: in clear under standard RDP security, or once TLS is decrypted.
// rdpdoctor writes these PDUs for its own walks (MCSConnectInitial.swift);
// here the same types are filled from a real client's bytes.

extension ClientCoreData {
    /// The optional tail of TS_UD_CS_CORE: each field is there only when all
    /// before it are (2.2.1.3.2). A decoded value records how far the client
    /// wrote; `encodeBody` always writes through `serverSelectedProtocol`.
    public enum OptionalField: Int, Comparable, Sendable {
        case postBeta2ColorDepth, clientProductID, serialNumber, highColorDepth, supportedColorDepths,
            earlyCapabilityFlags, clientDigProductID, connectionType, serverSelectedProtocol

        public static func < (lhs: OptionalField, rhs: OptionalField) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    /// The mandatory part: version through imeFileName.
    static let mandatoryLength = 128

    /// Whether the client wrote `field` (always true for a value built to be sent).
    public func has(_ field: OptionalField) -> Bool {
        lastFieldPresent.map { field <= $0 } ?? false
    }

    static func decode(from reader: inout ByteReader) throws(WireError) -> ClientCoreData {
        var core = ClientCoreData()
        core.version = RDPVersion(rawValue: try reader.u32LE("version"))
        core.desktopWidth = try reader.u16LE("desktopWidth")
        core.desktopHeight = try reader.u16LE("desktopHeight")
        core.colorDepth = try reader.u16LE("colorDepth")
        core.sasSequence = try reader.u16LE("SASSequence")
        core.keyboardLayout = try reader.u32LE("keyboardLayout")
        core.clientBuild = try reader.u32LE("clientBuild")
        core.clientName = UTF16LE.decodeUntilNUL(try reader.bytes(32, "clientName"))
        core.keyboardType = try reader.u32LE("keyboardType")
        core.keyboardSubType = try reader.u32LE("keyboardSubType")
        core.keyboardFunctionKeys = try reader.u32LE("keyboardFunctionKey")
        core.imeFileName = UTF16LE.decodeUntilNUL(try reader.bytes(64, "imeFileName"))
        core.lastFieldPresent = nil
        // Each optional field is read only when the block holds all of it; a
        // field cut in the middle ends the reading (clients do not write one).
        func next(_ field: OptionalField, _ size: Int) -> Bool {
            guard reader.remaining >= size else { return false }
            core.lastFieldPresent = field
            return true
        }
        guard next(.postBeta2ColorDepth, 2) else { return core }
        core.postBeta2ColorDepth = try reader.u16LE("postBeta2ColorDepth")
        guard next(.clientProductID, 2) else { return core }
        core.clientProductID = try reader.u16LE("clientProductId")
        guard next(.serialNumber, 4) else { return core }
        core.serialNumber = try reader.u32LE("serialNumber")
        guard next(.highColorDepth, 2) else { return core }
        core.highColorDepth = try reader.u16LE("highColorDepth")
        guard next(.supportedColorDepths, 2) else { return core }
        core.supportedColorDepths = try reader.u16LE("supportedColorDepths")
        guard next(.earlyCapabilityFlags, 2) else { return core }
        core.earlyCapabilityFlags = ClientEarlyCapabilityFlags(rawValue: try reader.u16LE("earlyCapabilityFlags"))
        guard next(.clientDigProductID, 64) else { return core }
        core.clientDigProductID = UTF16LE.decodeUntilNUL(try reader.bytes(64, "clientDigProductId"))
        guard next(.connectionType, 2) else { return core }
        core.connectionType = try reader.u8("connectionType")
        try reader.skip(1, "pad1octet")
        guard next(.serverSelectedProtocol, 4) else { return core }
        core.serverSelectedProtocol = SecurityProtocols(rawValue: try reader.u32LE("serverSelectedProtocol"))
        // The display fields after it (physical size, orientation, scale) are not read.
        return core
    }
}

extension ClientNetworkData {
    static func decode(from reader: inout ByteReader) throws(WireError) -> ClientNetworkData {
        let count = Int(try reader.u32LE("channelCount"))
        // Checked against the block before any channel is read: the count cannot size anything by itself.
        try reader.check(declaredLength: count * 12, "channelCount")
        var channels: [ChannelDefinition] = []
        for _ in 0..<count {
            let name = try reader.bytes(8, "channel name")
            let text = String(decoding: name.prefix { $0 != 0 }.map { $0 < 0x80 ? $0 : UInt8(ascii: "?") }, as: UTF8.self)
            channels.append(ChannelDefinition(name: text, options: ChannelOptions(rawValue: try reader.u32LE("channel options"))))
        }
        return ClientNetworkData(channels: channels)
    }
}

extension ClientConnectData {
    static let pdu = "Client data blocks"

    /// The client blocks in the order sent; core is required, the others
    /// optional; blocks rdpdoctor does not keep (monitor, message channel,
    /// multitransport) are checked for their length and passed over.
    public static func decode(_ bytes: ArraySlice<UInt8>) throws(WireError) -> ClientConnectData {
        var reader = ByteReader(bytes, pdu: pdu)
        var core: ClientCoreData?
        var cluster: ClientClusterData?
        var security: ClientSecurityData?
        var network: ClientNetworkData?
        while !reader.isAtEnd {
            let type = UserDataBlockType(rawValue: try reader.u16LE("block type"))
            let length = Int(try reader.u16LE("block length"))
            guard length >= 4 else {
                throw reader.error(
                    .invalidField(reason: "\(length) is shorter than the 4-byte block header"),
                    field: "block length")
            }
            var body = try reader.subReader(length: length - 4, "block length", pdu: blockName(type))
            switch type {
            case .clientCore:
                try body.check(declaredLength: ClientCoreData.mandatoryLength, "block length")
                core = try ClientCoreData.decode(from: &body)
            case .clientSecurity:
                security = ClientSecurityData(
                    encryptionMethods: EncryptionMethods(rawValue: try body.u32LE("encryptionMethods")),
                    extEncryptionMethods: try body.u32LE("extEncryptionMethods"))
            case .clientNetwork:
                network = try ClientNetworkData.decode(from: &body)
            case .clientCluster:
                cluster = ClientClusterData(
                    flags: ClusterFlags(rawValue: try body.u32LE("Flags")),
                    redirectedSessionID: try body.u32LE("RedirectedSessionID"))
            default:
                break
            }
        }
        guard let core else {
            throw reader.error(.invalidField(reason: "has no Client Core Data block"), field: "block type")
        }
        return ClientConnectData(
            core: core, cluster: cluster,
            security: security ?? ClientSecurityData(encryptionMethods: .none),
            network: network)
    }

    static func blockName(_ type: UserDataBlockType) -> String {
        switch type {
        case .clientCore: return "Client Core Data"
        case .clientSecurity: return "Client Security Data"
        case .clientNetwork: return "Client Network Data"
        case .clientCluster: return "Client Cluster Data"
        default: return "Client data block \(hexString(type.rawValue))"
        }
    }
}

extension MCSConnectInitial {
    /// One whole TPKT frame holding the client's Connect-Initial.
    public static func decode(_ frame: ArraySlice<UInt8>) throws(WireError) -> MCSConnectInitial {
        var reader = ByteReader(try X224Data.payload(of: frame, pdu: pdu), pdu: pdu)
        let tag = try reader.bytes(2, "BER tag")
        guard tag.elementsEqual([0x7F, 0x65]) else {
            throw reader.error(
                .invalidField(reason: "is \(tag.map { hexString($0) }.joined(separator: " ")), expected 0x7F 0x65 (Connect-Initial)"),
                field: "BER tag")
        }
        var body = try reader.subReader(length: try reader.berLength("Connect-Initial length"), "Connect-Initial length")
        _ = try body.berContents(BERTag.octetString, "callingDomainSelector")
        _ = try body.berContents(BERTag.octetString, "calledDomainSelector")
        _ = try body.berContents(BERTag.boolean, "upwardFlag")
        let target = try DomainParameters.decode(from: &body)
        let minimum = try DomainParameters.decode(from: &body)
        let maximum = try DomainParameters.decode(from: &body)
        let userData = try body.berContents(BERTag.octetString, "userData")
        var initial = MCSConnectInitial(clientData: try decodeConferenceCreateRequest(userData))
        initial.targetParameters = target
        initial.minimumParameters = minimum
        initial.maximumParameters = maximum
        return initial
    }

    /// GCC ConnectData with a ConferenceCreateRequest (T.124 8.7, PER) whose
    /// h221NonStandard user data ("Duca") holds the client blocks. Clients
    /// write the request's fixed part (conference name "1", no password, no
    /// privileges) the same way; its bytes are passed over, not interpreted.
    static func decodeConferenceCreateRequest(_ reader: ByteReader) throws(WireError) -> ClientConnectData {
        var gcc = reader
        gcc.pdu = "GCC Conference Create Request"
        let identifier = try gcc.bytes(t124Identifier.count, "t124Identifier")
        guard identifier.elementsEqual(t124Identifier) else {
            throw gcc.error(.invalidField(reason: "is not the T.124 object identifier 0.0.20.124.0.1"), field: "t124Identifier")
        }
        _ = try gcc.perLength("connectPDU length")
        let choice = try gcc.u8("ConnectGCCPDU choice")
        guard choice == 0x00 else {
            throw gcc.error(
                .invalidField(reason: "is \(hexString(choice)), expected 0x00 (conferenceCreateRequest)"),
                field: "ConnectGCCPDU choice")
        }
        let present = try gcc.u8("optional fields")
        guard present == 0x08 else {
            throw gcc.error(
                .unsupported(reason: "optional fields \(hexString(present)) (only userData, 0x08, is written by RDP clients)"),
                field: "optional fields")
        }
        try gcc.skip(3, "conferenceName and flags")
        let setCount = try gcc.u8("userData set count")
        guard setCount >= 1 else {
            throw gcc.error(.invalidField(reason: "is 0: no client data"), field: "userData set count")
        }
        let keyChoice = try gcc.u8("userData key choice")
        guard keyChoice & 0xC0 == 0xC0 else {
            throw gcc.error(
                .invalidField(reason: "is \(hexString(keyChoice)), expected an h221NonStandard key with a value"),
                field: "userData key choice")
        }
        let keyLength = Int(try gcc.u8("h221NonStandard length")) + 4
        let key = try gcc.bytes(keyLength, "h221NonStandard key")
        guard key.elementsEqual("Duca".utf8) else {
            throw gcc.error(.invalidField(reason: "is not \"Duca\""), field: "h221NonStandard key")
        }
        let length = try gcc.perLength("user data length")
        let blocks = try gcc.subReader(length: length, "user data length")
        return try ClientConnectData.decode(blocks.remainingBytes)
    }
}
