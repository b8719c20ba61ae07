import Diagnosis
import ProbeCore
import Testing

@Suite struct RDPSecurityRuleTests {
    private func standardSecurity(method: UInt32, level: UInt32, keyBits: Int? = nil) -> Scenario {
        Scenario().defaultClient(.selected(protocol: Proto.rdp, flags: [])) {
            $0.serverData = .standardSecurity(method: method, level: level, keyBits: keyBits)
        }
    }

    @Test func fortyBitWithoutTLSIsWeak() async {
        let report = await Scenarios.weakStandardSecurity.diagnose()
        let finding = report.finding("rdpsec.weak-encryption")
        #expect(finding?.level == .warn)
        #expect(finding?.section == .rdpSecurity)
        #expect(finding?.title == "Standard RDP security: 40-bit RC4, level client compatible")
        #expect(finding?.fixes.isEmpty == false)
        #expect(!report.has("rdpsec.encryption") && !report.has("rdpsec.no-encryption"))
    }

    @Test func fiftySixBitIsWeakToo() async {
        let report = await standardSecurity(method: 0x8, level: 2).diagnose()
        #expect(report.finding("rdpsec.weak-encryption")?.level == .warn)
    }

    @Test func noEncryption() async {
        let report = await Scenarios.unencryptedStandardSecurity.diagnose()
        let finding = report.finding("rdpsec.no-encryption")
        #expect(finding?.level == .warn)
        #expect(finding?.title == "Standard RDP security without any encryption")
        #expect(!report.has("rdpsec.weak-encryption") && !report.has("rdpsec.encryption"))
    }

    @Test func oneTwentyEightBitIsInfo() async {
        let report = await standardSecurity(method: 0x2, level: 3).diagnose()
        let finding = report.finding("rdpsec.encryption")
        #expect(finding?.level == .info)
        #expect(finding?.title == "Standard RDP security: 128-bit RC4, level high")
        #expect(finding?.fixes.isEmpty == true)
    }

    @Test func fipsIsThreeDESNotRC4() async {
        let report = await standardSecurity(method: 0x10, level: 4).diagnose()
        let finding = report.finding("rdpsec.encryption")
        #expect(finding?.title == "Standard RDP security: FIPS (3DES), level FIPS")
        #expect(finding?.detail == "3DES with an unauthenticated server key: confidential against passive listeners only.")
    }

    @Test func encryptionFieldsAreIgnoredOverTLS() async {
        let report = await Scenario()
            .defaultClient(.selected(protocol: Proto.ssl, flags: [])) {
                $0.tls = TLSSessionInfo(version: .tls12, peerChain: [])
                $0.serverData = .overTLS
            }
            .diagnose()
        #expect(!report.ids.contains { $0.hasPrefix("rdpsec.") })
        #expect(report.has("mcs.version"))
    }

    @Test func shortProprietaryKeyIsAWarning() async {
        let report = await Scenarios.weakStandardSecurity.diagnose()
        let finding = report.finding("rdpsec.proprietary-key")
        #expect(finding?.level == .warn)
        #expect(finding?.title == "Proprietary server certificate with a 512-bit RSA key")
    }

    @Test func longProprietaryKeyIsInfo() async {
        let report = await standardSecurity(method: 0x2, level: 2, keyBits: 2048).diagnose()
        #expect(report.finding("rdpsec.proprietary-key")?.level == .info)
    }

    @Test func versionAndChannels() async {
        let report = await Scenarios.weakStandardSecurity.diagnose()
        #expect(report.finding("mcs.version")?.title == "Server speaks RDP 10.7 (Windows 10 2004 and later)")
        #expect(report.finding("mcs.channels")?.detail == "I/O channel 1003, 2 static channels, message channel 1006.")
    }

    @Test func theStandardSecurityProbeIsReadWhenTheDefaultClientHasNoServerData() async {
        // NLA: the default client stops at CredSSP; the standard-security probe read the server data.
        let report = await Scenario()
            .defaultClient(.selected(protocol: Proto.hybrid, flags: [])) { $0.tls = TLSSessionInfo(version: .tls12, peerChain: []) }
            .negotiation(Proto.rdp, .selected(protocol: Proto.rdp, flags: [])) {
                $0.serverData = .standardSecurity(method: 0x1, level: 1, keyBits: 512)
            }
            .diagnose()
        #expect(report.finding("rdpsec.weak-encryption")?.level == .warn)
        #expect(report.finding("rdpsec.proprietary-key")?.level == .warn)
    }

    /// BUG: when the default client went through TLS (and so read server data
    /// whose encryption fields are zero by design), the standard-security
    /// probe's server data, which is the only one that shows how standard RDP
    /// security is configured, is never looked at: its 40-bit encryption and
    /// 512-bit key go unreported.
    @Test func standardSecurityProbeIsJudgedEvenWhenTheDefaultClientUsedTLS() async {
        let report = await Scenario()
            .defaultClient(.selected(protocol: Proto.ssl, flags: [])) {
                $0.tls = TLSSessionInfo(version: .tls12, peerChain: [])
                $0.serverData = .overTLS
            }
            .negotiation(Proto.rdp, .selected(protocol: Proto.rdp, flags: [])) {
                $0.serverData = .standardSecurity(method: 0x1, level: 1, keyBits: 512)
            }
            .diagnose()
        #expect(report.finding("rdpsec.weak-encryption")?.level == .warn)
        #expect(report.finding("rdpsec.proprietary-key")?.level == .warn)
    }

