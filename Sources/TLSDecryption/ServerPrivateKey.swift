import LegacyCrypto
import RDPWire

// A server's RSA private key from its DER encoding: PKCS#1 RSAPrivateKey
// (PEM "RSA PRIVATE KEY") or PKCS#8 PrivateKeyInfo wrapping one (PEM
// "PRIVATE KEY"). Only n and d are kept; the key decrypts premaster secrets.

/// Why a private key file could not be used.
public enum ServerKeyError: Error, Sendable, Equatable, CustomStringConvertible {
    case malformed(String)
    case notRSA
    case unusable(RSAError)

    public var description: String {
        switch self {
        case .malformed(let what): "not a PKCS#1 or PKCS#8 RSA private key (\(what))"
        case .notRSA: "a private key that is not RSA (only RSA key exchange can use a server key)"
        case .unusable(let error): "an RSA key rdpdoctor cannot use (\(error))"
        }
    }
}

public struct ServerPrivateKey: Sendable, Equatable {
    public let key: RSAPrivateKey
    /// The modulus, big-endian without leading zeros: tells which server certificate the key belongs to.
    public let modulus: [UInt8]

    /// The largest key file body read (a 4096-bit key in DER is under 2.5 KiB).
    static let maximumDER = 16 * 1024

    public init(der: [UInt8]) throws(ServerKeyError) {
        guard der.count <= Self.maximumDER else { throw .malformed("\(der.count) bytes") }
        var file = DER(der)
        var outer = try file.sequence()
        let version = try outer.integer()
        var fields: DER
        if outer.peekTag == 0x30 {
            // PKCS#8: version 0, AlgorithmIdentifier, OCTET STRING holding the PKCS#1 key.
            var algorithm = try outer.sequence()
            let oid = try algorithm.element(tag: 0x06)
            guard oid.elementsEqual(Self.rsaEncryption) else { throw .notRSA }
            var inner = DER(try outer.element(tag: 0x04))
            fields = try inner.sequence()
            _ = try fields.integer()
        } else {
            guard version.allSatisfy({ $0 == 0 }) || version == [1] else { throw .malformed("version") }
            fields = outer
        }
        let n = try fields.integer()
        _ = try fields.integer()  // the public exponent
        let d = try fields.integer()
        do {
            key = try RSAPrivateKey(modulusBigEndian: n, privateExponentBigEndian: d)
        } catch {
            throw .unusable(error)
        }
        modulus = Array(n.drop { $0 == 0 })
    }

    /// 1.2.840.113549.1.1.1
    static let rsaEncryption: [UInt8] = [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01]
}

/// Just enough DER to walk a private key: tag, length, content.
struct DER {
    private var bytes: ArraySlice<UInt8>

    init(_ bytes: [UInt8]) { self.bytes = bytes[...] }
    init(_ bytes: ArraySlice<UInt8>) { self.bytes = bytes }

    var peekTag: UInt8? { bytes.first }

    mutating func element(tag: UInt8) throws(ServerKeyError) -> ArraySlice<UInt8> {
        guard bytes.first == tag else { throw .malformed("expected tag 0x\(Hex.byte(tag))") }
        switch DERLength.read(bytes.dropFirst(), maximumOctets: 4, limit: bytes.count) {
        case let .length(length, octets) where 1 + octets + length <= bytes.count:
            let start = bytes.startIndex + 1 + octets
            defer { bytes = bytes[(start + length)...] }
            return bytes[start..<(start + length)]
        default:
            throw .malformed("a length past the end")
        }
    }

    mutating func sequence() throws(ServerKeyError) -> DER { DER(try element(tag: 0x30)) }
    mutating func integer() throws(ServerKeyError) -> [UInt8] { Array(try element(tag: 0x02)) }
}
