import RDPWire

// AV pairs (MS-NLMP 2.2.2.1): the typed records of a CHALLENGE's target
// information, echoed (with additions) in the AUTHENTICATE's NTLMv2 response.

/// An AV pair identifier. Open: unknown identifiers are kept.
public struct AVPairID: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    /// MsvAvEOL: ends the list.
    public static let eol = AVPairID(rawValue: 0)
    /// MsvAvNbComputerName: the server's NetBIOS name.
    public static let nbComputerName = AVPairID(rawValue: 1)
    /// MsvAvNbDomainName: the NetBIOS domain (or workgroup) name.
    public static let nbDomainName = AVPairID(rawValue: 2)
    /// MsvAvDnsComputerName: the server's fully qualified DNS name.
    public static let dnsComputerName = AVPairID(rawValue: 3)
    /// MsvAvDnsDomainName: the DNS domain name.
    public static let dnsDomainName = AVPairID(rawValue: 4)
    /// MsvAvDnsTreeName: the DNS forest name.
    public static let dnsTreeName = AVPairID(rawValue: 5)
    /// MsvAvFlags: a 32-bit ``AVFlags`` value.
    public static let flags = AVPairID(rawValue: 6)
    /// MsvAvTimestamp: the server's clock as a FILETIME.
    public static let timestamp = AVPairID(rawValue: 7)
    /// MsvAvSingleHost: a Single_Host_Data structure.
    public static let singleHost = AVPairID(rawValue: 8)
    /// MsvAvTargetName: the SPN the client is authenticating to.
    public static let targetName = AVPairID(rawValue: 9)
    /// MsvAvChannelBindings: MD5 of the channel bindings.
    public static let channelBindings = AVPairID(rawValue: 10)

    static let names: [UInt16: String] = [
        0: "MsvAvEOL", 1: "MsvAvNbComputerName", 2: "MsvAvNbDomainName", 3: "MsvAvDnsComputerName",
        4: "MsvAvDnsDomainName", 5: "MsvAvDnsTreeName", 6: "MsvAvFlags", 7: "MsvAvTimestamp",
        8: "MsvAvSingleHost", 9: "MsvAvTargetName", 10: "MsvAvChannelBindings",
    ]

    public var description: String { Self.names[rawValue] ?? "AvId \(rawValue)" }
}

/// The MsvAvFlags bits.
public struct AVFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// The server's account authentication is constrained.
    public static let accountAuthenticationConstrained = AVFlags(rawValue: 0x1)
    /// The client's AUTHENTICATE carries a MIC.
    public static let micPresent = AVFlags(rawValue: 0x2)
    /// The client's target SPN came from an untrusted source.
    public static let untrustedSPNSource = AVFlags(rawValue: 0x4)
}

/// One AV pair: an identifier and its raw value.
public struct AVPair: Sendable, Hashable {
    public var id: AVPairID
    public var value: [UInt8]

    public init(id: AVPairID, value: [UInt8]) {
        self.id = id
        self.value = value
    }

    /// A string-valued pair (UTF-16LE).
    public init(id: AVPairID, string: String) {
        self.init(id: id, value: UTF16LE.encode(string))
    }

    public static func flags(_ flags: AVFlags) -> AVPair {
        var value = ByteWriter(capacity: 4)
        value.u32LE(flags.rawValue)
        return AVPair(id: .flags, value: value.bytes)
    }

    public static func timestamp(_ time: FileTime) -> AVPair {
        var value = ByteWriter(capacity: 8)
        value.u64LE(time.rawValue)
        return AVPair(id: .timestamp, value: value.bytes)
    }
}
