import Foundation
import SwiftASN1
import Testing

@testable import CertificateAudit

/// Inputs the `cert-audit` fuzz target found (Fuzz/regressions/cert-audit/, in
/// the target's input format: a mode byte, then the chain, each certificate but
/// the last after a 2-byte length).
@Suite("Fuzz regressions: certificate audit")
struct CertificateRegressionTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fuzz/regressions/cert-audit")

    /// The chain a `cert-audit` input holds (the harness's format).
    static func chain(_ input: [UInt8]) -> [[UInt8]] {
        guard let mode = input.first else { return [] }
        var rest = input.dropFirst()
        var chain: [[UInt8]] = []
        let count = Int(mode & 0x03) + 1
        for index in 0..<count {
            if index == count - 1 { chain.append(Array(rest)); break }
            let length = rest.count >= 2 ? Int(rest[rest.startIndex]) << 8 | Int(rest[rest.startIndex + 1]) : 0
            rest = rest.dropFirst(2)
            chain.append(Array(rest.prefix(length)))
            rest = rest.dropFirst(length)
        }
        return chain
    }

    static func vector(_ name: String) throws -> [UInt8] {
        let url = directory.appendingPathComponent(name)
        return Array(try #require(FileManager.default.contents(atPath: url.path), "missing \(url.path)"))
    }

    /// rsa-even-modulus-double-free: a certificate (1024-bit RSA, self-signed)
    /// whose modulus the fuzzer made even. swift-crypto 3.12's RSA key reader
    /// freed the BoringSSL key twice when BoringSSL refused it, and the process
    /// aborted inside `Certificate(derEncoded:)`. Now the key is checked first
    /// (`RSAKeyAdmission`) and the certificate read by rdpdoctor's own code.
    @Test("rsa-even-modulus-double-free: audited, with the refused key named, as leaf and as anchor")
    func evenModulus() async throws {
        let chain = Self.chain(try Self.vector("rsa-even-modulus-double-free"))
        #expect(chain.count == 2)
        let leaf = chain[0]
        let report = await CertificateAuditor.audit(
            chain: chain, expectedName: "::1",
            nowSecondsSinceEpoch: 1_790_000_000, trustAnchors: [leaf, chain[1]])
        #expect(report.certificates.count == 2)
        let problem = report.problems.first { $0.certificateIndex == 0 && $0.kind == .notVerifiable }
        #expect(problem?.detail.contains("the modulus is even") == true, "\(report.problems)")
        #expect(report.certificates.first?.details?.subjectCommonName == "LEGACY-RDP")
        #expect(!report.trust.isTrusted || report.trust.reason?.contains("anchors") == true)
        #expect(RSAKeyAdmission.refusal(certificate: leaf) == "the modulus is even")
    }

    /// The rules `RSAKeyAdmission` writes out, one key each (RSAPublicKey DER).
    @Test("RSA keys BoringSSL refuses are named before swift-crypto sees them")
    func admissionRules() {
        func key(_ modulus: [UInt8], _ exponent: [UInt8]) -> [UInt8] {
            func integer(_ bytes: [UInt8]) -> [UInt8] { [0x02] + length(bytes.count) + bytes }
            func length(_ n: Int) -> [UInt8] { n < 128 ? [UInt8(n)] : n < 256 ? [0x81, UInt8(n)] : [0x82, UInt8(n >> 8), UInt8(n & 0xFF)] }
            let body = integer(modulus) + integer(exponent)
            return [0x30] + length(body.count) + body
        }
        let odd1024 = [0x00, 0xC1] + [UInt8](repeating: 0x5A, count: 126) + [0x01]  // 1024 bits, odd
        let f4: [UInt8] = [0x01, 0x00, 0x01]
        #expect(RSAKeyAdmission.refusal(rsaPublicKey: key(odd1024, f4)[...]) == nil)
        var even = odd1024
        even[even.count - 1] = 0x02
        #expect(RSAKeyAdmission.refusal(rsaPublicKey: key(even, f4)[...]) == "the modulus is even")
        #expect(
            RSAKeyAdmission.refusal(rsaPublicKey: key([0x00, 0xC1] + [UInt8](repeating: 1, count: 30), f4)[...])?
                .contains("bits") == true, "a 248-bit modulus")
        #expect(RSAKeyAdmission.refusal(rsaPublicKey: key(odd1024, [0x03, 0x00, 0x00, 0x00, 0x01])[...]) != nil, "a 34-bit exponent")
        #expect(RSAKeyAdmission.refusal(rsaPublicKey: key(odd1024, [0x01, 0x00, 0x00])[...]) != nil, "an even exponent")
        #expect(RSAKeyAdmission.refusal(rsaPublicKey: key([0x00] + odd1024, f4)[...]) == "the modulus is not minimally encoded")
        #expect(RSAKeyAdmission.refusal(rsaPublicKey: (key(odd1024, f4) + [0x00])[...]) != nil, "trailing bytes")
    }
}
