import Diagnosis
import ProbeCore
import Testing

@Suite struct RDPSecurityRuleTests {
    private func standardSecurity(method: UInt32, level: UInt32, keyBits: Int? = nil) -> Scenario {
        Scenario().defaultClient(.selected(protocol: Proto.rdp, flags: 0)) {
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

    @Test func encryptionFieldsAreIgnoredOverTLS() async {
        let report = await Scenario()
            .defaultClient(.selected(protocol: Proto.ssl, flags: 0)) {
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
            .defaultClient(.selected(protocol: Proto.hybrid, flags: 0)) { $0.tls = TLSSessionInfo(version: .tls12, peerChain: []) }
            .negotiation(Proto.rdp, .selected(protocol: Proto.rdp, flags: 0)) {
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
            .defaultClient(.selected(protocol: Proto.ssl, flags: 0)) {
                $0.tls = TLSSessionInfo(version: .tls12, peerChain: [])
                $0.serverData = .overTLS
            }
            .negotiation(Proto.rdp, .selected(protocol: Proto.rdp, flags: 0)) {
                $0.serverData = .standardSecurity(method: 0x1, level: 1, keyBits: 512)
            }
            .diagnose()
        #expect(report.finding("rdpsec.weak-encryption")?.level == .warn)
        #expect(report.finding("rdpsec.proprietary-key")?.level == .warn)
    }
}
