import RDPWire

// AUTHENTICATE_MESSAGE (MS-NLMP 2.2.1.3): the client's proof. The payload is
// laid out in the order of MS-NLMP's 4.2.4.3 example (domain, user,
// workstation, LM response, NT response, session key) so that example can be
// reproduced byte for byte.

/// The third NTLM message, sent by the client.
public struct AuthenticateMessage: Sendable, Hashable {
    public var flags: NegotiateFlags
    public var lmChallengeResponse: [UInt8]
    public var ntChallengeResponse: [UInt8]
    public var domain: String
    public var user: String
    public var workstation: String
    public var encryptedRandomSessionKey: [UInt8]
    public var version: NTLMVersion?
    /// The 16-byte message integrity code, when the message has room for one.
    public var mic: [UInt8]?

    /// Where the MIC sits in an encoded message.
    public static let micOffset = 72

    public init(
        flags: NegotiateFlags,
        lmChallengeResponse: [UInt8],
        ntChallengeResponse: [UInt8],
        domain: String,
        user: String,
        workstation: String,
        encryptedRandomSessionKey: [UInt8],
        version: NTLMVersion? = nil,
        mic: [UInt8]? = nil
    ) {
        self.flags = flags
        self.lmChallengeResponse = lmChallengeResponse
        self.ntChallengeResponse = ntChallengeResponse
        self.domain = domain
        self.user = user
        self.workstation = workstation
        self.encryptedRandomSessionKey = encryptedRandomSessionKey
        self.version = version
        self.mic = mic
    }

    /// Header: 64 bytes, +8 for Version (zeroed if there is a MIC but no
    /// version), +16 for the MIC.
    public func encoded() -> [UInt8] {
        let unicode = flags.contains(.negotiateUnicode)
        let fields = [
            encodeString(domain, unicode: unicode), encodeString(user, unicode: unicode),
            encodeString(workstation, unicode: unicode), lmChallengeResponse, ntChallengeResponse,
            encryptedRandomSessionKey,
        ]
        let headerCount = 64 + (version != nil || mic != nil ? 8 : 0) + (mic != nil ? 16 : 0)
        var offsets: [Int] = []
        var next = headerCount
        for field in fields {
            offsets.append(next)
            next += field.count
        }
        var bytes = ByteWriter(capacity: next)
        bytes.append(ntlmSignature)
        bytes.u32LE(3)
        // Header order: LM, NT, domain, user, workstation, session key.
        for index in [3, 4, 0, 1, 2, 5] {
            bytes.fieldDescriptor(count: fields[index].count, offset: offsets[index])
        }
        bytes.u32LE(flags.rawValue)
        if version != nil || mic != nil {
            bytes.append(version?.encoded ?? [UInt8](repeating: 0, count: 8))
        }
        if let mic { bytes.append(mic) }
        bytes.append(fields.joined())
        return bytes.bytes
    }

    /// Decodes a message. Version and MIC are read when the first payload
    /// byte leaves room for them, since no flag announces the MIC.
    public init(decoding bytes: [UInt8]) throws(NTLMError) {
        guard bytes.count >= 64 else { throw .truncated("AUTHENTICATE_MESSAGE header") }
        var reader = NTLMReader(bytes)
        try readMessageHeader(&reader, expecting: 3)
        let lm = try reader.readPayloadField("LmChallengeResponse")
        let nt = try reader.readPayloadField("NtChallengeResponse")
        let domainBytes = try reader.readPayloadField("DomainName")
        let userBytes = try reader.readPayloadField("UserName")
        let workstationBytes = try reader.readPayloadField("Workstation")
        let key = try reader.readPayloadField("EncryptedRandomSessionKey")
        flags = NegotiateFlags(rawValue: try reader.readUInt32())
        let payloadStart =
            stride(from: 12, through: 52, by: 8)
            .compactMap { NTLMReader.payloadOffset(bytes, descriptorAt: $0) }
            .min() ?? bytes.count
        if payloadStart >= 72 {
            let versionStructure = try NTLMVersion(&reader)
            version = flags.contains(.negotiateVersion) ? versionStructure : nil
        } else {
            version = nil
        }
        mic = payloadStart >= 88 ? try reader.readBytes(16, "MIC") : nil
        let unicode = flags.contains(.negotiateUnicode)
        lmChallengeResponse = lm
        ntChallengeResponse = nt
        domain = try decodeString(domainBytes, unicode: unicode, field: "DomainName")
        user = try decodeString(userBytes, unicode: unicode, field: "UserName")
        workstation = try decodeString(workstationBytes, unicode: unicode, field: "Workstation")
        encryptedRandomSessionKey = key
    }
}
