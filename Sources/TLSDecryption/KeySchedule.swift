import Crypto

// From secrets to record keys: TLS 1.2 and earlier cut the key block
// (client MAC, server MAC, client key, server key, client IV, server IV);
// TLS 1.3 expands each traffic secret with HKDF-Expand-Label (RFC 8446 §7.3).

public enum KeySchedule {
    /// Both directions' keys from the master secret.
    public static func keys(
        master: [UInt8], suite: CipherSuite, version: UInt16,
        clientRandom: [UInt8], serverRandom: [UInt8]
    ) -> (client: DirectionKeys, server: DirectionKeys) {
        let macBytes = suite.mac.bytes
        let keyBytes = suite.cipher.keyBytes
        // TLS 1.1+ CBC records carry their own IV; the key block still has room for one, unused.
        let ivBytes = suite.cipher.fixedIVBytes
        let block = suite.prf(version: version).keyBlock(
            master: master, clientRandom: clientRandom, serverRandom: serverRandom, count: 2 * (macBytes + keyBytes + ivBytes))
        var offset = 0
        func take(_ count: Int) -> [UInt8] {
            defer { offset += count }
            return Array(block[offset..<(offset + count)])
        }
        let clientMAC = take(macBytes)
        let serverMAC = take(macBytes)
        let clientKey = take(keyBytes)
        let serverKey = take(keyBytes)
        let clientIV = take(ivBytes)
        let serverIV = take(ivBytes)
        return (
            DirectionKeys(macKey: clientMAC, key: clientKey, iv: clientIV),
            DirectionKeys(macKey: serverMAC, key: serverKey, iv: serverIV)
        )
    }

    /// A TLS 1.3 traffic secret's record key and IV.
    public static func keys(trafficSecret: [UInt8], suite: CipherSuite) -> DirectionKeys {
        DirectionKeys(
            key: expandLabel(trafficSecret, "key", count: suite.cipher.keyBytes, sha384: suite.usesSHA384),
            iv: expandLabel(trafficSecret, "iv", count: 12, sha384: suite.usesSHA384))
    }

    /// HKDF-Expand-Label(secret, label, "", count).
    public static func expandLabel(_ secret: [UInt8], _ label: String, context: [UInt8] = [], count: Int, sha384: Bool) -> [UInt8] {
        let full = Array("tls13 \(label)".utf8)
        let info = [UInt8(count >> 8), UInt8(count & 0xFF), UInt8(full.count)] + full + [UInt8(context.count)] + context
        let key = SymmetricKey(data: secret)
        let output =
            sha384
            ? HKDF<SHA384>.expand(pseudoRandomKey: key, info: info, outputByteCount: count)
            : HKDF<SHA256>.expand(pseudoRandomKey: key, info: info, outputByteCount: count)
        return output.withUnsafeBytes { Array($0) }
    }
}
