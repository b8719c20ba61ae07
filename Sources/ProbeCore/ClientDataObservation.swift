import RDPProtocol

/// What a captured client announced in its MCS Connect Initial (the GCC
/// Conference Create Request's client blocks, MS-RDPBCGR 2.2.1.3), as
/// `analyze` reads it: in clear under standard RDP security, or decrypted.
/// A live check has none (rdpdoctor is the client there). The values stay
/// as the client wrote them; the words for them are the renderers' business.
public struct ClientDataObservation: Codable, Sendable, Equatable {
    /// Where it was read.
    public enum Visibility: String, Codable, Sendable {
        /// Standard RDP security: the Connect Initial goes unencrypted.
        case clear
        /// Inside TLS, decrypted with the keys given.
        case decrypted
    }

    public var seen: Visibility
    public var rdpVersion: RDPVersion
    public var clientBuild: UInt32
    /// The client computer's name (up to 15 characters), not a user name.
    public var clientName: String
    public var desktopWidth: UInt16
    public var desktopHeight: UInt16
    /// The keyboard layout identifier (0x409 is US English).
    public var keyboardLayout: UInt32
    public var keyboardType: UInt32
    /// RNS_UD_COLOR_* of the colorDepth field (superseded by `highColorDepth`).
    public var colorDepth: UInt16
    /// Bits per pixel asked for (4, 8, 15, 16, 24), when the client wrote the field.
    public var highColorDepth: UInt16?
    public var supportedColorDepths: UInt16?
    public var earlyCapabilityFlags: ClientEarlyCapabilityFlags?
    /// The client's product id (Windows clients write a GUID), when written and not empty.
    public var clientDigProductID: String?
    /// The protocol the client says the server selected, when written.
    public var serverSelectedProtocol: SecurityProtocols?
    /// Client Security Data: the methods offered (standard RDP security).
    public var encryptionMethods: EncryptionMethods?
    /// Client Network Data: the static virtual channels asked for, by name.
    public var channels: [String]?

    /// The colour depth the client asked for in bits per pixel: 32 when it
    /// wants a 32-bit session (RNS_UD_CS_WANT_32BPP_SESSION), else `highColorDepth`.
    public var requestedColorDepth: Int? {
        if earlyCapabilityFlags?.contains(.want32BPPSession) == true { return 32 }
        return highColorDepth.map(Int.init)
    }

    public init(_ data: ClientConnectData, seen: Visibility) {
        let core = data.core
        self.seen = seen
        rdpVersion = core.version
        clientBuild = core.clientBuild
        clientName = core.clientName
        desktopWidth = core.desktopWidth
        desktopHeight = core.desktopHeight
        keyboardLayout = core.keyboardLayout
        keyboardType = core.keyboardType
        colorDepth = core.colorDepth
        highColorDepth = core.has(.highColorDepth) ? core.highColorDepth : nil
        supportedColorDepths = core.has(.supportedColorDepths) ? core.supportedColorDepths : nil
        earlyCapabilityFlags = core.has(.earlyCapabilityFlags) ? core.earlyCapabilityFlags : nil
        clientDigProductID = core.has(.clientDigProductID) && !core.clientDigProductID.isEmpty ? core.clientDigProductID : nil
        serverSelectedProtocol = core.has(.serverSelectedProtocol) ? core.serverSelectedProtocol : nil
        encryptionMethods = data.security.encryptionMethods
        channels = data.network.map { $0.channels.map(\.name) }
    }
}
