import RDPWire

/// The server's certificate in TS_UD_SC_SEC1 (MS-RDPBCGR 2.2.1.4.3.1), sent
/// only under standard RDP security.
public enum ServerCertificate: Equatable, Sendable {
    /// PROPRIETARYSERVERCERTIFICATE (2.2.1.4.3.1.1), CERT_CHAIN_VERSION_1.
    case proprietary(ProprietaryCertificate, temporary: Bool)
    /// An X.509 chain (MS-RDPELE 2.2.1.4.2), CERT_CHAIN_VERSION_2: DER blobs,
    /// root first, kept undecoded.
    case x509Chain([[UInt8]], temporary: Bool)

    static let pdu = "Server Security Data certificate"

    static func decode(_ bytes: ArraySlice<UInt8>) throws(WireError) -> ServerCertificate {
        var reader = ByteReader(bytes, pdu: pdu)
        let version = try reader.u32LE("dwVersion")
        let temporary = version & 0x8000_0000 != 0
        switch version & 0x7FFF_FFFF {
        case 1:
            return .proprietary(try ProprietaryCertificate.decode(from: &reader), temporary: temporary)
        case 2:
            let count = Int(try reader.u32LE("NumCertBlobs"))
            // Each blob needs at least its 4-byte length, which bounds the count.
            guard count <= reader.remaining / 4 else {
                throw reader.error(
                    .lengthExceedsAvailable(declared: count * 4, available: reader.remaining),
                    field: "NumCertBlobs")
            }
            var chain: [[UInt8]] = []
            for _ in 0..<count {
                let length = Int(try reader.u32LE("cbCert"))
                try reader.check(declaredLength: length, "cbCert")
                chain.append(Array(try reader.bytes(length, "abCert")))
            }
            return .x509Chain(chain, temporary: temporary)
        default:
            throw reader.error(
                .invalidField(reason: "certificate chain version \(version & 0x7FFF_FFFF) is neither 1 (proprietary) nor 2 (X.509)"),
                field: "dwVersion")
        }
    }
}

/// PROPRIETARYSERVERCERTIFICATE (2.2.1.4.3.1.1): an RSA key signed with a
/// well-known Terminal Services key.
public struct ProprietaryCertificate: Equatable, Sendable {
    /// SIGNATURE_ALG_RSA is 1.
    public var signatureAlgorithmID: UInt32
    /// KEY_EXCHANGE_ALG_RSA is 1.
    public var keyAlgorithmID: UInt32
    public var publicKey: RSAPublicKey
    public var signature: [UInt8]

    static func decode(from reader: inout ByteReader) throws(WireError) -> ProprietaryCertificate {
        let signatureAlgorithm = try reader.u32LE("dwSigAlgId")
        let keyAlgorithm = try reader.u32LE("dwKeyAlgId")
        let keyBlobType = try reader.u16LE("wPublicKeyBlobType")
        guard keyBlobType == 0x0006 else {
            throw reader.error(
                .invalidField(reason: "is \(hexString(keyBlobType)), expected BB_RSA_KEY_BLOB (0x0006)"),
                field: "wPublicKeyBlobType")
        }
        let keyLength = Int(try reader.u16LE("wPublicKeyBlobLen"))
        var keyReader = try reader.subReader(length: keyLength, "wPublicKeyBlobLen")
        let key = try RSAPublicKey.decode(from: &keyReader)
        let signatureBlobType = try reader.u16LE("wSignatureBlobType")
        guard signatureBlobType == 0x0008 else {
            throw reader.error(
                .invalidField(reason: "is \(hexString(signatureBlobType)), expected BB_RSA_SIGNATURE_BLOB (0x0008)"),
                field: "wSignatureBlobType")
        }
        let signatureLength = Int(try reader.u16LE("wSignatureBlobLen"))
        try reader.check(declaredLength: signatureLength, "wSignatureBlobLen")
        let signature = Array(try reader.bytes(signatureLength, "SignatureBlob"))
        return ProprietaryCertificate(
            signatureAlgorithmID: signatureAlgorithm, keyAlgorithmID: keyAlgorithm,
            publicKey: key, signature: signature)
    }
}

/// RSA_PUBLIC_KEY (2.2.1.4.3.1.1.1), magic "RSA1".
public struct RSAPublicKey: Equatable, Sendable {
    public var bitLength: UInt32
    /// Maximum bytes that can be encrypted (bitlen / 8 - 1).
    public var dataLength: UInt32
    public var publicExponent: UInt32
    /// As on the wire: little-endian, `keylen` bytes including 8 zero bytes of padding.
    public var modulusLittleEndian: [UInt8]

    static let magic: UInt32 = 0x3141_5352

    public init(bitLength: UInt32, dataLength: UInt32, publicExponent: UInt32, modulusLittleEndian: [UInt8]) {
        self.bitLength = bitLength
        self.dataLength = dataLength
        self.publicExponent = publicExponent
        self.modulusLittleEndian = modulusLittleEndian
    }

    static func decode(from reader: inout ByteReader) throws(WireError) -> RSAPublicKey {
        let magic = try reader.u32LE("RSA magic")
        guard magic == Self.magic else {
            throw reader.error(.invalidField(reason: "is \(hexString(magic)), expected 'RSA1' (0x31415352)"), field: "RSA magic")
        }
        let keyLength = Int(try reader.u32LE("keylen"))
        let bitLength = try reader.u32LE("bitlen")
        let dataLength = try reader.u32LE("datalen")
        let exponent = try reader.u32LE("pubExp")
        try reader.check(declaredLength: keyLength, "keylen")
        let modulus = Array(try reader.bytes(keyLength, "modulus"))
        return RSAPublicKey(
            bitLength: bitLength, dataLength: dataLength, publicExponent: exponent,
            modulusLittleEndian: modulus)
    }
}
