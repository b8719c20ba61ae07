import RDPWire

/// HANDSHAKE_RESPONSE (2.2.10.11).
public struct HandshakeResponse: Sendable, Equatable, Codable {
    public let result: GatewayResult
    public let versionMajor: UInt8
    public let versionMinor: UInt8
    public let serverVersion: UInt16
    /// HTTP_EXTENDED_AUTH flags the gateway wants (SC 0x1, PAA 0x2, SSPI NTLM 0x4).
    public let extendedAuth: UInt16

    public init(_ body: [UInt8]) throws(WireError) {
        var r = ByteReader(body, pdu: "TSGU HANDSHAKE_RESPONSE")
        result = GatewayResult(rawValue: try r.u32LE("errorCode"))
        versionMajor = try r.u8("verMajor")
        versionMinor = try r.u8("verMinor")
        serverVersion = try r.u16LE("serverVersion")
        extendedAuth = try r.u16LE("extendedAuthentication")
    }
}

/// TUNNEL_RESPONSE (2.2.10.20) and its optional fields.
public struct TunnelResponse: Sendable, Equatable, Codable {
    public let serverVersion: UInt16
    public let result: GatewayResult
    public let fieldsPresent: UInt16
    public let tunnelID: UInt32?
    /// HTTP_CAPABILITY_TYPE flags the gateway supports (IDLE_TIMEOUT 0x2…).
    public let capabilities: UInt32?
    /// A consent or service message the gateway asks the user to accept.
    public let consentMessage: String?

    public init(_ body: [UInt8]) throws(WireError) {
        var r = ByteReader(body, pdu: "TSGU TUNNEL_RESPONSE")
        serverVersion = try r.u16LE("serverVersion")
        result = GatewayResult(rawValue: try r.u32LE("statusCode"))
        fieldsPresent = try r.u16LE("fieldsPresent")
        _ = try r.u16LE("reserved")
        // A failed response may end here (the fields only come with success).
        let optional = result.failed ? 0 : fieldsPresent
        tunnelID = optional & 0x1 != 0 ? try r.u32LE("tunnelId") : nil
        capabilities = optional & 0x2 != 0 ? try r.u32LE("capsFlags") : nil
        if optional & 0x4 != 0 {
            try r.skip(20, "nonce")
            let length = Int(try r.u16LE("serverCert length"))
            try r.skip(length, "serverCert")
        }
        if optional & 0x10 != 0 {
            let length = Int(try r.u16LE("consentMsg length"))
            consentMessage = UTF16LE.decodeUntilNUL(try r.bytes(length, "consentMsg"))
        } else {
            consentMessage = nil
        }
    }
}

/// TUNNEL_AUTH_RESPONSE (2.2.10.16).
public struct TunnelAuthResponse: Sendable, Equatable, Codable {
    public let result: GatewayResult
    public let fieldsPresent: UInt16
    /// HTTP_TUNNEL_REDIR flags: which redirections the gateway's policy disables.
    public let redirectionFlags: UInt32?
    /// Minutes; 0 means no idle timeout.
    public let idleTimeoutMinutes: UInt32?

    public init(_ body: [UInt8]) throws(WireError) {
        var r = ByteReader(body, pdu: "TSGU TUNNEL_AUTH_RESPONSE")
        result = GatewayResult(rawValue: try r.u32LE("errorCode"))
        fieldsPresent = try r.u16LE("fieldsPresent")
        _ = try r.u16LE("reserved")
        let optional = result.failed ? 0 : fieldsPresent
        redirectionFlags = optional & 0x1 != 0 ? try r.u32LE("redirFlags") : nil
        idleTimeoutMinutes = optional & 0x2 != 0 ? try r.u32LE("idleTimeout") : nil
    }
}

/// CHANNEL_RESPONSE (2.2.10.4).
public struct ChannelResponse: Sendable, Equatable, Codable {
    public let result: GatewayResult
    public let fieldsPresent: UInt16
    public let channelID: UInt32?

    public init(_ body: [UInt8]) throws(WireError) {
        var r = ByteReader(body, pdu: "TSGU CHANNEL_RESPONSE")
        result = GatewayResult(rawValue: try r.u32LE("errorCode"))
        fieldsPresent = try r.u16LE("fieldsPresent")
        _ = try r.u16LE("reserved")
        channelID = !result.failed && fieldsPresent & 0x1 != 0 ? try r.u32LE("channelId") : nil
    }
}

/// DATA (2.2.10.6): the bytes of the channel.
public enum DataPacket {
    /// cbDataLen is 16 bits: one DATA packet carries at most this much.
    public static let maximumPayload = 0xFFFF

    public static func payload(_ body: [UInt8]) throws(WireError) -> ArraySlice<UInt8> {
        var r = ByteReader(body, pdu: "TSGU DATA")
        let length = Int(try r.u16LE("cbDataLen"))
        return try r.bytes(length, "data")
    }
}

/// CLOSE_CHANNEL (2.2.10.4) from the gateway: its status code.
public enum ClosePacket {
    public static func status(_ body: [UInt8]) throws(WireError) -> GatewayResult {
        var r = ByteReader(body, pdu: "TSGU CLOSE_CHANNEL")
        return GatewayResult(rawValue: try r.u32LE("statusCode"))
    }
}
