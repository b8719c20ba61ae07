import CertificateAudit
import CredSSP
import Foundation
import NTLM
import ProbeCore
import Testing

/// Issue 11's hostile inputs that need no socket: each at the edge of a bound
/// (ARCHITECTURE.md, "Resource bounds"), each ending typed and without a trap.
@Suite("Hostile inputs at the bounds")
struct HostileInputTests {
    static let ms: UInt64 = 1_000_000

    /// The Windows Server 2008 R2 certificate of the committed seed corpus
    /// (Fuzz/corpus/cert-audit/cert-0: a mode byte, then the DER).
    static let windowsLeaf: [UInt8] = {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Fuzz/corpus/cert-audit/cert-0").path
        return Array((FileManager.default.contents(atPath: path) ?? Data()).dropFirst())
    }()

    /// A CHALLENGE_MESSAGE whose target info holds `pairs` MsvAvNbDomainName pairs of "A"
    /// (6 bytes each: 10,000 fit the 16-bit TargetInfoLen and a 64 KiB TSRequest).
    static func challenge(pairs: Int, targetInfoLengthDelta: Int = 0) -> [UInt8] {
        var info: [UInt8] = []
        for _ in 0..<pairs { info += [0x02, 0x00, 0x02, 0x00, 0x41, 0x00] }  // MsvAvNbDomainName, 2 bytes, "A"
        info += [0x00, 0x00, 0x00, 0x00]  // MsvAvEOL
        func le16(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF)] }
        func le32(_ v: Int) -> [UInt8] { le16(v & 0xFFFF) + le16(v >> 16) }
        let declared = info.count + targetInfoLengthDelta
        return Array("NTLMSSP\0".utf8) + le32(2)  // signature, MessageType CHALLENGE
            + le16(0) + le16(0) + le32(48)  // TargetNameFields: empty, at the payload
            + le32(0xE288_8235)  // NegotiateFlags: unicode, target info, NTLMv2…
            + [0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF]  // ServerChallenge
            + [UInt8](repeating: 0, count: 8)  // Reserved
            + le16(declared & 0xFFFF) + le16(declared & 0xFFFF) + le32(48)  // TargetInfoFields
            + info
    }

    @Test("an NTLM CHALLENGE with 10,000 AV pairs decodes, and the probe reads it within its 64 KiB TSRequest")
    func tenThousandPairs() throws {
        let bytes = Self.challenge(pairs: 10_000)
        let challenge = try ChallengeMessage(decoding: bytes)
        #expect(challenge.targetInfo.pairs.count == 10_000)

        let request = TSRequest(version: 6, negoTokens: [bytes]).derEncoded()
        #expect(request.count <= TSRequest.maximumEncodedCount)
        var machine = Self.nlaMachine()
        let actions = machine.handle(.received(request), now: 20 * Self.ms)
        #expect(actions == [.close])
        #expect(machine.record.end == .completed, "\(machine.record.end)")
        #expect(machine.record.credssp?.netbiosDomain == "A")
    }

    @Test("a CHALLENGE whose target-info length runs past the message is a typed NTLM error, and a CredSSP protocol error")
    func targetInfoPastTheMessage() {
        let bytes = Self.challenge(pairs: 3, targetInfoLengthDelta: 1000)
        #expect(throws: NTLMError.self) { try ChallengeMessage(decoding: bytes) }
        var machine = Self.nlaMachine()
        _ = machine.handle(.received(TSRequest(version: 6, negoTokens: [bytes]).derEncoded()), now: 20 * Self.ms)
        #expect(machine.isFinished)
        #expect(machine.record.end.step == .credssp, "\(machine.record.end)")
        if case .completed = machine.record.end { Issue.record("a CHALLENGE past its message was read as complete") }
    }

    @Test("a TSRequest that declares more than 64 KiB is refused from its header, before its bytes arrive")
    func oversizedTSRequest() throws {
        let header: [UInt8] = [0x30, 0x83, 0x01, 0x00, 0x00]  // SEQUENCE, 3-byte length 65536
        #expect(throws: CredSSPError.self) { try TSRequest.frameLength(of: header) }
        var machine = Self.nlaMachine()
        #expect(machine.handle(.received(header), now: 20 * Self.ms) == [.close])
        guard case let .protocolError(step, message) = machine.record.end else {
            Issue.record("expected a protocol error, got \(machine.record.end)")
            return
        }
        #expect(step == .credssp)
        #expect(message.contains("TSRequest"), "\(message)")
    }

    @Test("a chain of 200 certificates is audited: one summary each, untrusted, in bounded time")
    func twoHundredCertificates() async throws {
        try #require(!Self.windowsLeaf.isEmpty, "the seed corpus holds the Windows certificate")
        let chain = [[UInt8]](repeating: Self.windowsLeaf, count: 200)
        let clock = ContinuousClock()
        let start = clock.now
        let report = await CertificateAuditor.audit(
            chain: chain, expectedName: "win2k8r2.example.test",
            nowSecondsSinceEpoch: 1_790_000_000, trustAnchors: [])
        let elapsed = clock.now - start
        #expect(report.certificates.count == 200)
        #expect(!report.trust.isTrusted)
        #expect(elapsed < .seconds(20), "took \(elapsed)")
    }

    @Test("a 1 MiB certificate (a DER SEQUENCE of 1 MiB) is one typed problem, not a trap")
    func oneMebibyteCertificate() async {
        let size = 1 << 20
        let der: [UInt8] =
            [0x30, 0x83, UInt8(size >> 16), UInt8(size >> 8 & 0xFF), UInt8(size & 0xFF)]
            + [UInt8](repeating: 0x04, count: size)
        let report = await CertificateAuditor.audit(
            chain: [der], expectedName: "rdp.example.test",
            nowSecondsSinceEpoch: 1_790_000_000, trustAnchors: [])
        #expect(report.certificates.count == 1)
        #expect(!report.problems.isEmpty)
        #expect(!report.trust.isTrusted)
    }

    @Test("DER nested 10,000 SEQUENCEs deep is refused as a certificate, not a stack overflow")
    func deeplyNested() async {
        var der: [UInt8] = []
        for _ in 0..<10_000 { der = [0x30, 0x80] + der + [0x00, 0x00] }  // indefinite lengths: BER, not DER
        var definite: [UInt8] = [0x05, 0x00]
        for _ in 0..<5_000 {
            let n = definite.count
            definite =
                (n < 128
                    ? [0x30, UInt8(n)]
                    : n < 256
                        ? [0x30, 0x81, UInt8(n)]
                        : n < 65536
                            ? [0x30, 0x82, UInt8(n >> 8), UInt8(n & 0xFF)]
                            : [0x30, 0x83, UInt8(n >> 16), UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF)]) + definite
        }
        for bytes in [der, definite] {
            let report = await CertificateAuditor.audit(
                chain: [bytes], expectedName: "rdp.example.test",
                nowSecondsSinceEpoch: 1_790_000_000, trustAnchors: [])
            #expect(report.certificates.count == 1)
            #expect(!report.problems.isEmpty)
            #expect(throws: CredSSPError.self) { try TSRequestDecoding(decoding: Array(bytes.prefix(60_000))) }
        }
    }

    /// The default client's machine, past the confirm selecting CredSSP and the TLS handshake.
    static func nlaMachine() -> RDPProbeMachine {
        var machine = RDPProbeMachine(
            purpose: .defaultClient, requested: CheckPlan.defaultClientProtocols,
            goal: .asFarAsPossible, tls: TLSParameters(serverName: "rdp.example.test"),
            timeouts: StepTimeouts(connectMs: 3000, stepMs: 2000))
        _ = machine.handle(.connecting, now: 0)
        _ = machine.handle(.connected, now: 5 * ms)
        let confirmHybrid: [UInt8] = [
            0x03, 0x00, 0x00, 0x13, 0x0E, 0xD0, 0x00, 0x00, 0x12, 0x34, 0x00,  // TPKT, X.224 CC
            0x02, 0x1F, 0x08, 0x00, 0x02, 0x00, 0x00, 0x00,  // RDP_NEG_RSP: PROTOCOL_HYBRID
        ]
        _ = machine.handle(.received(confirmHybrid), now: 10 * ms)
        _ = machine.handle(.tlsEstablished(TLSSessionInfo(version: .tls12, peerChain: [windowsLeaf])), now: 15 * ms)
        return machine
    }
}
