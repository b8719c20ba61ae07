// The VERSION structure (MS-NLMP 2.2.2.10): the sender's Windows version.
// In a CHALLENGE it tells which Windows build the server runs.

/// A Windows product version and NTLM revision, 8 bytes on the wire.
public struct NTLMVersion: Sendable, Hashable, CustomStringConvertible {
    public var major: UInt8
    public var minor: UInt8
    public var build: UInt16
    /// NTLMRevisionCurrent; 15 (NTLMSSP_REVISION_W2K3) in practice.
    public var ntlmRevision: UInt8

    public static let ntlmRevisionW2K3: UInt8 = 0x0f

    public init(major: UInt8, minor: UInt8, build: UInt16, ntlmRevision: UInt8 = NTLMVersion.ntlmRevisionW2K3) {
        self.major = major
        self.minor = minor
        self.build = build
        self.ntlmRevision = ntlmRevision
    }

    /// Reads the 8-byte structure (three reserved bytes are ignored).
    init(_ reader: inout NTLMReader) throws(NTLMError) {
        major = try reader.readUInt8()
        minor = try reader.readUInt8()
        build = try reader.readUInt16()
        try reader.skip(3)
        ntlmRevision = try reader.readUInt8()
    }

    var encoded: [UInt8] {
        [major, minor, UInt8(truncatingIfNeeded: build), UInt8(truncatingIfNeeded: build >> 8), 0, 0, 0, ntlmRevision]
    }

    public var description: String { "\(major).\(minor) build \(build) (NTLM revision \(ntlmRevision))" }
}
