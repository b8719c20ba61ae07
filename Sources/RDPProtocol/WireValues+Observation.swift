import RDPWire

// The wire types observations keep. JSON carries their raw numbers; text
// shows the number in hex, as the specifications print it, so a value that
// slips into a sentence never reads as a Swift type dump.
extension SecurityProtocols: RawValueCodable, CustomStringConvertible {
    public var description: String { names.joined(separator: " | ") }
}
extension NegotiationFailureCode: RawValueCodable, CustomStringConvertible {
    public var description: String { hexString(rawValue) }
}
extension NegotiationResponseFlags: RawValueCodable, CustomStringConvertible {
    public var description: String { hexString(rawValue) }
}
extension RDPVersion: RawValueCodable, CustomStringConvertible {
    public var description: String { hexString(rawValue) }
}
extension EncryptionMethods: RawValueCodable, CustomStringConvertible {
    public var description: String { hexString(rawValue) }
}
extension EncryptionLevel: RawValueCodable, CustomStringConvertible {
    public var description: String { hexString(rawValue) }
}
extension ServerEarlyCapabilityFlags: RawValueCodable, CustomStringConvertible {
    public var description: String { hexString(rawValue) }
}
extension MultitransportFlags: RawValueCodable, CustomStringConvertible {
    public var description: String { hexString(rawValue) }
}
extension MCSResult: RawValueCodable, CustomStringConvertible {
    public var description: String { hexString(rawValue) }
}
extension MCSDisconnectReason: RawValueCodable, CustomStringConvertible {
    public var description: String { hexString(rawValue) }
}
extension ErrorInfoCode: RawValueCodable, CustomStringConvertible {
    public var description: String { hexString(rawValue) }
}
extension LicenseErrorCode: RawValueCodable, CustomStringConvertible {
    public var description: String { hexString(rawValue) }
}
extension LicenseStateTransition: RawValueCodable, CustomStringConvertible {
    public var description: String { hexString(rawValue) }
}
extension ClientEarlyCapabilityFlags: RawValueCodable, CustomStringConvertible {
    public var description: String { hexString(rawValue) }
}
