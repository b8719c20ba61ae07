import RDPWire

/// The two datagrams that open an RDP-UDP connection (MS-RDPEUDP 3.1.5.1.1 and
/// 3.1.5.1.3): the client's SYN and the server's SYN+ACK share one layout.
///
///     RDPUDP_FEC_HEADER             snSourceAck u32, uReceiveWindowSize u16, uFlags u16
///     RDPUDP_SYNDATA_PAYLOAD        snInitialSequenceNumber u32, uUpStreamMtu u16, uDownStreamMtu u16
///     RDPUDP_CORRELATION_ID_PAYLOAD uCorrelationId[16], uReserved[16]      if RDPUDP_FLAG_CORRELATION_ID
///     RDPUDP_SYNDATAEX_PAYLOAD      uSynExFlags u16, uUdpVer u16 [, cookieHash[32]]   if RDPUDP_FLAG_SYNEX
///     zero padding up to the smaller MTU
///
/// All fields are big-endian (2.2). The decoder reads only what the flags
/// announce and ignores the padding, whatever its length: a server that pads
/// short still answered, and that is what a probe wants to know.
public struct RDPUDPSynDatagram: Equatable, Sendable {
    /// snSourceAck of a SYN: -1, nothing received yet (3.1.5.1.1).
    public static let noAcknowledgement: UInt32 = 0xFFFF_FFFF
    public static let correlationIDSize = 16
    /// FEC header + SYNDATA: the shortest datagram that can be a SYN.
    public static let minimumSize = 8 + RDPUDPSynData.size

    public var sourceAck: UInt32
    public var receiveWindowSize: UInt16
    /// uFlags. CORRELATION_ID and SYNEX always agree with the payloads below.
    public private(set) var flags: RDPUDPFlags
    public var synData: RDPUDPSynData
    public var correlationID: [UInt8]? { didSet { syncPayloadFlags() } }
    public var synDataEx: RDPUDPSynDataEx? { didSet { syncPayloadFlags() } }

    public init(
        sourceAck: UInt32, receiveWindowSize: UInt16, flags: RDPUDPFlags, synData: RDPUDPSynData,
        correlationID: [UInt8]? = nil, synDataEx: RDPUDPSynDataEx? = nil
    ) {
        self.sourceAck = sourceAck
        self.receiveWindowSize = receiveWindowSize
        self.flags = flags
        self.synData = synData
        self.correlationID = correlationID
        self.synDataEx = synDataEx
        syncPayloadFlags()
    }

    private mutating func syncPayloadFlags() {
        if correlationID == nil { flags.remove(.correlationID) } else { flags.insert(.correlationID) }
        if synDataEx == nil { flags.remove(.synEx) } else { flags.insert(.synEx) }
    }

    public var isSynAck: Bool { flags.contains([.syn, .ack]) }

    /// The size 3.1.5.1.1 step 6 requires: zero-padded to the smaller MTU.
    public var paddedSize: Int { Int(min(synData.upStreamMTU, synData.downStreamMTU)) }

    /// A client SYN as a Windows client sends it for the reliable tunnel, offering
    /// `version` in a SYNDATAEX (nil: no SYNDATAEX, which implies version 1).
    /// Version 3 is not offered by default: it needs the TCP connection's cookie hash.
    public static func clientSYN(
        initialSequenceNumber: UInt32, receiveWindowSize: UInt16 = 64, mtu: UInt16 = 1232,
        version: RDPUDPProtocolVersion? = .version2, correlationID: [UInt8]? = nil,
        lossy: Bool = false
    ) -> RDPUDPSynDatagram {
        RDPUDPSynDatagram(
            sourceAck: noAcknowledgement, receiveWindowSize: receiveWindowSize,
            flags: lossy ? [.syn, .synLossy] : [.syn],
            synData: RDPUDPSynData(initialSequenceNumber: initialSequenceNumber, upStreamMTU: mtu, downStreamMTU: mtu),
            correlationID: correlationID,
            synDataEx: version.map { RDPUDPSynDataEx(version: $0) })
    }

    /// The server's answer to `syn` (3.1.5.1.3): acknowledges its initial sequence
    /// number, takes the smaller MTUs, and agrees on the highest common version
    /// only if the SYN carried a SYNDATAEX. Used by loopback test servers.
    public static func synAck(
        answering syn: RDPUDPSynDatagram, initialSequenceNumber: UInt32,
        receiveWindowSize: UInt16 = 64, mtu: UInt16 = 1232,
        highestVersion: RDPUDPProtocolVersion = .version2
    ) -> RDPUDPSynDatagram {
        let offered = syn.synDataEx?.version ?? .version1
        let agreed = offered.rawValue < highestVersion.rawValue ? offered : highestVersion
        return RDPUDPSynDatagram(
            sourceAck: syn.synData.initialSequenceNumber, receiveWindowSize: receiveWindowSize,
            flags: syn.flags.intersection(.synLossy).union([.syn, .ack]),
            synData: RDPUDPSynData(
                initialSequenceNumber: initialSequenceNumber,
                upStreamMTU: min(mtu, syn.synData.downStreamMTU),
                downStreamMTU: min(mtu, syn.synData.upStreamMTU)),
            synDataEx: syn.synDataEx == nil ? nil : RDPUDPSynDataEx(version: agreed))
    }
}

// MARK: - Encoding

