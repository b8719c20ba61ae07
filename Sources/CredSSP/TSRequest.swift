// TSRequest (MS-CSSP 2.2.1), the one message CredSSP exchanges, in DER:
//
//   TSRequest ::= SEQUENCE {
//           version    [0] INTEGER,
//           negoTokens [1] NegoData  OPTIONAL,
//           authInfo   [2] OCTET STRING OPTIONAL,
//           pubKeyAuth [3] OCTET STRING OPTIONAL,
//           errorCode  [4] INTEGER OPTIONAL,
//           clientNonce [5] OCTET STRING OPTIONAL
//   }
//
//   NegoData ::= SEQUENCE OF SEQUENCE {
//           negoToken [0] OCTET STRING
//   }
//
// All tags are explicit. The decoder takes untrusted bytes: the size is
// bounded before parsing, and every shape error is a CredSSPError.
import SwiftASN1

/// A CredSSP TSRequest.
public struct TSRequest: Sendable, Hashable {
    /// The largest encoded TSRequest accepted (real ones are a few KiB).
    public static let maximumEncodedCount = 64 * 1024

    /// The sender's CredSSP version (2 to 6 in practice).
    public var version: Int
    /// SPNEGO or NTLM tokens; for NTLM, one per message.
    public var negoTokens: [[UInt8]]
    /// The sealed TSCredentials.
    public var authInfo: [UInt8]?
    /// The sealed public key (versions 2 to 4) or binding hash (5 and later).
    public var pubKeyAuth: [UInt8]?
    /// The server's NTSTATUS when it refuses (version 3 and later).
    public var errorCode: NTStatus?
    /// 32 random bytes from the client (version 5 and later).
    public var clientNonce: [UInt8]?

    public init(
        version: Int,
        negoTokens: [[UInt8]] = [],
        authInfo: [UInt8]? = nil,
        pubKeyAuth: [UInt8]? = nil,
        errorCode: NTStatus? = nil,
        clientNonce: [UInt8]? = nil
    ) {
        self.version = version
        self.negoTokens = negoTokens
        self.authInfo = authInfo
        self.pubKeyAuth = pubKeyAuth
        self.errorCode = errorCode
        self.clientNonce = clientNonce
    }

    /// Decodes one complete DER TSRequest; trailing bytes are an error.
    /// `TSRequestDecoding(decoding:)` is the lenient reading clients do.
    public init(derEncoded bytes: [UInt8]) throws(CredSSPError) {
        guard bytes.count <= Self.maximumEncodedCount else { throw .messageTooLarge(bytes.count) }
        let root = try decodingDER { try DER.parse(bytes) }
        self = try TSRequest(root: root, rules: .der)
    }

    /// How primitive values are read: DER's fewest-octets rules, or BER's.
    enum DecodingRules {
        case der, lenient
    }

    /// Reads the fields of an already parsed TSRequest node.
    init(root: ASN1Node, rules: DecodingRules) throws(CredSSPError) {
        func octets(_ node: ASN1Node) throws -> [UInt8] {
            Array(try rules == .der ? ASN1OctetString(derEncoded: node).bytes : ASN1OctetString(berEncoded: node).bytes)
        }
        func integer<T: ASN1IntegerRepresentable>(_ node: ASN1Node) throws -> T {
            try rules == .der ? T(derEncoded: node) : T(berEncoded: node)
        }
        self = try decodingDER {
            try DER.sequence(root, identifier: .sequence) { nodes in
                let version: Int = try DER.explicitlyTagged(&nodes, tagNumber: 0, tagClass: .contextSpecific) {
                    try integer($0)
                }
                let tokens = try DER.optionalExplicitlyTagged(&nodes, tagNumber: 1, tagClass: .contextSpecific) {
                    try Self.negoData($0, octets)
                }
                let authInfo = try DER.optionalExplicitlyTagged(&nodes, tagNumber: 2, tagClass: .contextSpecific, octets)
                let pubKeyAuth = try DER.optionalExplicitlyTagged(&nodes, tagNumber: 3, tagClass: .contextSpecific, octets)
                let errorCode = try DER.optionalExplicitlyTagged(&nodes, tagNumber: 4, tagClass: .contextSpecific) {
                    try Self.ntStatus(integer($0))
                }
                let nonce = try DER.optionalExplicitlyTagged(&nodes, tagNumber: 5, tagClass: .contextSpecific, octets)
                try skipExtensions(&nodes, after: 5)
                return TSRequest(
                    version: version, negoTokens: tokens ?? [], authInfo: authInfo,
                    pubKeyAuth: pubKeyAuth, errorCode: errorCode, clientNonce: nonce
                )
            }
        }
    }

    /// The DER encoding. errorCode is written as a 4-byte signed INTEGER,
    /// the way Windows writes an NTSTATUS.
    public func derEncoded() -> [UInt8] {
        var serializer = DER.Serializer()
        serializer.sequence { coder in
            coder.explicit(0) { $0.integer(Int64(version)) }
            if !negoTokens.isEmpty {
                coder.explicit(1) { coder in
                    coder.sequence { coder in
                        for token in negoTokens {
                            coder.sequence { $0.explicit(0) { $0.octetString(token) } }
                        }
                    }
                }
            }
            if let authInfo { coder.explicit(2) { $0.octetString(authInfo) } }
            if let pubKeyAuth { coder.explicit(3) { $0.octetString(pubKeyAuth) } }
            if let errorCode { coder.explicit(4) { $0.integer(Int64(Int32(bitPattern: errorCode.rawValue))) } }
            if let clientNonce { coder.explicit(5) { $0.octetString(clientNonce) } }
        }
        return serializer.serializedBytes
    }

    private static func negoData(_ node: ASN1Node, _ octets: (ASN1Node) throws -> [UInt8]) throws -> [[UInt8]] {
        try DER.sequence(node, identifier: .sequence) { items in
            var tokens: [[UInt8]] = []
            while let item = items.next() {
                tokens.append(
                    try DER.sequence(item, identifier: .sequence) { fields in
                        let token = try DER.explicitlyTagged(&fields, tagNumber: 0, tagClass: .contextSpecific, octets)
                        try skipExtensions(&fields, after: 0)
                        return token
                    })
            }
            return tokens
        }
    }

    /// Accepts an NTSTATUS written either as a signed 32-bit INTEGER
    /// (Windows: 0xC000006D is negative) or as a positive one.
    private static func ntStatus(_ value: Int64) throws -> NTStatus {
        if value < 0, value >= Int64(Int32.min) {
            return NTStatus(rawValue: UInt32(bitPattern: Int32(value)))
        }
        guard value >= 0, value <= Int64(UInt32.max) else { throw CredSSPError.errorCodeOutOfRange }
        return NTStatus(rawValue: UInt32(value))
    }
}
