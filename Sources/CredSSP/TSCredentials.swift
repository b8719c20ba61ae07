// TSCredentials and TSPasswordCreds (MS-CSSP 2.2.1.2): what the client
// delegates to the server after both sides have proved themselves. Only sent
// when the user opts in to a real logon.
//
//   TSCredentials ::= SEQUENCE {
//           credType    [0] INTEGER,
//           credentials [1] OCTET STRING
//   }
//
//   TSPasswordCreds ::= SEQUENCE {
//           domainName  [0] OCTET STRING,
//           userName    [1] OCTET STRING,
//           password    [2] OCTET STRING
//   }
//
// Strings are UTF-16LE. Neither type prints the password or the bytes that hold it.
import NTLM
import RDPWire
import SwiftASN1

/// A password credential for delegation.
public struct TSPasswordCreds: Sendable, Hashable {
    public var credentials: NTLMCredentials

    public init(_ credentials: NTLMCredentials) {
        self.credentials = credentials
    }

    public func derEncoded() -> [UInt8] {
        var serializer = DER.Serializer()
        serializer.sequence { coder in
            coder.explicit(0) { $0.octetString(UTF16LE.encode(credentials.domain)) }
            coder.explicit(1) { $0.octetString(UTF16LE.encode(credentials.user)) }
            coder.explicit(2) { $0.octetString(UTF16LE.encode(credentials.password)) }
        }
        return serializer.serializedBytes
    }

    public init(derEncoded bytes: [UInt8]) throws(CredSSPError) {
        guard bytes.count <= TSRequest.maximumEncodedCount else { throw .messageTooLarge(bytes.count) }
        credentials = try decodingDER {
            try DER.sequence(try DER.parse(bytes), identifier: .sequence) { nodes in
                var strings: [String] = []
                for tag in UInt(0)...2 {
                    let raw = try DER.explicitlyTagged(&nodes, tagNumber: tag, tagClass: .contextSpecific, octetString)
                    guard let string = UTF16LE.decode(raw) else { throw CredSSPError.malformedDER("odd-length UTF-16 string") }
                    strings.append(string)
                }
                return NTLMCredentials(user: strings[1], domain: strings[0], password: strings[2])
            }
        }
    }
}

/// The delegated credentials: a type and that type's encoding.
public struct TSCredentials: Sendable, Hashable {
    /// 1: TSPasswordCreds; 2: TSSmartCardCreds; 6: TSRemoteGuardCreds.
    public var credType: Int
    /// The DER encoding of the credential structure.
    public var credentials: [UInt8]

    public init(credType: Int, credentials: [UInt8]) {
        self.credType = credType
        self.credentials = credentials
    }

    /// A password credential (credType 1).
    public init(password: TSPasswordCreds) {
        self.init(credType: 1, credentials: password.derEncoded())
    }

    public func derEncoded() -> [UInt8] {
        var serializer = DER.Serializer()
        serializer.sequence { coder in
            coder.explicit(0) { $0.integer(Int64(credType)) }
            coder.explicit(1) { $0.octetString(credentials) }
        }
        return serializer.serializedBytes
    }

    public init(derEncoded bytes: [UInt8]) throws(CredSSPError) {
        guard bytes.count <= TSRequest.maximumEncodedCount else { throw .messageTooLarge(bytes.count) }
        self = try decodingDER {
            try DER.sequence(try DER.parse(bytes), identifier: .sequence) { nodes in
                let type = try DER.explicitlyTagged(&nodes, tagNumber: 0, tagClass: .contextSpecific) { try Int(derEncoded: $0) }
                let body = try DER.explicitlyTagged(&nodes, tagNumber: 1, tagClass: .contextSpecific, octetString)
                return TSCredentials(credType: type, credentials: body)
            }
        }
    }
}

extension TSPasswordCreds: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { "TSPasswordCreds(\(credentials))" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["credentials": credentials], displayStyle: .struct) }
}

extension TSCredentials: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { "TSCredentials(credType: \(credType), credentials: <\(credentials.count) bytes redacted>)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror {
        Mirror(self, children: ["credType": credType, "credentials": "<redacted>"], displayStyle: .struct)
    }
}
