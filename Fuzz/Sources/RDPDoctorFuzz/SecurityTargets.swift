import CertificateAudit
import CredSSP
import NTLM

/// NTLM, CredSSP and the certificate audit: what a server (or whoever sits
/// in front of it) sends during NLA and the TLS handshake.
enum SecurityTargets {
    static let all: [FuzzTarget] = [
        FuzzTarget(name: "ntlm", summary: "NTLM CHALLENGE (with round trip and an NTLMv2 answer), target info, AUTHENTICATE", run: ntlm),
        FuzzTarget(name: "tsrequest", summary: "TSRequest framing, strict and lenient decoding, TSCredentials, early user authorization", run: tsrequest),
        FuzzTarget(name: "credssp-client", summary: "CredSSPClient answering a stream of server TSRequests", run: credsspClient),
        FuzzTarget(name: "cert-audit", summary: "CertificateAuditor over a DER chain cut from the input, PEM reading", run: certAudit),
    ]

    static let credentials = NTLMCredentials(user: "alice", domain: "CORP", password: "fuzz-password")
    static let negotiate = NegotiateMessage(flags: .clientDefault).encoded()

    static func ntlm(_ bytes: [UInt8]) {
        _ = try? TargetInfo(decoding: bytes)
        _ = try? AuthenticateMessage(decoding: bytes)
        guard let challenge = try? ChallengeMessage(decoding: bytes) else { return }
        let again: ChallengeMessage
        do { again = try ChallengeMessage(decoding: challenge.encoded()) } catch {
            violated("ntlm: a re-encoded CHALLENGE does not decode", "\(error)")
        }
        if again != challenge { violated("ntlm: CHALLENGE round trip", "\(challenge) != \(again)") }
        let parameters = NTLMAuthenticateParameters(
            credentials: credentials, negotiateMessage: negotiate, challengeMessage: bytes,
            flags: challenge.flags, workstation: "FUZZ", version: NTLMVersion(major: 10, minor: 0, build: 19041),
            clientChallenge: [UInt8](repeating: 0xAA, count: 8), randomSessionKey: [UInt8](repeating: 0x55, count: 16),
            currentTime: FileTime(rawValue: 0x01D6_0000_0000_0000), targetName: "TERMSRV/fuzz.test",
            channelBindings: nil)
        guard let result = try? NTLMv2.authenticate(parameters) else { return }
        if (try? AuthenticateMessage(decoding: result.encoded)) == nil {
            violated("ntlm: the AUTHENTICATE made for a decodable CHALLENGE does not decode")
        }
    }

    static func tsrequest(_ bytes: [UInt8]) {
        _ = try? TSRequest.frameLength(of: bytes)
        _ = try? TSRequest.frameLength(of: bytes.prefix(6))
        _ = try? TSRequestDecoding(decoding: bytes)
        _ = try? EarlyUserAuthorizationResult(decoding: bytes)
        _ = try? TSCredentials(derEncoded: bytes)
        _ = try? TSPasswordCreds(derEncoded: bytes)
        guard let request = try? TSRequest(derEncoded: bytes) else { return }
        let again: TSRequest
        do { again = try TSRequest(derEncoded: request.derEncoded()) } catch {
            violated("tsrequest: a re-encoded TSRequest does not decode", "\(error)")
        }
        if again != request { violated("tsrequest: round trip") }
    }

    /// The client as the probe runs it (version 6, credentials, --logon), fed
    /// each TSRequest the framing finds in the input.
    static func credsspClient(_ bytes: [UInt8]) {
        var configuration = CredSSPClient.Configuration()
        configuration.sendCredentials = bytes.first.map { $0 & 1 == 1 } ?? false
        configuration.random = RandomBytes { [UInt8](repeating: 0x42, count: $0) }
        configuration.servicePrincipalName = "TERMSRV/fuzz.test"
        var client = CredSSPClient(serverPublicKey: [UInt8](repeating: 0x30, count: 270), configuration: configuration)
        _ = client.start(credentials: bytes.first.map { $0 & 2 == 2 } ?? false ? credentials : nil)
        var rest = bytes.dropFirst()
        var messages = 0
        while !rest.isEmpty, messages < 8 {
            guard let length = try? TSRequest.frameLength(of: rest), length > 0 else {
                _ = client.receive(Array(rest))
                return
            }
            if length > TSRequest.maximumEncodedCount { violated("credssp: frame length \(length) past the bound") }
            _ = client.receive(Array(rest.prefix(length)))
            rest = rest.dropFirst(length)
            messages += 1
        }
    }

    static let names = ["rdp.example.test", "127.0.0.1", "::1", "*.example.test", "xn--bcher-kva.example"]

    /// First byte: how many certificates (1–4), the expected name, whether the
    /// last is also an anchor; then each certificate as a 2-byte length and
    /// DER, the last taking the rest.
    static func certAudit(_ bytes: [UInt8]) {
        var cursor = Cursor(bytes)
        let mode = cursor.byte()
        let count = Int(mode & 0x03) + 1
        var chain: [[UInt8]] = []
        for index in 0..<count {
            chain.append(index == count - 1 ? cursor.rest() : cursor.take(cursor.uint16()))
        }
        let name = names[Int(mode >> 2) % names.count]
        let anchors = mode & 0x80 != 0 ? [chain[chain.count - 1]] : []
        for der in chain {
            _ = CertificateKey.subjectPublicKey(ofDER: der)
        }
        _ = PEM.derBlocks(from: String(decoding: bytes, as: UTF8.self))
        let presented = chain
        let report = blocking {
            await CertificateAuditor.audit(
                chain: presented, expectedName: name, nowSecondsSinceEpoch: 1_790_000_000,
                trustAnchors: anchors)
        }
        if report.certificates.count != chain.count {
            violated("cert-audit: \(chain.count) certificates in, \(report.certificates.count) summaries out")
        }
    }
}
