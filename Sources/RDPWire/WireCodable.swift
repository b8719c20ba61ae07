/// The one way a PDU is read: from its own bytes (a whole frame, a block, a
/// datagram, as its framer or its parent delivers them). A decoder never
/// reads past them and throws a `WireError` naming the PDU and the field; the
/// tests and fuzz targets can drive every decoder through this one entry.
public protocol WireDecodable: Sendable {
    static func decode(_ bytes: ArraySlice<UInt8>) throws(WireError) -> Self
}

/// A PDU read from inside a larger one, where the reader already holds its
/// place and its PDU name (share control, redirection, the server certificate).
public protocol WireReadable: WireDecodable {
    static func decode(from reader: inout ByteReader) throws(WireError) -> Self
}

extension WireReadable {
    public static func decode(_ bytes: ArraySlice<UInt8>) throws(WireError) -> Self {
        var reader = ByteReader(bytes, pdu: String(describing: Self.self))
        return try decode(from: &reader)
    }
}

/// The one way a PDU is written: whole, ready for its framer. Encoding throws
/// only when the value cannot be represented (a field too long for its length).
public protocol WireEncodable: Sendable {
    func encode() throws(WireError) -> [UInt8]
}
