import RDPWire
import SwiftASN1

/// A Name rendered for people (RFC 4514) plus its common name.
struct RenderedName: Equatable {
    var rfc4514: String
    var commonName: String?
}

/// Renders X.501 Names ourselves (rather than via swift-certificates) so that
/// BMPString and TeletexString values, common in Windows-made certificates,
/// come out as text, and so the same code serves the fallback parser.
enum DistinguishedNames {
    private static let commonNameOID: ASN1ObjectIdentifier = [2, 5, 4, 3]

    /// RFC 4514 §3 short names; every other type is written as its dotted OID.
    private static let shortNames: [String: String] = [
        "2.5.4.3": "CN", "2.5.4.7": "L", "2.5.4.8": "ST", "2.5.4.10": "O", "2.5.4.11": "OU",
        "2.5.4.6": "C", "2.5.4.9": "STREET", "0.9.2342.19200300.100.1.25": "DC",
        "0.9.2342.19200300.100.1.1": "UID",
    ]

    /// `Name ::= SEQUENCE OF SET OF SEQUENCE { type OID, value ANY }`.
    static func render(_ name: ASN1Node) throws(FieldError) -> RenderedName {
        guard name.identifier == .sequence, let rdns = name.children else {
            throw FieldError.malformed("name", "not a SEQUENCE")
        }
        var rendered: [String] = []
        var commonName: String?
        for rdn in rdns {
            guard rdn.identifier == .set, let attributes = rdn.children else {
                throw FieldError.malformed("name", "RDN is not a SET")
            }
            var parts: [String] = []
            for attribute in attributes {
                guard attribute.identifier == .sequence, let pair = attribute.children.map(Array.init), pair.count == 2,
                    let type = try? ASN1ObjectIdentifier(derEncoded: pair[0])
                else { throw FieldError.malformed("name", "attribute is not (OID, value)") }
                let text = ASN1Text.decode(pair[1])
                if type == commonNameOID, let text { commonName = text }  // the last (most specific) CN wins
                let key = shortNames[type.description] ?? type.description
                let value = text.map(escape) ?? "#" + Hex.string(pair[1].encodedBytes)
                parts.append(key + "=" + value)
            }
            rendered.append(parts.joined(separator: "+"))
        }
        // RFC 4514 writes the most specific RDN first: the reverse of DER order.
        return RenderedName(rfc4514: rendered.reversed().joined(separator: ","), commonName: commonName)
    }

    /// RFC 4514 §2.4 escaping, plus control characters as hex pairs so that a
    /// hostile name cannot drive a terminal.
    static func escape(_ value: String) -> String {
        let scalars = Array(value.unicodeScalars)
        var out = ""
        for (i, scalar) in scalars.enumerated() {
            switch scalar {
            case ",", "+", "\"", "\\", "<", ">", ";":
                out += "\\" + String(scalar)
            case " " where i == 0 || i == scalars.count - 1, "#" where i == 0:
                out += "\\" + String(scalar)
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                out += "\\" + Hex.byte(UInt8(scalar.value))
            default:
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}

/// Decodes the ASN.1 string types found in names and alternative names.
enum ASN1Text {
    static func decode(_ node: ASN1Node) -> String? {
        guard node.identifier.tagClass == .universal, let bytes = node.primitiveBytes else { return nil }
        switch node.identifier.tagNumber {
        case 12, 18, 19, 22, 26:  // UTF8, Numeric, Printable, IA5, Visible
            return utf8(bytes)
        case 20:  // TeletexString: in practice Latin-1
            return String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) }))
        case 30:  // BMPString: UTF-16BE
            guard bytes.count % 2 == 0 else { return nil }
            let units = stride(from: bytes.startIndex, to: bytes.endIndex, by: 2).map {
                UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1])
            }
            return transcode(units, as: UTF16.self)
        case 28:  // UniversalString: UTF-32BE
            guard bytes.count % 4 == 0 else { return nil }
            let units = stride(from: bytes.startIndex, to: bytes.endIndex, by: 4).map {
                bytes[$0..<($0 + 4)].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            }
            return transcode(units, as: UTF32.self)
        default:
            return nil
        }
    }

    static func utf8<Bytes: Collection>(_ bytes: Bytes) -> String? where Bytes.Element == UInt8 {
        transcode(bytes, as: UTF8.self)
    }

    /// Strict decoding: invalid input gives nil rather than U+FFFD, so the
    /// caller can fall back to hex.
    private static func transcode<Units: Collection, Codec: UnicodeCodec>(_ units: Units, as codec: Codec.Type) -> String?
    where Units.Element == Codec.CodeUnit {
        var scalars = String.UnicodeScalarView()
        var iterator = units.makeIterator()
        var decoder = Codec()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar): scalars.append(scalar)
            case .emptyInput: return String(scalars)
            case .error: return nil
            }
        }
    }
}
