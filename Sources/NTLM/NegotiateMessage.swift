import RDPWire

// NEGOTIATE_MESSAGE (MS-NLMP 2.2.1.1): the client's opening offer.

/// The first NTLM message, sent by the client.
public struct NegotiateMessage: Sendable, Hashable {
    public private(set) var flags: NegotiateFlags
    /// The client's domain, sent in the OEM code page (rarely used).
    public var domain: String?
    /// The client's workstation name, sent in the OEM code page (rarely used).
    public var workstation: String?
    public var version: NTLMVersion?

    /// The flags that announce which optional fields are present
    /// (NEGOTIATE_VERSION, OEM_DOMAIN_SUPPLIED, OEM_WORKSTATION_SUPPLIED) are
    /// set or cleared to match the arguments, so flags and fields never disagree.
    public init(
        flags: NegotiateFlags = .clientDefault,
        domain: String? = nil,
        workstation: String? = nil,
        version: NTLMVersion? = nil
    ) {
        var flags = flags
        flags.remove([.negotiateVersion, .negotiateOEMDomainSupplied, .negotiateOEMWorkstationSupplied])
        if version != nil { flags.insert(.negotiateVersion) }
        if domain != nil { flags.insert(.negotiateOEMDomainSupplied) }
        if workstation != nil { flags.insert(.negotiateOEMWorkstationSupplied) }
        self.flags = flags
        self.domain = domain
        self.workstation = workstation
        self.version = version
    }

    /// Header (32 bytes, 40 with Version), then the payload. Empty fields
    /// point at the end of the header.
    public func encoded() -> [UInt8] {
        let domainBytes = domain.map { encodeString($0, unicode: false) } ?? []
        let workstationBytes = workstation.map { encodeString($0, unicode: false) } ?? []
        let headerCount = version == nil ? 32 : 40
        var bytes = ByteWriter(capacity: headerCount + domainBytes.count + workstationBytes.count)
        bytes.append(ntlmSignature)
        bytes.u32LE(1)
        bytes.u32LE(flags.rawValue)
        bytes.fieldDescriptor(count: domainBytes.count, offset: headerCount)
        bytes.fieldDescriptor(count: workstationBytes.count, offset: headerCount + domainBytes.count)
        if let version { bytes.append(version.encoded) }
        bytes.append(domainBytes)
        bytes.append(workstationBytes)
        return bytes.bytes
    }
}

extension ByteWriter {
    /// A payload field's Len, MaxLen and BufferOffset (MS-NLMP 2.2.1).
    mutating func fieldDescriptor(count: Int, offset: Int) {
        u16LE(UInt16(truncatingIfNeeded: count))
        u16LE(UInt16(truncatingIfNeeded: count))
        u32LE(UInt32(truncatingIfNeeded: offset))
    }
}
