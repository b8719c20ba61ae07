// TLS 1.3 (RFC 8446): everything after the ServerHello is encrypted, first
// with the handshake traffic secrets, then, after each side's Finished, with
// the application traffic secrets. Only a key log gives them.

extension SessionDecryptor {
    static func tls13(
        _ handshake: HandshakeParameters, suite: CipherSuite, clientRecords: [TLSRecord],
        serverRecords: [TLSRecord], keyLog: KeyLog
    ) -> Result<DecryptedSession, NotDecrypted> {
        let random = handshake.clientRandom
        guard let clientHandshake = keyLog.secret(.clientHandshake, clientRandom: random),
            let serverHandshake = keyLog.secret(.serverHandshake, clientRandom: random)
        else {
            return .failure(keyLog.isEmpty ? .noKeys(keyExchange: .tls13) : .needsKeyLog(keyExchange: .tls13))
        }
        let clientTraffic = keyLog.secret(.clientTraffic, clientRandom: random)
        let serverTraffic = keyLog.secret(.serverTraffic, clientRandom: random)
        return .success(
            DecryptedSession(
                method: .keyLog, suite: suite,
                fromClient: side(clientRecords, suite: suite, handshakeSecret: clientHandshake, trafficSecret: clientTraffic),
                fromServer: side(serverRecords, suite: suite, handshakeSecret: serverHandshake, trafficSecret: serverTraffic),
                masterSecret: nil))
    }

    /// One side: handshake keys until its Finished, then the traffic keys (when the log has them).
    static func side(_ records: [TLSRecord], suite: CipherSuite, handshakeSecret: [UInt8], trafficSecret: [UInt8]?) -> DecryptedStream {
        var stream = DecryptedStream()
        var decryptor = RecordDecryptor(suite: suite, version: 0x0304, keys: KeySchedule.keys(trafficSecret: handshakeSecret, suite: suite))
        var inHandshake = true
        var pending: [UInt8] = []
        for record in records where record.type == 23 {
            guard inHandshake else {
                guard open(record, with: &decryptor, into: &stream) else { break }
                continue
            }
            do {
                let (type, plaintext) = try decryptor.open(type: record.type, body: record.body)
                stream.records += 1
                if type == 21, plaintext.count >= 2 { stream.alerts.append((plaintext[0], plaintext[1], record.offset)) }
                guard type == 22 else { continue }
                if pending.count + plaintext.count <= 256 * 1024 { pending += plaintext }
                while pending.count >= 4 {
                    let length = Int(pending[1]) << 16 | Int(pending[2]) << 8 | Int(pending[3])
                    guard pending.count >= 4 + length else { break }
                    if stream.handshakeMessages.count < 32 {
                        stream.handshakeMessages.append((pending[0], Array(pending[4..<(4 + length)])))
                    }
                    let finished = pending[0] == 20
                    pending.removeFirst(4 + length)
                    if finished {
                        inHandshake = false
                        guard let trafficSecret else { return stream }
                        decryptor = RecordDecryptor(
                            suite: suite, version: 0x0304,
                            keys: KeySchedule.keys(trafficSecret: trafficSecret, suite: suite))
                        break
                    }
                }
            } catch {
                stream.failure = (record.offset, error)
                break
            }
        }
        return stream
    }
}
