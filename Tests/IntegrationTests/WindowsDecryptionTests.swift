import CaptureAnalysis
import CertificateAudit
import Foundation
import TLSDecryption
import Testing

/// The real Windows captures decrypted with their servers' RSA keys, by
/// rdpdoctor and by tshark (Wireshark's own TLS and CredSSP dissectors), and
/// compared field by field: TLS version and cipher suite, the CredSSP
/// versions both sides sent, the NTLM user, domain and workstation, and the
/// client's MCS Connect Initial (build, name, desktop, keyboard, product id).
@Suite("real Windows captures decrypted, against tshark", .serialized)
struct WindowsDecryptionTests {
    static var keys: [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: WindowsCaptureTests.folder.path)) ?? []
        return names.filter { $0.hasSuffix(".key") }.sorted().map { WindowsCaptureTests.folder.appendingPathComponent($0) }
    }

    @Test("each capture is decrypted by its server's key, and what both decode agrees")
    func agreeWithTshark() async throws {
        let captures = WindowsCaptureTests.captures
        guard !captures.isEmpty, !Self.keys.isEmpty else {
            // ../shared is optional extra data: a clone without it (CI's may be one) says so and goes on.
            print("note: \(WindowsCaptureTests.folder.path) has no captures and keys: the decryption comparison did not run")
            return
        }
        for file in captures {
            var decryptedBy: [String] = []
            for keyFile in Self.keys {
                let text = try String(contentsOf: keyFile, encoding: .utf8)
                let der = try #require(PEM.derBlocks(from: text, label: "RSA PRIVATE KEY").first)
                let key = try ServerPrivateKey(der: der)
                var analyzer = CaptureAnalyzer(trustAnchors: [], keys: DecryptionKeys(serverKeys: [key]))
                await analyzer.feed(try [UInt8](Data(contentsOf: file)))
                let report = await analyzer.finish()
                let ours = Self.ours(report)
                let theirs = try Self.theirs(file, key: keyFile)
                // Where tshark decrypts nothing with this key, neither do we (and the reverse).
                #expect(
                    ours == theirs,
                    "\(file.lastPathComponent) with \(keyFile.lastPathComponent): ours \(ours.sorted { $0.key < $1.key }), tshark \(theirs.sorted { $0.key < $1.key })"
                )
                if report.connections.contains(where: { $0.captured.decryption?.method == .serverRSAKey }) {
                    decryptedBy.append(keyFile.lastPathComponent)
                    // Every connection of the capture is then decrypted, with no record refused.
                    for connection in report.connections {
                        #expect(connection.captured.decryption?.method == .serverRSAKey)
                        #expect(connection.captured.decryption?.problem == nil, "\(connection.captured.decryption?.problem ?? "")")
                    }
                } else {
                    for connection in report.connections {
                        let problem = connection.captured.decryption?.problem ?? ""
                        #expect(problem.contains("none of the 1 server key given"), "\(problem)")
                    }
                }
            }
            #expect(decryptedBy.count == 1, "\(file.lastPathComponent) decrypted by \(decryptedBy)")
        }
    }

    /// Keyed by client port: the TLS choice, and after decryption the CredSSP and NTLM fields.
    static func ours(_ report: CaptureReport) -> [String: String] {
        var fields: [String: String] = [:]
        for connection in report.connections {
            let port = connection.captured.client.port
            if let hello = connection.captured.serverHello { fields["\(port) tls"] = "\(hello.version) \(hello.cipherSuite)" }
            if let data = connection.captured.clientData {
                fields["\(port) client"] =
                    "build \(data.clientBuild), name \(data.clientName), desktop \(data.desktopWidth)x\(data.desktopHeight), keyboard \(data.keyboardLayout), product \(data.clientDigProductID ?? "")"
            }
            guard connection.captured.decryption?.method != nil, let client = connection.captured.decryption?.client else { continue }
            fields["\(port) client credssp"] = client.credSSPVersion.map(String.init)
            fields["\(port) server credssp"] = connection.captured.record.credssp?.serverVersion.map(String.init)
            fields["\(port) user"] = client.user
            fields["\(port) domain"] = client.domain
            fields["\(port) workstation"] = client.workstation
        }
        return fields
    }

    static func theirs(_ file: URL, key: URL) throws -> [String: String] {
        var fields: [String: String] = [:]
        let options = ["uat:rsa_keys:\"\(key.path)\",\"\""]
        for line in try Tshark.fields(
            file, options: options, decodeAs: "tcp.port==3389,tls", filter: "tls.handshake.type==2",
            fields: ["tcp.dstport", "tls.handshake.version", "tls.handshake.ciphersuite"])
        {
            let f = line.split(separator: "\t").map(String.init)
            guard f.count >= 3, let version = UInt16(f[1].dropFirst(2), radix: 16), let suite = UInt16(f[2].dropFirst(2), radix: 16) else { continue }
            fields["\(f[0]) tls"] = "\(version) \(suite)"
        }
        for line in try Tshark.fields(
            file, options: options, decodeAs: "tcp.port==3389,tls", filter: "rdp.client.build",
            fields: [
                "tcp.srcport", "rdp.client.build", "rdp.client.name", "rdp.desktop.width",
                "rdp.desktop.height", "rdp.keyboardLayout", "rdp.client.digProductId",
            ])
        {
            let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard f.count >= 7 else { continue }
            let keyboard = f[5].hasPrefix("0x") ? Int(f[5].dropFirst(2), radix: 16) : Int(f[5])
            fields["\(f[0]) client"] = "build \(f[1]), name \(f[2]), desktop \(f[3])x\(f[4]), keyboard \(keyboard ?? -1), product \(f[6])"
        }
        for line in try Tshark.fields(
            file, options: options, decodeAs: "tcp.port==3389,tls", filter: "credssp",
            fields: [
                "tcp.srcport", "tcp.dstport", "credssp.version", "ntlmssp.auth.username",
                "ntlmssp.auth.domain", "ntlmssp.auth.hostname",
            ])
        {
            let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard f.count >= 6, !f[2].isEmpty else { continue }
            let version = f[2].split(separator: ",").first.map(String.init)
            if f[0] == "3389" {
                fields["\(f[1]) server credssp"] = fields["\(f[1]) server credssp"] ?? version
            } else {
                fields["\(f[0]) client credssp"] = fields["\(f[0]) client credssp"] ?? version
                if !f[3].isEmpty || !f[5].isEmpty {
                    fields["\(f[0]) user"] = f[3]
                    fields["\(f[0]) domain"] = f[4]
                    fields["\(f[0]) workstation"] = f[5]
                }
            }
        }
        return fields
    }
}
