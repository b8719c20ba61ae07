// Small DER building blocks over swift-asn1. Encoding writes the few
// primitive types TSRequest needs by hand, so encoding cannot fail; decoding
// maps swift-asn1's errors onto CredSSPError.
import SwiftASN1

extension DER.Serializer {
    /// [tag] EXPLICIT, around whatever `content` writes.
    mutating func explicit(_ tag: UInt, _ content: (inout DER.Serializer) -> Void) {
        appendConstructedNode(identifier: ASN1Identifier(tagWithNumber: tag, tagClass: .contextSpecific), content)
    }

    mutating func sequence(_ content: (inout DER.Serializer) -> Void) {
        appendConstructedNode(identifier: .sequence, content)
    }

    mutating func octetString(_ bytes: [UInt8]) {
        appendPrimitiveNode(identifier: .octetString) { $0.append(contentsOf: bytes) }
    }

    /// An INTEGER in the fewest two's-complement bytes (X.690 8.3.2).
    mutating func integer(_ value: Int64) {
        var bytes = (0..<8).reversed().map { UInt8(truncatingIfNeeded: value >> Int64(8 * $0)) }
        while bytes.count > 1,
            (bytes[0] == 0x00 && bytes[1] & 0x80 == 0) || (bytes[0] == 0xff && bytes[1] & 0x80 != 0)
        {
            bytes.removeFirst()
        }
        appendPrimitiveNode(identifier: .integer) { $0.append(contentsOf: bytes) }
    }
}

/// Runs a swift-asn1 decoding step, turning its errors into CredSSPError.
func decodingDER<T>(_ body: () throws -> T) throws(CredSSPError) -> T {
    do {
        return try body()
    } catch let error as CredSSPError {
        throw error
    } catch {
        throw .malformedDER(String(describing: error))
    }
}

/// Reads an OCTET STRING node's content.
func octetString(_ node: ASN1Node) throws -> [UInt8] {
    Array(try ASN1OctetString(derEncoded: node).bytes)
}

/// After the known fields of a SEQUENCE: later context tags (added by a newer
/// protocol version) are skipped, anything else is an error.
func skipExtensions(_ nodes: inout ASN1NodeCollection.Iterator, after lastKnownTag: UInt) throws {
    while let node = nodes.next() {
        guard node.identifier.tagClass == .contextSpecific, node.identifier.tagNumber > lastKnownTag else {
            throw CredSSPError.malformedDER("unexpected field \(node.identifier)")
        }
    }
}