extension RDPUDPSynDatagram {
    /// The datagram, zero-padded to `paddedSize` unless `padded` is false (tests
    /// compare the meaningful part). Throws for values the spec forbids.
    public func encode(padded: Bool = true) throws(WireError) -> [UInt8] {
        let pdu = isSynAck ? "RDP-UDP SYN+ACK datagram" : "RDP-UDP SYN datagram"
        for (mtu, field) in [(synData.upStreamMTU, "uUpStreamMtu"), (synData.downStreamMTU, "uDownStreamMtu")]
        where !RDPUDPSynData.mtuRange.contains(mtu) {
            throw WireError(.invalidField(reason: "is \(mtu), outside 1132...1232"), pdu: pdu, field: field)
        }
        var writer = ByteWriter(capacity: padded ? paddedSize : 84)
        writer.u32BE(sourceAck)
        writer.u16BE(receiveWindowSize)
        writer.u16BE(flags.rawValue)
        writer.u32BE(synData.initialSequenceNumber)
        writer.u16BE(synData.upStreamMTU)
        writer.u16BE(synData.downStreamMTU)
        if let correlationID {
            guard correlationID.count == Self.correlationIDSize else {
                throw WireError(
                    .invalidField(reason: "has \(correlationID.count) bytes, expected 16"),
                    pdu: pdu, field: "uCorrelationId")
            }
            writer.append(correlationID)
            writer.zeros(16)  // uReserved
        }
        if let synDataEx {
            writer.u16BE(synDataEx.synExFlags)
            writer.u16BE(synDataEx.udpVersion)
            if let hash = synDataEx.cookieHash {
                guard hash.count == RDPUDPSynDataEx.cookieHashSize else {
                    throw WireError(
                        .invalidField(reason: "has \(hash.count) bytes, expected 32"),
                        pdu: pdu, field: "cookieHash")
                }
                writer.append(hash)
            }
        }
        if padded { writer.zeros(paddedSize - writer.count) }
        return writer.bytes
    }
}

// MARK: - Decoding

extension RDPUDPSynDatagram {
    /// Decodes the server's SYN+ACK: both RDPUDP_FLAG_SYN and RDPUDP_FLAG_ACK must be set.
    public static func decodeSynAck(_ datagram: ArraySlice<UInt8>) throws(WireError) -> RDPUDPSynDatagram {
        try decode(datagram, expectingAck: true)
    }

    /// Decodes a client SYN (RDPUDP_FLAG_SYN without RDPUDP_FLAG_ACK); for test servers.
    public static func decodeSyn(_ datagram: ArraySlice<UInt8>) throws(WireError) -> RDPUDPSynDatagram {
        try decode(datagram, expectingAck: false)
    }

    static func decode(_ datagram: ArraySlice<UInt8>, expectingAck: Bool) throws(WireError) -> RDPUDPSynDatagram {
        var reader = ByteReader(datagram, pdu: expectingAck ? "RDP-UDP SYN+ACK datagram" : "RDP-UDP SYN datagram")
        let sourceAck = try reader.u32BE("snSourceAck")
        let window = try reader.u16BE("uReceiveWindowSize")
        let flags = RDPUDPFlags(rawValue: try reader.u16BE("uFlags"))
        let wanted: RDPUDPFlags = expectingAck ? [.syn, .ack] : [.syn]
        guard flags.contains(wanted), expectingAck || !flags.contains(.ack) else {
            let names = flags.names.isEmpty ? "no flags" : flags.names.joined(separator: " | ")
            let expected = expectingAck ? "RDPUDP_FLAG_SYN | RDPUDP_FLAG_ACK" : "RDPUDP_FLAG_SYN without RDPUDP_FLAG_ACK"
            throw reader.error(
                .invalidField(reason: "is \(hexString(flags.rawValue)) (\(names)), expected \(expected)"),
                field: "uFlags")
        }
        let synData = RDPUDPSynData(
            initialSequenceNumber: try reader.u32BE("snInitialSequenceNumber"),
            upStreamMTU: try reader.u16BE("uUpStreamMtu"),
            downStreamMTU: try reader.u16BE("uDownStreamMtu"))
        for (mtu, field) in [(synData.upStreamMTU, "uUpStreamMtu"), (synData.downStreamMTU, "uDownStreamMtu")]
        where !RDPUDPSynData.mtuRange.contains(mtu) {
            throw reader.error(.invalidField(reason: "is \(mtu), outside 1132...1232"), field: field)
        }
        var correlationID: [UInt8]?
        if flags.contains(.correlationID) {
            correlationID = Array(try reader.bytes(Self.correlationIDSize, "uCorrelationId"))
            try reader.skip(16, "uReserved")
        }
        var synDataEx: RDPUDPSynDataEx?
        if flags.contains(.synEx) {
            let exFlags = try reader.u16BE("uSynExFlags")
            let version = try reader.u16BE("uUdpVer")
            // 2.2.2.9: the hash travels only in a client SYN offering version 3.
            let hasHash =
                !expectingAck && exFlags & RDPUDPSynDataEx.versionInfoValid != 0
                && version == RDPUDPProtocolVersion.version3.rawValue
            var hash: [UInt8]?
            if hasHash { hash = Array(try reader.bytes(RDPUDPSynDataEx.cookieHashSize, "cookieHash")) }
            synDataEx = RDPUDPSynDataEx(synExFlags: exFlags, udpVersion: version, cookieHash: hash)
        }
        // What is left is padding (3.1.5.1.1 step 6); its length and content are not checked.
        return RDPUDPSynDatagram(
            sourceAck: sourceAck, receiveWindowSize: window, flags: flags, synData: synData,
            correlationID: correlationID, synDataEx: synDataEx)
    }
}
