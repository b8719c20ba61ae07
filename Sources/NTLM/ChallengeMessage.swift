import RDPWire

// CHALLENGE_MESSAGE (MS-NLMP 2.2.1.2): the server's answer, which names the
// server (target name, AV pairs) and its Windows version before any
// credential is sent. Decoded from untrusted bytes with every field checked.

/// The second NTLM message, sent by the server.
public struct ChallengeMessage: Sendable, Hashable {
    public var flags: NegotiateFlags
    public var targetName: String
    /// The 8-byte server challenge.
    public var serverChallenge: [UInt8]
    public var targetInfo: TargetInfo
    /// Present when NEGOTIATE_VERSION is set.
    public var version: NTLMVersion?

    public init(
        flags: NegotiateFlags,
        targetName: String,
        serverChallenge: [UInt8],
        targetInfo: TargetInfo,
        version: NTLMVersion? = nil
    ) {
        self.flags = flags
        self.targetName = targetName
        self.serverChallenge = serverChallenge
        self.targetInfo = targetInfo
        self.version = version
    }

    /// The shortest CHALLENGE: up to and including ServerChallenge and Reserved.
    static let minimumCount = 32

    public init(decoding bytes: [UInt8]) throws(NTLMError) {
        guard bytes.count >= Self.minimumCount else { throw .truncated("CHALLENGE_MESSAGE header") }
        var reader = NTLMReader(bytes)
        try readMessageHeader(&reader, expecting: 2)
        let targetNameBytes = try reader.readPayloadField("TargetName")
        flags = NegotiateFlags(rawValue: try reader.readUInt32())
        serverChallenge = try reader.readBytes(8, "ServerChallenge")
        try reader.skip(8)
        // Very old servers end the header here, with no target information.
        if reader.remaining >= 8 {
            targetInfo = try TargetInfo(decoding: try reader.readPayloadField("TargetInfo"))
        } else {
            targetInfo = TargetInfo()
        }
        if flags.contains(.negotiateVersion) {
            version = try NTLMVersion(&reader)
        } else {
            version = nil
        }
        targetName = try decodeString(targetNameBytes, unicode: flags.contains(.negotiateUnicode), field: "TargetName")
    }

    /// Encodes the message (used by tests and fake servers): a 56-byte header
    /// (Version zeroed when absent), then TargetName and TargetInfo.
    public func encoded() -> [UInt8] {
        let nameBytes = encodeString(targetName, unicode: flags.contains(.negotiateUnicode))
        let infoBytes = targetInfo.encoded()
        var bytes = ByteWriter(capacity: 56 + nameBytes.count + infoBytes.count)
        bytes.append(ntlmSignature)
        bytes.u32LE(2)
        bytes.fieldDescriptor(count: nameBytes.count, offset: 56)
        bytes.u32LE(flags.rawValue)
        bytes.append(serverChallenge)
        bytes.zeros(8)  // Reserved
        bytes.fieldDescriptor(count: infoBytes.count, offset: 56 + nameBytes.count)
        bytes.append(version?.encoded ?? [UInt8](repeating: 0, count: 8))
        bytes.append(nameBytes)
        bytes.append(infoBytes)
        return bytes.bytes
    }
}
