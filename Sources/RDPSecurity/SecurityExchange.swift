import LegacyCrypto
import RDPProtocol
import RDPWire

/// The Security Exchange PDU's data (MS-RDPBCGR 2.2.1.10.1, 5.3.4): the
/// client random, encrypted with the server's RSA public key.
public enum SecurityExchange {
    static let pdu = "Security Exchange PDU"

    /// The server's public key, from its proprietary certificate or the leaf of its X.509 chain.
    public struct ServerKey: Sendable, Equatable {
        public let key: LegacyCrypto.RSAPublicKey
        public var bits: Int { key.modulusByteCount * 8 }

        public init(_ key: LegacyCrypto.RSAPublicKey) { self.key = key }

        /// RSA_PUBLIC_KEY of a proprietary certificate: little-endian modulus (with its zero padding).
        public init(proprietary key: RDPProtocol.RSAPublicKey) throws(WireError) {
            do {
                self.key = try LegacyCrypto.RSAPublicKey(modulusLittleEndian: key.modulusLittleEndian, exponent: key.publicExponent)
            } catch {
                throw WireError(
                    .invalidField(reason: "cannot be used as an RSA key (\(error))"),
                    pdu: "Server Security Data certificate", field: "RSA public key")
            }
        }

        /// An X.509 RSAPublicKey's big-endian modulus and exponent.
        public init(modulusBigEndian: [UInt8], exponentBigEndian: [UInt8]) throws(WireError) {
            do {
                key = try LegacyCrypto.RSAPublicKey(modulusBigEndian: modulusBigEndian, exponentBigEndian: exponentBigEndian)
            } catch {
                throw WireError(
                    .invalidField(reason: "cannot be used as an RSA key (\(error))"),
                    pdu: "Server Security Data certificate", field: "X.509 subjectPublicKey")
            }
        }
    }

    /// The basic security header (SEC_EXCHANGE_PKT, and SEC_LICENSE_ENCRYPT_SC:
    /// the client can read encrypted licensing PDUs), the length, and the
    /// encrypted client random followed by 8 zero bytes: the userData of a
    /// Send Data Request to the I/O channel.
    public static func encode(clientRandom: [UInt8], serverKey: ServerKey) throws(WireError) -> [UInt8] {
        let encrypted: [UInt8]
        do {
            // The random is read as a little-endian number and the result written the same way.
            encrypted = try serverKey.key.encrypt(littleEndian: clientRandom) + [UInt8](repeating: 0, count: 8)
        } catch {
            throw WireError(
                .invalidField(reason: "cannot be encrypted with the server's \(serverKey.bits)-bit key (\(error))"),
                pdu: pdu, field: "encryptedClientRandom")
        }
        var w = ByteWriter(capacity: encrypted.count + 8)
        w.append(SecurityHeader(flags: [.exchangePacket, .licenseEncrypt]).encodeBasic())
        w.u32LE(UInt32(encrypted.count))
        w.append(encrypted)
        return w.bytes
    }
}
