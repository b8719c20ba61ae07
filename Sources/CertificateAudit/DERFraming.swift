import RDPWire
import SwiftASN1

/// A reason a field could not be read; becomes a `CertificateProblem`.
struct FieldError: Error {
    var kind: CertificateProblem.Kind
    var field: String?
    var detail: String

    static func malformed(_ field: String, _ detail: String) -> FieldError {
        FieldError(kind: .malformedField, field: field, detail: detail)
    }
}

/// Finds the extent of the outermost DER element before handing it to
/// swift-asn1, so truncation and trailing bytes get their own problem kinds
/// (DER.parse reports both as generic errors).
enum DERFraming {
    struct Frame {
        var element: ArraySlice<UInt8>
        var trailingByteCount: Int
    }

    static func outerSequence(_ bytes: [UInt8]) -> Result<Frame, FieldError> {
        guard let tag = bytes.first else {
            return .failure(FieldError(kind: .truncated, detail: "no bytes"))
        }
        guard tag == 0x30 else {
            return .failure(FieldError(kind: .notDER, detail: "starts with byte \(hex(tag)), not a DER SEQUENCE (0x30)"))
        }
        let headerLength: Int
        let contentLength: Int
        // More than 4 length octets is no certificate.
        switch DERLength.read(bytes.dropFirst(), maximumOctets: 4, limit: Int(UInt32.max)) {
        case .needMore:
            return .failure(FieldError(kind: .truncated, detail: bytes.count < 2 ? "ends inside the DER header" : "ends inside the DER length"))
        case let .length(length, octets):
            headerLength = 1 + octets
            contentLength = length
        case .indefinite, .tooManyOctets, .tooLarge:
            return .failure(FieldError(kind: .notDER, detail: "unsupported length encoding \(hex(bytes[1]))"))
        }
        let total = headerLength + contentLength
        guard total <= bytes.count else {
            return .failure(
                FieldError(
                    kind: .truncated,
                    detail: "DER header announces \(total) bytes but only \(bytes.count) were given"))
        }
        return .success(Frame(element: bytes[0..<total], trailingByteCount: bytes.count - total))
    }

    static func hex(_ byte: UInt8) -> String {
        "0x" + Hex.byte(byte)
    }
}

/// Small helpers for walking swift-asn1 nodes by hand, so that one odd field
/// does not stop the others being read.
extension ASN1Node {
    var children: ASN1NodeCollection? {
        if case .constructed(let nodes) = content { return nodes }
        return nil
    }

    /// The first child of a constructed node (explicit tags wrap exactly one).
    var firstChild: ASN1Node? {
        children.flatMap { nodes in nodes.first(where: { _ in true }) }
    }

    var primitiveBytes: ArraySlice<UInt8>? {
        if case .primitive(let bytes) = content { return bytes }
        return nil
    }

    func isContextTag(_ number: UInt) -> Bool {
        identifier.tagClass == .contextSpecific && identifier.tagNumber == number
    }
}
