import CredSSP
import NTLM
import ProbeCore
import RDPProtocol
import RDPWire
import TLSDecryption

// The decrypted application data of one connection, read with the decoders
// the live check uses: CredSSP's TSRequests (NTLM NEGOTIATE, CHALLENGE,
// AUTHENTICATE; the errorCode), then the server's MCS Connect Response,
// channel confirms, licensing, Set Error Info, Demand Active. What it finds
// becomes the same observations a check makes; nothing here judges.

public struct DecryptedReading: Sendable {
    public internal(set) var credssp: CredSSPObservation?
    public internal(set) var client = CaptureFacts.ClientAuthentication()
    public internal(set) var serverData: ServerDataObservation?
    public internal(set) var session: SessionObservation?
    /// The furthest step the server answered, and where in its plaintext each step ended.
    public internal(set) var reached: Step?
    var stepEnds: [(step: Step, serverPlaintext: Int)] = []
    /// Where the client's RDP (after CredSSP) starts in its plaintext.
    var clientRDPFrom: Int?
    /// A server PDU that did not decode (the reading stopped there).
    public internal(set) var problem: String?
}

public enum DecryptedTraffic {
    /// Server frames read at most (the stream itself is bounded by the reassembler).
    static let maximumFrames = 4096

    public static func read(client: DecryptedStream, server: DecryptedStream, selected: SecurityProtocols) -> DecryptedReading {
        var reading = DecryptedReading()
        var clientAt = 0
        var serverAt = 0
        if selected.contains(.hybrid) || selected.contains(.hybridEx) {
            clientAt = readClientCredSSP(client.plaintext, into: &reading)
            serverAt = readServerCredSSP(server.plaintext, into: &reading)
            if serverAt > 0 { reading.stepEnds.append((.credssp, serverAt - 1)) }
            if selected.contains(.hybridEx), reading.client.credentialsSent, server.plaintext.count - serverAt >= 4,
                server.plaintext[serverAt] != 0x03
            {
                // HYBRID_EX: the Early User Authorization Result, 4 bytes.
                if let result = try? EarlyUserAuthorizationResult(decoding: Array(server.plaintext[serverAt..<(serverAt + 4)])),
                    result.rawValue != 0
                {
                    reading.problem = "the server refused the user with Early User Authorization Result 0x\(String(result.rawValue, radix: 16))"
                }
                serverAt += 4
            }
        }
        reading.clientRDPFrom = clientAt < client.plaintext.count ? clientAt : nil
        readServerRDP(server.plaintext, from: serverAt, into: &reading)
        return reading
    }

    /// The client's TSRequests up to the one carrying its credentials; returns where they end.
    static func readClientCredSSP(_ plaintext: [UInt8], into reading: inout DecryptedReading) -> Int {
        var at = 0
        while at < plaintext.count, plaintext[at] == 0x30,
            let length = try? TSRequest.frameLength(of: plaintext[at...]), at + length <= plaintext.count
        {
            defer { at += length }
            guard let decoded = try? TSRequestDecoding(decoding: Array(plaintext[at..<(at + length)])) else { break }
            let request = decoded.request
            reading.client.tsRequests += 1
            reading.client.credSSPVersion = reading.client.credSSPVersion ?? request.version
            for token in request.negoTokens { readClientNTLM(token, into: &reading.client) }
            if request.authInfo != nil {
                reading.client.credentialsSent = true
                return at + length
            }
        }
        return at
    }

    /// The server's TSRequests (its CHALLENGE, pubKeyAuth, an errorCode); returns where they end.
    static func readServerCredSSP(_ plaintext: [UInt8], into reading: inout DecryptedReading) -> Int {
        var at = 0
        while at < plaintext.count, plaintext[at] == 0x30,
            let length = try? TSRequest.frameLength(of: plaintext[at...]), at + length <= plaintext.count
        {
            guard let decoded = try? TSRequestDecoding(decoding: Array(plaintext[at..<(at + length)])) else { break }
            let request = decoded.request
            var observed = reading.credssp ?? CredSSPObservation(challenge: nil, version: request.version)
            for token in request.negoTokens {
                guard let message = ntlmMessage(token), message.type == 2,
                    let challenge = try? ChallengeMessage(decoding: message.bytes)
                else { continue }
                let info = ChallengeInfo(credSSPVersion: request.version, challenge: challenge)
                let deviations = observed.encodingDeviations
                observed = CredSSPObservation(challenge: info, version: request.version)
                observed.encodingDeviations = deviations
            }
            let deviations = decoded.deviations.map(\.description)
            observed.encodingDeviations += deviations.filter { !observed.encodingDeviations.contains($0) }
            if let status = request.errorCode { observed.errorCode = status }
            reading.credssp = observed
            reading.reached = .credssp
            at += length
        }
        return at
    }

