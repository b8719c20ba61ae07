import CertificateAudit
import Testing

/// Trust for chains whose leaf swift-certificates cannot load (1024-bit RSA):
/// rdpdoctor walks the chain and checks the signatures itself.
@Suite struct OwnPathTrustTests {
    typealias F = RSAChainFixtures

    static let leafName = "CN=legacy.example.test,O=rdpdoctor tests"
    static let rsaCAName = "CN=rdpdoctor RSA Test CA,O=rdpdoctor tests"
    static let legacyCAName = "CN=rdpdoctor Legacy CA,O=rdpdoctor tests"
    static let intermediateName = "CN=rdpdoctor Legacy Intermediate,O=rdpdoctor tests"
    static let ownCheck = "judged by rdpdoctor's own signature check because swift-certificates cannot load the leaf's 1024-bit RSA key"

    static func audit(_ chain: [[UInt8]], anchors: [[UInt8]], at now: Int64 = F.during) async -> CertificateReport {
        await CertificateAuditor.audit(
            chain: chain, expectedName: "legacy.example.test", nowSecondsSinceEpoch: now,
            trustAnchors: anchors)
    }

    /// The certificate with one byte of its signature (the last DER byte) flipped.
    static func tamperedSignature(_ der: [UInt8]) -> [UInt8] {
        var bytes = der
        bytes[bytes.count - 1] ^= 0x01
        return bytes
    }

    @Test func rsa1024LeafUnderA2048BitCAIsTrustedWithThatCA() async throws {
        let report = await Self.audit([F.leaf1024], anchors: [F.rsaCA])
        #expect(report.leaf?.details?.publicKey.bits == 1024)
        #expect(report.problems.map(\.kind) == [.notVerifiable])  // swift-certificates really refuses it
        #expect(report.trust.status == .trusted)
        #expect(report.trust.reason == Self.ownCheck)
        #expect(report.trust.validatedChain == [Self.leafName, Self.rsaCAName])
        #expect(report.trust.unusableAnchorCount == 0)
        #expect(report.missingIssuer == nil)
    }

    @Test func withoutTheCAItIsUntrustedAndTheIssuerIsMissing() async throws {
        let report = await Self.audit([F.leaf1024], anchors: [])
        #expect(report.trust.status == .untrusted)
        #expect(
            report.trust.reason == Self.ownCheck
                + ": issuer \"\(Self.rsaCAName)\" of \"\(Self.leafName)\" is neither presented nor among the trust anchors")
        #expect(report.trust.validatedChain.isEmpty)
        #expect(report.missingIssuer == Self.rsaCAName)

