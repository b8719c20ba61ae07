import ProbeCore
import RDPProtocol
import Testing

/// CredSSP messages that bend DER the way real servers do: the probe reads them
/// as Windows and FreeRDP clients do, and records how they deviate, instead of
/// claiming the client would fail during CredSSP.
@Suite("RDPProbeMachine: lenient CredSSP")
struct LenientCredSSPProbeTests {
    typealias P = Probe

    /// The NTLM CHALLENGE of CredSSPTests' LenientDecodingTests (54 bytes, target "SRV").
    static let token: [UInt8] = [
        0x4e, 0x54, 0x4c, 0x4d, 0x53, 0x53, 0x50, 0x00, 0x02, 0x00, 0x00, 0x00, 0x06, 0x00, 0x06, 0x00, 0x30, 0x00, 0x00, 0x00, 0x05, 0x02, 0x0a, 0x00, 0x01,
        0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x36, 0x00, 0x00, 0x00, 0x53, 0x00,
        0x52, 0x00, 0x56, 0x00,
    ]

    /// The CHALLENGE TSRequest with its outer length in two octets (30 82 00 45).
    static let nonMinimal: [UInt8] =
        [
            0x30, 0x82, 0x00, 0x45, 0xa0, 0x03, 0x02, 0x01, 0x06, 0xa1, 0x3e, 0x30, 0x3c,
            0x30, 0x3a, 0xa0, 0x38, 0x04, 0x36,
        ] + token
    /// The DER CHALLENGE TSRequest followed by three zero bytes.
    static let trailing: [UInt8] =
        [
            0x30, 0x45, 0xa0, 0x03, 0x02, 0x01, 0x06, 0xa1, 0x3e, 0x30, 0x3c,
            0x30, 0x3a, 0xa0, 0x38, 0x04, 0x36,
        ] + token + [0x00, 0x00, 0x00]

    @Test("a CHALLENGE that is not strict DER is read, and the deviation recorded", arguments: [nonMinimal, trailing])
    func lenientChallenge(message: [UInt8]) {
        var machine = P.connected()
        _ = machine.handle(.received(PDU.confirmHybrid), now: P.t0 + P.ms)
        _ = machine.handle(.tlsEstablished(TLSSessionInfo(version: .tls12, peerChain: [[0x30, 0x00]])), now: P.t0 + 2 * P.ms)
        #expect(machine.handle(.received(message), now: P.t0 + 3 * P.ms) == [.close])
        #expect(machine.record.end == .completed, "\(machine.record.end)")
        #expect(
            machine.record.credssp?.encodingDeviations.isEmpty == false,
            "\(String(describing: machine.record.credssp?.encodingDeviations))")
    }
}
