// Lenient TSRequest decoding, as Windows and FreeRDP accept it: a server whose
// TSRequest is BER rather than DER, or has bytes after it, still gets its
// CHALLENGE read by real clients, so the probe must not call that a failure.
// Strict DER is tried first; only when it fails is the message read as BER,
// and every departure from DER is kept as data for an informational finding.
import SwiftASN1

/// One way a received TSRequest departs from DER that clients tolerate.
public enum CredSSPEncodingDeviation: Sendable, Hashable, Codable, CustomStringConvertible {
    /// A length in long form where the short form fits, or with leading zero
    /// octets (DER wants the fewest octets, X.690 §10.1). `field` names the
    /// TSRequest field it occurred in ("TSRequest" for the outer SEQUENCE).
    case nonMinimalLength(field: String)
    /// Bytes after the end of the outer SEQUENCE; they were ignored.
    case trailingBytes(count: Int)
    /// Another form BER allows and DER forbids (e.g. a segmented OCTET STRING).
    case berEncoding(field: String, form: String)

    public var description: String {
        switch self {
        case .nonMinimalLength(let field):
            "\(field): a length is written in more octets than DER allows (accepted as BER)"
        case .trailingBytes(let count):
            count == 1
                ? "1 byte after the end of the TSRequest was ignored"
                : "\(count) bytes after the end of the TSRequest were ignored"
        case .berEncoding(let field, let form):
            "\(field): \(form) (BER, not DER; accepted)"
        }
    }
}

/// A TSRequest and how its encoding departed from DER.
public struct TSRequestDecoding: Sendable, Hashable {
    public var request: TSRequest
    /// Empty when the bytes were strict DER; otherwise each deviation once.
    public var deviations: [CredSSPEncodingDeviation]

    public init(request: TSRequest, deviations: [CredSSPEncodingDeviation]) {
        self.request = request
        self.deviations = deviations
    }

    /// Decodes strictly as DER; if that fails, as BER with definite lengths
    /// (non-minimal lengths and INTEGERs, segmented OCTET STRINGs) and with
    /// bytes after the outer SEQUENCE ignored. Indefinite lengths stay refused.
    /// The whole input is bounded by `TSRequest.maximumEncodedCount`.
    public init(decoding bytes: [UInt8]) throws(CredSSPError) {
        guard bytes.count <= TSRequest.maximumEncodedCount else { throw .messageTooLarge(bytes.count) }
        if let strict = try? TSRequest(derEncoded: bytes) {
            self.init(request: strict, deviations: [])
            return
        }
        // Frame the outer SEQUENCE first, so trailing bytes are counted, never parsed.
        guard let total = try TSRequest.frameLength(of: bytes) else {
            throw .malformedDER("the TSRequest ends inside its header")
        }
        guard total <= bytes.count else {
            throw .malformedDER("the TSRequest announces \(total) bytes but \(bytes.count) were given")
        }
        let root = try decodingDER { try BER.parse(bytes[0..<total]) }
        var deviations: [CredSSPEncodingDeviation] = []
        try Self.scan(root, field: "TSRequest", depth: 0, into: &deviations)
        let request = try TSRequest(root: root, rules: .lenient)
        if total < bytes.count { deviations.append(.trailingBytes(count: bytes.count - total)) }
        // DER refused something BER accepts that the scan does not name.
        if deviations.isEmpty { deviations.append(.berEncoding(field: "TSRequest", form: "not valid DER")) }
        self.init(request: request, deviations: deviations)
    }

    private static let fieldNames: [UInt: String] = [
        0: "version", 1: "negoTokens", 2: "authInfo", 3: "pubKeyAuth", 4: "errorCode", 5: "clientNonce",
    ]

    /// Walks the parsed tree (already bounded in size and depth by the parser)
    /// and names each DER departure once per field.
    private static func scan(
        _ node: ASN1Node, field: String, depth: Int, into deviations: inout [CredSSPEncodingDeviation]
    ) throws(CredSSPError) {
        func note(_ deviation: CredSSPEncodingDeviation) {
            if !deviations.contains(deviation) { deviations.append(deviation) }
        }
        switch lengthForm(node.encodedBytes) {
        case .minimal: break
        case .nonMinimal: note(.nonMinimalLength(field: field))
        case .indefinite: throw .malformedDER("\(field): indefinite length is not accepted")
        }
        switch node.content {
        case .primitive(let content):
            // X.690 §8.3.2: the first nine bits of an INTEGER are never all equal.
            if node.identifier == .integer, content.count > 1 {
                let first = content[content.startIndex]
                let second = content[content.startIndex + 1]
                if (first == 0x00 && second & 0x80 == 0) || (first == 0xff && second & 0x80 != 0) {
                    note(.berEncoding(field: field, form: "an INTEGER in more octets than needed"))
                }
            }
        case .constructed(let children):
            if node.identifier == .octetString {
                note(.berEncoding(field: field, form: "an OCTET STRING in segments (constructed form)"))
            }
            for child in children {
                let name =
                    depth == 0 && child.identifier.tagClass == .contextSpecific
                    ? fieldNames[child.identifier.tagNumber] ?? "[\(child.identifier.tagNumber)]"
                    : field
                try scan(child, field: name, depth: depth + 1, into: &deviations)
            }
        }
    }

    private enum LengthForm { case minimal, nonMinimal, indefinite }

    /// The length octets of an encoded element (identifier skipped).
    private static func lengthForm(_ encoded: ArraySlice<UInt8>) -> LengthForm {
        var index = encoded.startIndex
        guard index < encoded.endIndex else { return .minimal }
        // High-tag-number form: the tag continues while bit 8 is set.
        if encoded[index] & 0x1f == 0x1f {
            index += 1
            while index < encoded.endIndex, encoded[index] & 0x80 != 0 { index += 1 }
        }
        index += 1
        guard index < encoded.endIndex else { return .minimal }
        let first = encoded[index]
        if first == 0x80 { return .indefinite }
        guard first & 0x80 != 0 else { return .minimal }
        let count = Int(first & 0x7f)
        let octets = encoded[(index + 1)...].prefix(count)
        // Long form is minimal only with no leading zero octet and a value of 128 or more.
        guard let lead = octets.first, lead != 0 else { return .nonMinimal }
        return count == 1 && lead < 0x80 ? .nonMinimal : .minimal
    }
}
