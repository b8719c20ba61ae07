import CertificateAudit
import Testing

/// Hostile or broken input must become typed problems, never a crash.
@Suite struct RobustnessTests {
    static let real = try! TestPKI.issue(
        subject: TestPKI.name("rdp.example.test"),
        extensions: TestPKI.sanExtensions(dns: ["rdp.example.test"], ips: [[192, 0, 2, 1]])
    ).der

    static func audit(_ bytes: [UInt8]) async -> CertificateReport {
        await CertificateAuditor.audit(chain: [bytes], expectedName: "rdp.example.test", now: TestPKI.now, trustAnchors: [Self.real])
    }

    @Test func everyPrefixOfARealCertificateIsTruncated() async {
        for length in 0..<Self.real.count {
            let report = await Self.audit(Array(Self.real.prefix(length)))
            #expect(report.problems.map(\.kind) == [.truncated], "prefix \(length)")
            #expect(report.leaf?.details == nil)
            #expect(report.trust.status == .untrusted)
            #expect(!report.nameMatches)
        }
        // The whole certificate is fine (sanity check that the loop tested something).
        let whole = await Self.audit(Self.real)
        #expect(whole.problems.isEmpty)
        #expect(whole.trust.status == .trusted)
    }

    @Test func everySingleByteCorruptionIsHandled() async {
        for index in Self.real.indices {
            var bytes = Self.real
            bytes[index] ^= 0xFF
            let report = await Self.audit(bytes)
            // Either a problem is reported, or the fields still read; trust never survives.
            #expect(!report.problems.isEmpty || report.leaf?.details != nil)
            #expect(report.trust.status == .untrusted, "byte \(index)")
        }
    }

    @Test(arguments: [
        ([UInt8](), CertificateProblem.Kind.truncated),
        ([0x00, 0x01, 0x02], .notDER),
        (Array("-----BEGIN CERTIFICATE-----".utf8), .notDER),
        ([0x30], .truncated),
        ([0x30, 0x80, 0x00, 0x00], .notDER),  // BER indefinite length
        ([0x30, 0x85, 1, 2, 3, 4, 5], .notDER),  // absurd length field
        ([0x30, 0x84, 0xFF, 0xFF, 0xFF, 0xFF], .truncated),  // 4 GiB announced, nothing allocated
        ([0x30, 0x03, 0x02, 0x01, 0x00], .malformedCertificate),
        ([0x30, 0x00], .malformedCertificate),
    ])
    func garbage(bytes: [UInt8], kind: CertificateProblem.Kind) async {
        let report = await Self.audit(bytes)
        #expect(report.problems.first?.kind == kind)
        #expect(report.problems.first?.certificateIndex == 0)
        #expect(report.leaf?.details == nil)
    }

    @Test func deterministicRandomGarbage() async {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for round in 0..<300 {
            var bytes: [UInt8] = []
            for _ in 0..<(round % 97) {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                bytes.append(UInt8(truncatingIfNeeded: state >> 56))
            }
            if round % 2 == 0, !bytes.isEmpty { bytes[0] = 0x30 }  // get past the first check half the time
            let report = await Self.audit(bytes)
            #expect(!report.problems.isEmpty)
        }
    }

    @Test func trailingBytesAreReportedAndIgnored() async throws {
        let report = await Self.audit(Self.real + [0, 0, 0])
        #expect(report.problems.map(\.kind) == [.trailingData])
        #expect(report.leaf?.details?.subject == "CN=rdp.example.test")
        let clean = await Self.audit(Self.real)
        #expect(report.leaf?.sha256Fingerprint == clean.leaf?.sha256Fingerprint)
        #expect(report.leaf?.byteCount == Self.real.count + 3)
        #expect(report.nameMatches)
    }

    @Test func emptyChain() async {
        let report = await CertificateAuditor.audit(chain: [], expectedName: "x", now: TestPKI.now, trustAnchors: [])
        #expect(report.problems.map(\.kind) == [.emptyChain])
        #expect(report.leaf == nil)
        #expect(!report.nameMatches)
        #expect(report.nameSource == .none)
        #expect(report.trust.status == .untrusted)
    }

    @Test func brokenSecondCertificateDoesNotSpoilTheLeaf() async {
        let report = await CertificateAuditor.audit(
            chain: [Self.real, [0x30, 0x05, 0x01]], expectedName: "rdp.example.test", now: TestPKI.now, trustAnchors: [Self.real])
        #expect(report.problems.map(\.certificateIndex) == [1])
        #expect(report.nameMatches)
        #expect(report.trust.status == .trusted)
    }
}
