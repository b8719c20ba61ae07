// The two swift-crypto primitives NTLM uses, wrapped to work on byte arrays.
import Crypto

enum NTLMHash {
    static func hmacMD5(key: [UInt8], _ parts: [UInt8]...) -> [UInt8] {
        var hmac = HMAC<Insecure.MD5>(key: SymmetricKey(data: key))
        for part in parts { hmac.update(data: part) }
        return Array(hmac.finalize())
    }

    static func md5(_ parts: [UInt8]...) -> [UInt8] {
        var md5 = Insecure.MD5()
        for part in parts { md5.update(data: part) }
        return Array(md5.finalize())
    }
}
