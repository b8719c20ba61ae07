import RDPWire
import TLSDecryption

// What decryption needs from the handshake a capture shows in clear: the two
// randoms, the session IDs (a resumption), the ClientKeyExchange's encrypted
// premaster secret, and for RFC 7627 the transcript up to it.

extension HandshakeParameters {
    init?(client: TLSStream, server: TLSStream, hello: ServerHello) {
        guard let clientHello = client.handshakes.first(where: { $0.type == 1 }),
            let serverHello = server.handshakes.first(where: { $0.type == 2 }),
            let clientFields = HelloFields(clientHello.body, client: true),
            let serverFields = HelloFields(serverHello.body, client: false)
        else { return nil }
        self.init(
            version: hello.version, cipherSuite: hello.cipherSuite,
            clientRandom: clientFields.random, serverRandom: serverFields.random)
        let keyExchange = client.handshakes.firstIndex { $0.type == 16 }
        if let keyExchange {
            let body = client.handshakes[keyExchange].body
            // TLS 1.0+ prefixes the RSA-encrypted premaster with its length; SSL 3 did not.
            let length = body.count >= 2 ? Int(body[0]) << 8 | Int(body[1]) : -1
            encryptedPremaster = length == body.count - 2 ? Array(body.dropFirst(2)) : body
        }
        resumed = keyExchange == nil && !serverFields.sessionID.isEmpty && serverFields.sessionID == clientFields.sessionID
        sessionID = serverFields.sessionID
        extendedMasterSecret = clientFields.extendedMasterSecret && serverFields.extendedMasterSecret
        encryptThenMAC = clientFields.encryptThenMAC && serverFields.encryptThenMAC
        if extendedMasterSecret, let keyExchange {
            // The client's hello, the server's flight, then the client's messages through the key exchange.
            func encoded(_ message: TLSStream.Handshake) -> [UInt8] {
                [
                    message.type, UInt8(truncatingIfNeeded: message.body.count >> 16),
                    UInt8(truncatingIfNeeded: message.body.count >> 8), UInt8(truncatingIfNeeded: message.body.count),
                ] + message.body
            }
            transcript =
                encoded(clientHello) + server.handshakes.flatMap(encoded)
                + client.handshakes[1...keyExchange].flatMap(encoded)
        }
    }
}

/// The parts of a hello decryption uses.
struct HelloFields {
    let random: [UInt8]
    let sessionID: [UInt8]
    let extendedMasterSecret: Bool
    let encryptThenMAC: Bool

    init?(_ body: [UInt8], client: Bool) {
        var reader = ByteReader(body, pdu: client ? "ClientHello" : "ServerHello")
        guard (try? reader.u16BE("version")) != nil, let random = try? reader.bytes(32, "random"),
            let sessionLength = try? reader.u8("session_id"), let session = try? reader.bytes(Int(sessionLength), "session_id")
        else { return nil }
        self.random = Array(random)
        sessionID = Array(session)
        if client {
            guard let suites = try? reader.u16BE("cipher_suites"), (try? reader.skip(Int(suites), "cipher_suites")) != nil,
                let compression = try? reader.u8("compression"), (try? reader.skip(Int(compression), "compression")) != nil
            else { extendedMasterSecret = false; encryptThenMAC = false; return }
        } else {
            guard (try? reader.skip(3, "cipher_suite and compression")) != nil else {
                extendedMasterSecret = false
                encryptThenMAC = false
                return
            }
        }
        let types = Extensions.read(&reader).map(\.0)
        extendedMasterSecret = types.contains(23)
        encryptThenMAC = types.contains(22)
    }
}
