// The NTLMv2 computations of MS-NLMP 3.3.2, each a pure function so the
// section 4.2.4 example values can pin them one by one.
import LegacyCrypto
import RDPWire

/// NTLMv2 one-way function, responses and session base key.
public enum NTLMv2 {
    /// NTOWFv2 = HMAC_MD5(MD4(UTF-16LE(password)), UTF-16LE(UPPER(user) + domain)).
    /// The domain keeps its case; the user is upper-cased one character at a
    /// time, as Windows does, not with full Unicode case mapping.
    public static func ntowfv2(_ credentials: NTLMCredentials) -> [UInt8] {
        let ntHash = MD4.hash(UTF16LE.encode(credentials.password))
        return NTLMHash.hmacMD5(key: ntHash, UTF16LE.encode(simpleUppercase(credentials.user) + credentials.domain))
    }

    /// The NTLMv2_CLIENT_CHALLENGE ("temp"): RespType 1, HiRespType 1, Z(6),
    /// time, client challenge, Z(4), the AV pairs (with EOL), Z(4).
    public static func clientBlob(time: FileTime, clientChallenge: [UInt8], targetInfo: [UInt8]) -> [UInt8] {
        var blob = ByteWriter(capacity: 28 + clientChallenge.count + targetInfo.count)
        blob.append([1, 1])
        blob.zeros(6)
        blob.u64LE(time.rawValue)
        blob.append(clientChallenge)
        blob.zeros(4)
        blob.append(targetInfo)
        blob.zeros(4)
        return blob.bytes
    }

    /// NTProofStr = HMAC_MD5(ResponseKeyNT, ServerChallenge + temp).
    public static func ntProofString(responseKey: [UInt8], serverChallenge: [UInt8], blob: [UInt8]) -> [UInt8] {
        NTLMHash.hmacMD5(key: responseKey, serverChallenge, blob)
    }

    /// LMv2 = HMAC_MD5(ResponseKeyLM, ServerChallenge + ClientChallenge) + ClientChallenge.
    public static func lmv2Response(responseKey: [UInt8], serverChallenge: [UInt8], clientChallenge: [UInt8]) -> [UInt8] {
        NTLMHash.hmacMD5(key: responseKey, serverChallenge, clientChallenge) + clientChallenge
    }

    /// SessionBaseKey = HMAC_MD5(ResponseKeyNT, NTProofStr); for NTLMv2 it is
    /// also the KeyExchangeKey.
    public static func sessionBaseKey(responseKey: [UInt8], ntProofString: [UInt8]) -> [UInt8] {
        NTLMHash.hmacMD5(key: responseKey, ntProofString)
    }

    /// RC4K(KeyExchangeKey, ExportedSessionKey): how the random session key travels.
    public static func encryptSessionKey(_ exportedSessionKey: [UInt8], keyExchangeKey: [UInt8]) -> [UInt8] {
        var rc4 = RC4(key: keyExchangeKey)
        return rc4.process(exportedSessionKey)
    }

    /// Simple (one-to-one) upper-casing, like Windows' RtlUpcaseUnicodeChar:
    /// characters whose upper case is several characters stay as they are.
    static func simpleUppercase(_ string: String) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in string.unicodeScalars {
            let upper = scalar.properties.uppercaseMapping.unicodeScalars
            scalars.append(upper.count == 1 ? upper.first! : scalar)
        }
        return String(scalars)
    }
}
