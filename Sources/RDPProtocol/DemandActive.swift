import RDPWire

/// capabilitySetType (MS-RDPBCGR 2.2.1.13.1.1.1).
public struct CapabilitySetType: RawRepresentable, Hashable, Sendable {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let general = CapabilitySetType(rawValue: 1)
    public static let bitmap = CapabilitySetType(rawValue: 2)
    public static let order = CapabilitySetType(rawValue: 3)
    public static let bitmapCache = CapabilitySetType(rawValue: 4)
    public static let control = CapabilitySetType(rawValue: 5)
    public static let activation = CapabilitySetType(rawValue: 7)
    public static let pointer = CapabilitySetType(rawValue: 8)
    public static let share = CapabilitySetType(rawValue: 9)
    public static let colorCache = CapabilitySetType(rawValue: 10)
    public static let sound = CapabilitySetType(rawValue: 12)
    public static let input = CapabilitySetType(rawValue: 13)
    public static let font = CapabilitySetType(rawValue: 14)
    public static let brush = CapabilitySetType(rawValue: 15)
    public static let glyphCache = CapabilitySetType(rawValue: 16)
    public static let offscreenCache = CapabilitySetType(rawValue: 17)
    public static let bitmapCacheHostSupport = CapabilitySetType(rawValue: 18)
    public static let bitmapCacheV2 = CapabilitySetType(rawValue: 19)
    public static let virtualChannel = CapabilitySetType(rawValue: 20)
    public static let drawNineGridCache = CapabilitySetType(rawValue: 21)
    public static let drawGDIPlus = CapabilitySetType(rawValue: 22)
    public static let rail = CapabilitySetType(rawValue: 23)
    public static let window = CapabilitySetType(rawValue: 24)
    public static let desktopComposition = CapabilitySetType(rawValue: 25)
    public static let multifragmentUpdate = CapabilitySetType(rawValue: 26)
    public static let largePointer = CapabilitySetType(rawValue: 27)
    public static let surfaceCommands = CapabilitySetType(rawValue: 28)
    public static let bitmapCodecs = CapabilitySetType(rawValue: 29)
    public static let frameAcknowledge = CapabilitySetType(rawValue: 30)
}

/// One capability set, kept as received.
public struct CapabilitySet: Equatable, Sendable {
    public var type: CapabilitySetType
    /// The set without its 4-byte type/length header.
    public var body: [UInt8]

    public init(type: CapabilitySetType, body: [UInt8]) {
        self.type = type
        self.body = body
    }
}

/// Server Demand Active PDU (2.2.1.13.1) after its share control header.
public struct DemandActivePDU: Equatable, Sendable {
    public var shareID: UInt32
    /// Usually "RDP".
    public var sourceDescriptor: String
    public var capabilitySets: [CapabilitySet]
    /// Absent from some old servers.
    public var sessionID: UInt32?
    /// pduSource of the share control header: the server channel id that a
    /// Confirm Active must name as its originator.
    public var source: UInt16?

    static func decode(from reader: inout ByteReader) throws(WireError) -> DemandActivePDU {
        let shareID = try reader.u32LE("shareID")
        let sourceLength = Int(try reader.u16LE("lengthSourceDescriptor"))
        let capabilitiesLength = Int(try reader.u16LE("lengthCombinedCapabilities"))
        try reader.check(declaredLength: sourceLength, "lengthSourceDescriptor")
        let source = ASCII.decode(try reader.bytes(sourceLength, "sourceDescriptor"))
        var capabilities = try reader.subReader(length: capabilitiesLength, "lengthCombinedCapabilities")
        let count = Int(try capabilities.u16LE("numberCapabilities"))
        try capabilities.skip(2, "pad2Octets")
        var sets: [CapabilitySet] = []
        for _ in 0..<count {
            let type = CapabilitySetType(rawValue: try capabilities.u16LE("capabilitySetType"))
            let length = Int(try capabilities.u16LE("lengthCapability"))
            guard length >= 4 else {
                throw capabilities.error(
                    .invalidField(reason: "\(length) is shorter than the 4-byte capability header"),
                    field: "lengthCapability")
            }
            try capabilities.check(declaredLength: length - 4, "lengthCapability")
            sets.append(CapabilitySet(type: type, body: Array(try capabilities.bytes(length - 4, "capabilityData"))))
        }
        let session: UInt32? = reader.remaining >= 4 ? try reader.u32LE("sessionId") : nil
        return DemandActivePDU(
            shareID: shareID, sourceDescriptor: source, capabilitySets: sets, sessionID: session,
            source: nil)
    }

    public func capability(_ type: CapabilitySetType) -> CapabilitySet? {
        capabilitySets.first { $0.type == type }
    }

    /// osMajorType and osMinorType from the General capability set (2.2.7.1.1).
    public var serverOS: (major: UInt16, minor: UInt16)? {
        guard let body = capability(.general)?.body else { return nil }
        var reader = ByteReader(body, pdu: "General Capability Set")
        guard let major = try? reader.u16LE("osMajorType"), let minor = try? reader.u16LE("osMinorType") else { return nil }
        return (major, minor)
    }

    /// Desktop size and colour depth from the Bitmap capability set (2.2.7.1.2).
    public var desktop: (width: UInt16, height: UInt16, bitsPerPixel: UInt16)? {
        guard let body = capability(.bitmap)?.body else { return nil }
        var reader = ByteReader(body, pdu: "Bitmap Capability Set")
        do {
            let bpp = try reader.u16LE("preferredBitsPerPixel")
            try reader.skip(6, "receive1/4/8BitPerPixel")
            return (try reader.u16LE("desktopWidth"), try reader.u16LE("desktopHeight"), bpp)
        } catch {
            return nil
        }
    }
}
