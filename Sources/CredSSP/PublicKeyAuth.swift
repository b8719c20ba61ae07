// pubKeyAuth (MS-CSSP 3.1.5): binds the NTLM session to the server's TLS key,
// so a man in the middle holding another certificate is caught. Up to
// version 4 the client seals the SubjectPublicKey itself and the server
// answers with it sealed after adding 1 to its first byte; from version 5 both
// sides seal SHA-256 hashes over a magic string, the client nonce and the key.
import Crypto
import NTLM

/// The values each side seals into pubKeyAuth.
public enum PublicKeyAuth {
    /// Versions from which the binding hash replaces the raw key.
    public static let firstHashVersion = 5

    static let clientToServerMagic = Array("CredSSP Client-To-Server Binding Hash".utf8) + [0]
    static let serverToClientMagic = Array("CredSSP Server-To-Client Binding Hash".utf8) + [0]

    /// What the client seals. `publicKey` is the DER SubjectPublicKey (the
    /// contents of the certificate's subjectPublicKey BIT STRING).
    public static func clientValue(version: Int, publicKey: [UInt8], nonce: [UInt8]) -> [UInt8] {
        guard version >= firstHashVersion else { return publicKey }
        return Array(SHA256.hash(data: clientToServerMagic + nonce + publicKey))
    }

    /// What a genuine server seals in its answer.
    public static func serverValue(version: Int, publicKey: [UInt8], nonce: [UInt8]) -> [UInt8] {
        guard version >= firstHashVersion else {
            var answer = publicKey
            if !answer.isEmpty { answer[0] &+= 1 }
            return answer
        }
        return Array(SHA256.hash(data: serverToClientMagic + nonce + publicKey))
    }

    /// The wire form of a sealed CredSSP field: the 16-byte signature, then
    /// the sealed bytes.
    public static func seal(_ value: [UInt8], with session: inout NTLMSessionSecurity) -> [UInt8] {
        let (sealed, signature) = session.seal(value)
        return signature + sealed
    }

    /// Splits and unseals a field sealed by the peer; throws if the
    /// signature does not verify.
    public static func unseal(_ field: [UInt8], with session: inout NTLMSessionSecurity) throws(NTLMError) -> [UInt8] {
        let count = NTLMSessionSecurity.signatureCount
        guard field.count >= count else { throw .truncated("sealed field shorter than its signature") }
        return try session.unseal(Array(field[count...]), signature: Array(field[..<count]))
    }
}
