import ArgumentParser
import CaptureAnalysis
import CertificateAudit
import Foundation
import RDPDoctorKit
import Reporting
import TLSDecryption

struct Analyze: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Explain each RDP connection in a packet capture (pcap or pcapng), as check would.",
        discussion: """
            Reads the capture in chunks (any size), rebuilds every TCP connection
            that begins with an X.224 Connection Request (on any port), and tells
            for each one how far it got, who closed it and why, with the same rules
            as `check`. TLS-encrypted parts (CredSSP, MCS, licensing, the session)
            are decrypted when keys are given, and read with the same decoders:
              --keylog FILE    an NSS key log (SSLKEYLOGFILE=FILE before starting
                               xfreerdp or another OpenSSL/NSS-based client); any
                               key exchange, TLS 1.2 and 1.3. A pcapng's own
                               Decryption Secrets Block (check --capture) is read
                               without it.
              --rsa-key FILE   the server's RSA private key (PEM, PKCS#1 or
                               PKCS#8): only for sessions with RSA key exchange
                               (old servers, TLS 1.0-1.2 without ECDHE); useless
                               for ECDHE and TLS 1.3.
            mstsc (Schannel) cannot write a key log; for its sessions only the
            server's key helps, and only with RSA key exchange. Without keys the
            report says what could not be seen.

            Exit codes: 0 no connection fails; 1 warnings; 2 a connection fails;
            3 rdpdoctor could not run (unreadable file, not a capture, no RDP in it
            is exit 0 with a note).
            """
    )

    @Argument(help: "A pcap or pcapng file (tcpdump -w, dumpcap, Wireshark).")
    var file: String

    @Flag(name: .long, help: "Print JSON (docs/analyze-json.md).")
    var json = false

    @Flag(name: .long, help: "Print Zeek rdp.log records (TSV with Zeek's header; docs/analyze-json.md).")
    var zeek = false

    @Flag(name: .long, help: "Show the user names clients send (mstshash= cookies, decrypted NTLM user names; hidden by default).")
    var showNames = false

    @Option(name: .customLong("keylog"), help: ArgumentHelp("An NSS key log file (SSLKEYLOGFILE) to decrypt TLS; repeatable.", valueName: "FILE"))
    var keyLogs: [String] = []

    @Option(
        name: .customLong("rsa-key"),
        help: ArgumentHelp("A server's RSA private key (PEM) to decrypt TLS with RSA key exchange; repeatable.", valueName: "FILE"))
    var rsaKeys: [String] = []

    func validate() throws {
        if json && zeek { throw ValidationError("--json and --zeek are two outputs: choose one") }
    }

    func run() async throws {
        guard let handle = FileHandle(forReadingAtPath: file) else { throw fail("cannot open \(file)") }
        defer { try? handle.close() }
        var analyzer = CaptureAnalyzer(trustAnchors: TrustStore.systemAnchors(), keys: try decryptionKeys())
        while !analyzer.stopped {
            let chunk: Data
            do {
                guard let data = try handle.read(upToCount: 1 << 16), !data.isEmpty else { break }
                chunk = data
            } catch {
                throw fail("cannot read \(file): \(error.localizedDescription)")
            }
            await analyzer.feed(chunk)
        }
        let report = await analyzer.finish()
        if report.packets == 0, let problem = report.readProblem { throw fail("\(file): \(problem)") }
        let style = TextStyle(colour: !json && !zeek && Output.wantsColour())
        if zeek {
            Output.standardOutput(ZeekLogRenderer(showNames: showNames).render(report))
            let left = report.notShown.values.reduce(0, +)
            if left > 0 { Output.standardError("rdpdoctor: \(left) more RDP connections are counted, not logged (the first 1000 are kept)\n") }
        } else if json {
            JSONDocuments.analyze(report, file: file, showNames: showNames, write: Output.standardOutput)
        } else {
            Output.standardOutput(AnalyzeTextRenderer(style: style, showNames: showNames).render(report, file: file))
        }
        let worst = report.connections.map(\.report.exitStatus).max() ?? 0
        if worst != 0 { throw Reported(status: ExitStatus(rawValue: worst) ?? .failure) }
    }

    /// The largest key log or key file read.
    static let maximumKeyFile = 16 << 20

    private func decryptionKeys() throws -> DecryptionKeys {
        var keys = DecryptionKeys()
        for path in keyLogs {
            keys.keyLog.add(try readKeyFile(path))
        }
        if !keyLogs.isEmpty, keys.keyLog.isEmpty { throw fail("\(keyLogs.joined(separator: ", ")): no key log lines (CLIENT_RANDOM, *_TRAFFIC_SECRET*)") }
        for path in rsaKeys {
            let text = String(decoding: try readKeyFile(path), as: UTF8.self)
            let blocks = PEM.derBlocks(from: text, label: "RSA PRIVATE KEY") + PEM.derBlocks(from: text, label: "PRIVATE KEY")
            guard !blocks.isEmpty else { throw fail("\(path): no PEM RSA PRIVATE KEY or PRIVATE KEY block") }
            for der in blocks {
                do {
                    keys.serverKeys.append(try ServerPrivateKey(der: der))
                } catch {
                    throw fail("\(path): \(error)")
                }
            }
        }
        return keys
    }

    private func readKeyFile(_ path: String) throws -> [UInt8] {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw fail("cannot open \(path)") }
        defer { try? handle.close() }
        let data = (try? handle.read(upToCount: Self.maximumKeyFile + 1)) ?? Data()
        guard data.count <= Self.maximumKeyFile else { throw fail("\(path) is larger than 16 MiB") }
        return [UInt8](data)
    }

    private func fail(_ message: String) -> Reported {
        if json { Output.standardOutput(JSONDocuments.error(message)) }
        Output.standardError("rdpdoctor: \(message)\n")
        return Reported(status: .couldNotRun)
    }
}
