import CaptureAnalysis
import RDPProtocol
import TLSDecryption

/// What `analyze --keylog/--rsa-key` reads: TLS records from a capture, key
/// files from the user, and the plaintext the records decrypt to.
enum DecryptionTargets {
    static let all: [FuzzTarget] = [
        FuzzTarget(
            name: "tls-records",
            summary:
                "TLS records opened with every suite and version (RC4, CBC with and without encrypt-then-MAC, GCM, ChaCha20, TLS 1.3); key logs; RSA key DER",
            run: records),
        FuzzTarget(
            name: "decrypted-traffic", summary: "decrypted plaintext read as CredSSP TSRequests (NTLM) then MCS, licensing, share PDUs, both sides",
            run: decryptedTraffic),
    ]

    /// The first byte picks the suite, the second the version and encrypt-then-MAC;
    /// the rest is a record stream opened with fixed keys (almost every record
    /// fails its MAC or tag: the paths up to there are what is fuzzed).
    static func records(_ bytes: [UInt8]) {
        guard bytes.count >= 2 else { return }
        let suite = CipherSuite.all[Int(bytes[0]) % CipherSuite.all.count]
        let version: UInt16 = [0x0301, 0x0302, 0x0303, 0x0304][Int(bytes[1] & 3)]
        let keys = DirectionKeys(
            macKey: [UInt8](repeating: 1, count: 48), key: [UInt8](repeating: 2, count: suite.cipher.keyBytes),
            iv: [UInt8](repeating: 3, count: version >= 0x0304 ? 12 : suite.cipher.fixedIVBytes))
        var decryptor = RecordDecryptor(suite: suite, version: version, keys: keys, encryptThenMAC: bytes[1] & 4 != 0)
        let stream = Array(bytes.dropFirst(2))
        for record in TLSRecords.split(stream, from: 0).prefix(64) {
            if let opened = try? decryptor.open(type: record.type, body: record.body),
                opened.plaintext.count > TLSRecords.maximumBody
            {
                violated("tls-records: plaintext longer than its record")
            }
        }
        let log = KeyLog(text: stream)
        if log.sessions > KeyLog.maximumEntries { violated("tls-records: key log past its bound") }
        _ = try? ServerPrivateKey(der: stream)
    }

    /// The first byte splits the rest into the client's and the server's plaintext.
    static func decryptedTraffic(_ bytes: [UInt8]) {
        guard let first = bytes.first else { return }
        let rest = Array(bytes.dropFirst())
        let cut = min(rest.count, Int(first) * rest.count / 255)
        let client = DecryptedStream(plaintext: Array(rest[..<cut]))
        let server = DecryptedStream(plaintext: Array(rest[cut...]))
        for selected in [SecurityProtocols.hybrid, .hybridEx, .ssl] {
            _ = DecryptedTraffic.read(client: client, server: server, selected: selected)
        }
    }
}