        // An unrelated anchor changes nothing.
        let other = await Self.audit([F.leaf1024], anchors: [F.legacyCA])
        #expect(other.trust.status == .untrusted)
        #expect(other.missingIssuer == Self.rsaCAName)
    }

    @Test func tamperedSignatureIsUntrusted() async throws {
        let report = await Self.audit([Self.tamperedSignature(F.leaf1024)], anchors: [F.rsaCA])
        #expect(report.trust.status == .untrusted)
        let reason = try #require(report.trust.reason)
        #expect(reason.hasPrefix(Self.ownCheck + ": "))
        #expect(reason.contains("\"\(Self.leafName)\" was not issued by anchor \"\(Self.rsaCAName)\""))
        #expect(reason.contains("does not verify"))
        // The issuer is known by name, so nothing is "missing".
        #expect(report.missingIssuer == nil)
    }

    @Test func tamperedSignedBytesAreUntrusted() async throws {
        // "legacy" -> "legacz" in the subject: the TBSCertificate no longer matches its signature.
        var bytes = F.leaf1024
        let name = Array("legacy.example.test".utf8)
        let start = try #require((0...(bytes.count - name.count)).first { Array(bytes[$0..<($0 + name.count)]) == name })
        bytes[start + 5] = UInt8(ascii: "z")
        let report = await Self.audit([bytes], anchors: [F.rsaCA])
        #expect(report.leaf?.details?.subjectCommonName == "legacz.example.test")
        #expect(report.trust.status == .untrusted)
        #expect(report.trust.reason?.contains("does not verify") == true)
    }

    @Test func expiredOrNotYetValidLeafIsUntrusted() async throws {
        let expired = await Self.audit([F.leaf1024], anchors: [F.rsaCA], at: F.Leaf1024.notAfter + F.day)
        #expect(expired.trust.status == .untrusted)
        #expect(
            expired.trust.reason == Self.ownCheck
                + ": a chain to a trust anchor was found but rejected: \"\(Self.leafName)\" has expired (notAfter 2027-12-04T14:48:53Z)")
        #expect(expired.missingIssuer == nil)

        let early = await Self.audit([F.leaf1024], anchors: [F.rsaCA], at: F.Leaf1024.notBefore - F.day)
        #expect(early.trust.status == .untrusted)
        #expect(early.trust.reason?.contains("\"\(Self.leafName)\" is not valid yet") == true)

        // The last second of validity still counts (RFC 5280: notAfter is inclusive).
        let last = await Self.audit([F.leaf1024], anchors: [F.rsaCA], at: F.Leaf1024.notAfter)
        #expect(last.trust.status == .trusted)
    }

    @Test(
        "a 1024-bit CA: signatures checked by LegacyCrypto for each hash",
        arguments: [(F.legacyLeafSHA256, "SHA-256"), (F.legacyLeafSHA384, "SHA-384"), (F.legacyLeafSHA512, "SHA-512")])
    func legacyCA(leaf: [UInt8], hash: String) async throws {
        let report = await Self.audit([leaf], anchors: [F.legacyCA])
        #expect(report.trust.status == .trusted, "\(hash): \(report.trust.reason ?? "")")
        #expect(report.trust.reason == Self.ownCheck)
        #expect(report.trust.validatedChain == [Self.leafName, Self.legacyCAName])

        let tampered = await Self.audit([Self.tamperedSignature(leaf)], anchors: [F.legacyCA])
        #expect(tampered.trust.status == .untrusted, "\(hash)")
        #expect(tampered.trust.reason?.contains("does not verify") == true)
        // A 1024-bit anchor is readable by rdpdoctor, so it is not counted as unusable.
        #expect(tampered.trust.unusableAnchorCount == 0)
    }

    @Test func sha1SignaturesAreTrustedButMarkedWeak() async throws {
        // LegacyCrypto (1024-bit issuer) and swift-crypto (2048-bit issuer).
        for (leaf, anchor) in [(F.legacyLeafSHA1, F.legacyCA), (F.leaf1024SHA1, F.rsaCA)] {
            let report = await Self.audit([leaf], anchors: [anchor])
            #expect(report.trust.status == .trusted)
            #expect(report.trust.reason == Self.ownCheck + "; SHA-1 signature (weak) on \"\(Self.leafName)\"")
            #expect(report.leaf?.details?.signatureAlgorithm.weakSignature == true)
        }
    }

    @Test func aPresentedIntermediateIsFollowed() async throws {
        let report = await Self.audit([F.intermediateLeaf, F.intermediate], anchors: [F.rsaCA])
        #expect(report.trust.status == .trusted, "\(report.trust.reason ?? "")")
        #expect(report.trust.validatedChain == [Self.leafName, Self.intermediateName, Self.rsaCAName])

        // Order does not matter, and an extra certificate is ignored.
        let shuffled = await Self.audit([F.intermediateLeaf, F.legacyCA, F.intermediate], anchors: [F.rsaCA])
        #expect(shuffled.trust.status == .trusted)

        // Without the intermediate the chain stops short of it.
        let missing = await Self.audit([F.intermediateLeaf], anchors: [F.rsaCA])
        #expect(missing.trust.status == .untrusted)
        #expect(missing.trust.reason?.contains("issuer \"\(Self.intermediateName)\" of \"\(Self.leafName)\" is neither presented") == true)
        #expect(missing.missingIssuer == Self.intermediateName)

        // The intermediate as the anchor itself is enough.
        let anchored = await Self.audit([F.intermediateLeaf], anchors: [F.intermediate])
        #expect(anchored.trust.status == .trusted)
        #expect(anchored.trust.validatedChain == [Self.leafName, Self.intermediateName])
    }

    @Test func anIssuerThatIsNoCAIsRejected() async throws {
        let report = await Self.audit([F.impostor, F.leaf1024], anchors: [F.rsaCA])
        #expect(report.trust.status == .untrusted)
        let reason = try #require(report.trust.reason)
        #expect(reason.contains("a chain to a trust anchor was found but rejected"))
        #expect(reason.contains("\"\(Self.leafName)\" is not marked as a CA (basicConstraints)"))
        #expect(reason.contains("\"\(Self.leafName)\" may not sign certificates (keyUsage lacks keyCertSign)"))
        #expect(report.missingIssuer == nil)
    }

    @Test func manyCandidateIssuersAreBounded() async throws {
        // Copies of the CA with one modulus byte changed: same name, wrong key.
        var fake = F.rsaCA
        let modulus: [UInt8] = [0x02, 0x82, 0x01, 0x01, 0x00]
        let start = try #require((0...(fake.count - modulus.count)).first { Array(fake[$0..<($0 + modulus.count)]) == modulus })
        fake[start + 50] ^= 0x01
        let few = await Self.audit([F.leaf1024] + Array(repeating: fake, count: 3), anchors: [])
        #expect(few.trust.reason?.contains("\"\(Self.leafName)\" was not issued by \"\(Self.rsaCAName)\"") == true)
        let many = await Self.audit([F.leaf1024] + Array(repeating: fake, count: 40), anchors: [])
        #expect(many.trust.status == .untrusted)
        #expect(many.trust.reason?.hasSuffix(": more candidate issuers than rdpdoctor checks (32 signatures)") == true)
    }

    @Test func unreadableAnchorsThatNameTheIssuerAreCounted() async throws {
        var broken = F.rsaCA
        broken.removeLast(20)
        let report = await Self.audit([F.leaf1024], anchors: [broken, F.rsaCA, F.legacyCA])
        #expect(report.trust.status == .trusted)
        #expect(report.trust.anchorCount == 3)
        #expect(report.trust.unusableAnchorCount == 1)
    }

    @Test func selfSigned1024BitCertificateIsCheckedButNotTrustedWithoutPin() async throws {
        let der = TestPKI.base64(OpenSSLFixtures.RSA1024SHA1.base64)
        let at = OpenSSLFixtures.RSA1024SHA1.notBefore + F.day
        let report = await Self.audit([der], anchors: [F.rsaCA], at: at)
        #expect(report.leaf?.selfSignature == .verified)
        #expect(report.trust.status == .untrusted)
        #expect(report.trust.reason?.hasSuffix(": self-signed certificate is not among the trust anchors") == true)
        #expect(report.missingIssuer == nil)

        let tampered = await Self.audit([Self.tamperedSignature(der)], anchors: [], at: at)
        #expect(tampered.leaf?.selfSignature == .invalid)
        #expect(tampered.leaf?.selfSigned == false)
    }
}
