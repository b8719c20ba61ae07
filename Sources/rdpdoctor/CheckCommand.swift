import ArgumentParser
import CertificateAudit
import Diagnosis
import Foundation
import ProbeCore
import Reporting
import Transport

struct Check: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Replay the RDP connection against a host, layer by layer, and name the step that breaks.",
        discussion: """
        TARGET is HOST, HOST:PORT, [IPv6]:PORT, or an .rdp file.

        Exit codes: 0 connectable and clean; 1 connectable with warnings;
        2 the connection would fail; 3 rdpdoctor could not run (bad arguments).
        """
    )

    @Argument(help: "HOST, HOST:PORT, [IPv6]:PORT or a .rdp file.")
    var target: String

    @Option(name: .long, help: "Overall deadline in seconds.")
    var timeout: Double = 5

    @Option(name: .long, help: "A PEM file of CA certificates to trust besides the system store.")
    var ca: String?

    @Flag(name: .long, help: "Print JSON (docs/check-json.md).")
    var json = false

    func run() async throws {
        guard timeout > 0, timeout <= 120 else { throw fail("--timeout must be between 0 and 120 seconds") }
        let (resolvedTarget, rdpFile) = try readTarget()
        var anchors = TrustStore.systemAnchors()
        if let ca {
            do {
                let extra = try TrustStore.anchors(fromFile: ca)
                guard !extra.isEmpty else { throw fail("\(ca) holds no PEM certificate") }
                anchors += extra
            } catch let reported as Reported {
                throw reported
            } catch {
                throw fail("cannot read --ca \(ca): \(error.localizedDescription)")
            }
        }
        var observations = await CheckRunner().run(resolvedTarget, options: .init(timeoutMs: timeout * 1000))
        observations.rdpFile = rdpFile
        let report = await Diagnoser.diagnose(
            observations, context: .init(trustAnchors: anchors, nowUnix: Int64(Date().timeIntervalSince1970)))
        let style = TextStyle(colour: !json && Output.wantsColour())
        Output.standardOutput(json ? JSONDocuments.check(report) : CheckTextRenderer(style: style).render(report))
        if report.exitStatus != 0 {
            throw Reported(status: ExitStatus(rawValue: report.exitStatus) ?? .failure)
        }
    }

    private func readTarget() throws -> (Target, RDPFile?) {
        if target.lowercased().hasSuffix(".rdp") {
            guard let handle = FileHandle(forReadingAtPath: target) else { throw fail("cannot open \(target)") }
            defer { try? handle.close() }
            let data = (try? handle.read(upToCount: RDPFile.maximumSize + 1)) ?? nil
            do {
                let file = try RDPFile.parse(Array(data ?? Data()))
                return (try file.target(), file)
            } catch {
                throw fail("\(target): \(error.description)")
            }
        }
        do {
            return (try Target.parse(target), nil)
        } catch {
            throw fail(error.description)
        }
    }

    private func fail(_ message: String) -> Reported {
        if json { Output.standardOutput(JSONDocuments.error(message)) }
        Output.standardError("rdpdoctor: \(message)\n")
        return Reported(status: .couldNotRun)
    }
}

/// Trusted roots: the system store and any --ca file, as DER.
enum TrustStore {
    static let systemBundles = [
        "/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt", "/etc/ssl/cert.pem",
    ]
    static let maximumBundleSize = 8 * 1024 * 1024

    static func systemAnchors() -> [[UInt8]] {
        for path in systemBundles {
            if let anchors = try? anchors(fromFile: path), !anchors.isEmpty { return anchors }
        }
        return []
    }

    static func anchors(fromFile path: String) throws -> [[UInt8]] {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw CocoaError(.fileNoSuchFile)
        }
        defer { try? handle.close() }
        let data = try handle.read(upToCount: maximumBundleSize) ?? Data()
        return PEM.derBlocks(from: String(decoding: data, as: UTF8.self))
    }
}