    static func readClientNTLM(_ token: [UInt8], into client: inout CaptureFacts.ClientAuthentication) {
        guard let message = ntlmMessage(token) else { return }
        switch message.type {
        case 1:
            // NEGOTIATE: flags at 12, the VERSION at 32 when NEGOTIATE_VERSION (0x02000000) is set.
            let bytes = message.bytes
            guard bytes.count >= 40 else { return }
            let flags = UInt32(bytes[12]) | UInt32(bytes[13]) << 8 | UInt32(bytes[14]) << 16 | UInt32(bytes[15]) << 24
            if flags & 0x0200_0000 != 0 {
                client.ntlmVersion = "\(bytes[32]).\(bytes[33]).\(Int(bytes[34]) | Int(bytes[35]) << 8)"
            }
        case 3:
            guard let authenticate = try? AuthenticateMessage(decoding: message.bytes) else { return }
            client.user = authenticate.user
            client.domain = authenticate.domain
            client.workstation = authenticate.workstation
            if let version = authenticate.version { client.ntlmVersion = "\(version.major).\(version.minor).\(version.build)" }
        default:
            break
        }
    }

    /// The NTLM message inside a token: bare, or wrapped (SPNEGO) with the signature inside.
    static func ntlmMessage(_ token: [UInt8]) -> (type: UInt32, bytes: [UInt8])? {
        let signature: [UInt8] = Array("NTLMSSP".utf8) + [0]
        guard token.count >= 12 else { return nil }
        let start =
            token.starts(with: signature)
            ? 0
            : (0...(token.count - 12)).first { token[$0..<($0 + 8)].elementsEqual(signature) }
        guard let start else { return nil }
        let type = UInt32(token[start + 8]) | UInt32(token[start + 9]) << 8 | UInt32(token[start + 10]) << 16 | UInt32(token[start + 11]) << 24
        return (type, Array(token[start...]))
    }

    /// The server's RDP after CredSSP (or from the start for PROTOCOL_SSL).
    static func readServerRDP(_ plaintext: [UInt8], from start: Int, into reading: inout DecryptedReading) {
        guard start < plaintext.count else { return }
        var framer = TPKTFramer(acceptsFastPath: true)
        framer.append(plaintext[start...])
        var consumed = start
        var session = SessionObservation()
        var sawSession = false
        for _ in 0..<maximumFrames {
            guard case let .frame(kind, frame)? = try? framer.next() else { break }
            consumed += frame.count
            guard kind == .tpkt else { continue }  // fast-path output: the session is running
            if reading.serverData == nil {
                guard let response = try? MCSConnectResponse.decode(frame[...]) else {
                    reading.problem = "the server's first RDP frame after CredSSP is not an MCS Connect Response"
                    break
                }
                reading.serverData = ServerDataObservation(response)
                reading.reached = .mcs
                reading.stepEnds.append((.mcs, consumed - 1))
                continue
            }
            let pdu: MCSDomainPDU
            do {
                pdu = try MCSDomainPDU.decode(frame: frame[...])
            } catch {
                reading.problem = "\(error)"
                break
            }
            sawSession = true
            switch pdu {
            case let .disconnectProviderUltimatum(reason):
                session.disconnectReason = reason
            case let .attachUserConfirm(result, initiator):
                if result == .successful, let user = initiator { session.userChannel = user }
                reading.reached = max(reading.reached ?? .channels, .channels)
            case let .channelJoinConfirm(result, _, requested, _):
                if result == .successful { session.joinedChannels.append(requested) }
                reading.reached = max(reading.reached ?? .channels, .channels)
                reading.stepEnds.append((.channels, consumed - 1))
            case let .sendDataIndication(data):
                readServerData(data.userData, session: &session, reading: &reading, at: consumed - 1)
            case .sendDataRequest, .other:
                break
            }
        }
        if sawSession { reading.session = session }
    }

    /// A slow-path PDU: licensing (a security header with SEC_LICENSE_PKT), a
    /// redirection, or share control PDUs (Demand Active, Set Error Info).
    static func readServerData(_ bytes: ArraySlice<UInt8>, session: inout SessionObservation, reading: inout DecryptedReading, at: Int) {
        var reader = ByteReader(bytes, pdu: "server PDU")
        // A security header comes only while licensing is due (before the Demand Active), as the live walk reads it.
        let header = session.demandActive ? nil : try? SecurityHeader.decode(from: &reader)
        if let header {
            if header.flags.contains(.licensePacket), let licensing = try? ServerLicensingPDU.decode(reader.rest()) {
                let observed = LicensingObservation(licensing)
                // As the live walk keeps it: the first licensing PDU, or an error that came later.
                if session.licensing == nil { session.licensing = observed }
                if case .error = observed { session.licensing = observed }
                if case .newLicense = licensing.messageType { session.licenseIssued = true }
                if case .upgradeLicense = licensing.messageType { session.licenseIssued = true }
                reading.reached = max(reading.reached ?? .licensing, .licensing)
                reading.stepEnds.append((.licensing, at))
                return
            }
        }
        guard let pdus = try? ServerSharePDU.decodeAll(bytes) else {
            // Not share control: the Standard Security redirection PDU (SEC_REDIRECTION_PKT) while licensing is due.
            if let header, header.flags.contains(.redirectionPacket) { session.redirected = true }
            return
        }
        for pdu in pdus {
            switch pdu {
            case .demandActive(let active):
                session.demandActive = true
                session.serverOSMajor = active.serverOS?.major
                session.serverOSMinor = active.serverOS?.minor
                reading.reached = .capabilities
                reading.stepEnds.append((.capabilities, at))
            case let .data(_, .setErrorInfo(code)):
                session.errorInfo.append(code)
            case .serverRedirection:
                session.redirected = true
            default:
                continue
            }
        }
    }
}