    private func walked(_ exchange: StandardSecurityObservation, demandActive: Bool) -> Scenario {
        Scenario().defaultClient(.selected(protocol: Proto.rdp, flags: [])) {
            $0.serverData = .standardSecurity(method: 0x2, level: 3, keyBits: 2048)
            var session = SessionObservation()
            session.demandActive = demandActive
            session.standardSecurity = exchange
            $0.session = session
        }
    }

    @Test func securityExchangeWalkedToTheSession() async {
        var exchange = StandardSecurityObservation()
        exchange.exchangeSent = true
        exchange.serverKeyBits = 2048
        exchange.keyBits = 128
        exchange.decryptedPDUs = 1
        let report = await walked(exchange, demandActive: true).diagnose()
        let finding = report.finding("rdpsec.exchange")
        #expect(finding?.level == .info)
        #expect(finding?.title == "Security Exchange: the session keys work both ways")
        #expect(
            finding?.detail
                == "rdpdoctor sent its client random encrypted with the server's 2048-bit RSA key, derived 128-bit RC4 session keys and sent its Client Info encrypted; it decrypted 1 encrypted server PDU and each MAC matched."
        )
        #expect(report.has("session.started"))
        #expect(report.verdict.outcome == .reachesLogon)
        #expect(report.verdict.step == .capabilities)
        #expect(!report.has("rdpsec.fips-not-walked"))
    }

    @Test func lowLevelServerAnswersInTheClear() async {
        var exchange = StandardSecurityObservation()
        exchange.exchangeSent = true
        exchange.keyBits = 40
        let report = await walked(exchange, demandActive: true).diagnose()
        #expect(report.finding("rdpsec.exchange")?.title == "Security Exchange: the server accepted the encrypted Client Info")
        #expect(report.finding("rdpsec.exchange")?.detail.hasSuffix("the server sent its own PDUs unencrypted, as its encryption level allows.") == true)
    }

    @Test func fipsStopsAtTheSecurityExchangeWithoutBlamingTheServer() async {
        var exchange = StandardSecurityObservation()
        exchange.notAttempted = .fipsNotImplemented
        let report = await walked(exchange, demandActive: false).diagnose()
        let finding = report.finding("rdpsec.fips-not-walked")
        #expect(finding?.level == .info)
        #expect(finding?.title == "The walk stopped at the Security Exchange: FIPS encryption (3DES) is not implemented by rdpdoctor")
        #expect(report.verdict.outcome == .reachesLogon, "rdpdoctor's limit is not the server's failure")
        #expect(report.verdict.step == .security)
        #expect(report.verdict.summary.contains("does not implement FIPS encryption (3DES)"))
        #expect(!report.findings.contains { $0.level == .fail })
        #expect(!report.has("rdpsec.exchange") && !report.has("session.started"))
    }

    /// SSL_NOT_ALLOWED_BY_SERVER: the standard-security probe replays mstsc's retry.
    private func refusedThenRetried(_ edit: @escaping (inout ProbeRecord) -> Void, end: ConnectionEnd = .completed) -> Scenario {
        Scenario()
            .defaultClient(.failure(code: .sslNotAllowedByServer))
            .negotiation(Proto.rdp, .selected(protocol: Proto.rdp, flags: []), end: end) {
                $0.serverData = .standardSecurity(method: 0, level: 0)
                edit(&$0)
            }
    }

    @Test func retryAfterSSLNotAllowedReachesTheSession() async {
        let report = await refusedThenRetried {
            var session = SessionObservation()
            session.demandActive = true
            session.licensing = .validClient
            $0.session = session
        }.diagnose()
        #expect(report.verdict.outcome == .reachesLogon)
        #expect(report.verdict.step == .capabilities)
        #expect(
            report.verdict.summary.hasPrefix(
                "The server refuses TLS and CredSSP (failure code 2); a Microsoft client retries with standard RDP security, and the session starts"))
        #expect(report.has("session.started") && report.has("licensing.valid-client"))
    }

    @Test func retryAfterSSLNotAllowedThatIsClosedFails() async {
        let report = await refusedThenRetried(
            {
                $0.session = SessionObservation()
            }, end: .peerClosed(.fin, step: .licensing, waitingFor: .licensing)
        ).diagnose()
        #expect(report.verdict.outcome == .fails)
        #expect(report.verdict.step == .licensing)
        #expect(report.verdict.summary.contains("retries with standard RDP security, and the server closes that connection during licensing"))
    }

    @Test func retryAfterSSLNotAllowedClosedBeforeTheSession() async {
        let report = await refusedThenRetried(
            { _ in },
            end: .peerClosed(.reset, step: .mcs, waitingFor: .connectResponse)
        ).diagnose()
        #expect(report.verdict.outcome == .fails)
        #expect(report.verdict.step == .mcs)
        #expect(report.verdict.summary.contains("and the server resets that connection during the MCS connect exchange"))
    }

    @Test func retryAfterSSLNotAllowedWithoutAnAnswerIsUndetermined() async {
        let report = await refusedThenRetried(
            { _ in },
            end: .timedOut(step: .licensing, waitingFor: .licensing)
        ).diagnose()
        #expect(report.verdict.outcome == .undetermined)
        #expect(report.verdict.summary.contains("that retry got no answer during licensing"))
    }

    @Test func refusalWithoutARetryWalkKeepsItsVerdict() async {
        let report = await Scenario().defaultClient(.failure(code: .sslNotAllowedByServer)).diagnose()
        #expect(
            report.verdict.summary
                == "The server refuses TLS and CredSSP (failure code 2); a Microsoft client retries with standard RDP security, which works but is weak (see findings)."
        )
    }
}
