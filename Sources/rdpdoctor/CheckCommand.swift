import ArgumentParser
import Catalogue
import CertificateAudit
import Diagnosis
import Foundation
import ProbeCore
import RDPDoctorKit
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

    @Flag(name: .long, help: "Show every finding with its evidence, section by section (by default: what needs action in full, the rest one line each).")
    var details = false

    @Option(name: .long, help: "Also measure loss and round trip with this many small TCP segments to the RDP port (up to 3000; about 1 ms each).")
    var samples: Int = 0

    @Flag(name: .long, help: "Only walk the connection as a default client would (no per-protocol and per-TLS-version probes): the fastest answer.")
    var quick = false

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Check this account over NLA: [DOMAIN\\]NAME or NAME@DOMAIN.",
            discussion: "The password is read from a no-echo prompt, --password-stdin, or RDPDOCTOR_PASSWORD."))
    var user: String?

    @Flag(name: .long, help: "Read the password from the first line of standard input.")
    var passwordStdin = false

    @Flag(name: .long, help: "After the server accepts the account, send the credentials and go on to the logon (only to a trusted or pinned server).")
    var logon = false

    @Flag(
        name: .long,
        help:
            "With --user: try the account even on a server whose certificate is not trusted (its NTLMv2 response can then be cracked offline by whoever holds that certificate)."
    )
    var insecure = false

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Walk the RD Gateway GW[:PORT] (443 by default) in front of the target: TLS, HTTP transport, gateway authentication, tunnel, channel to the target.",
            discussion:
                "The gateway account is --gateway-user (by default --user, with the same password); its password comes from a no-echo prompt, --gateway-password-stdin, or RDPDOCTOR_GATEWAY_PASSWORD."
        ))
    var gateway: String?

    @Option(
        name: .long,
        help: "With --gateway: keep the channel open SECONDS after the walk (keep-alives as a client sends them) and report when and how it was closed.")
    var hold: Double?

    @Option(name: .customLong("gateway-user"), help: "The RD Gateway account: [DOMAIN\\]NAME or NAME@DOMAIN (default: --user).")
    var gatewayUser: String?

    @Flag(name: .customLong("gateway-password-stdin"), help: "Read the gateway password from the first line of standard input.")
    var gatewayPasswordStdin = false

    @Option(
        name: .customLong("cert-sha256"),
        help:
            "The SHA-256 fingerprint the server's certificate must have (hex, colons allowed): checked on every connection, and with --user the account goes only to that certificate."
    )
    var certSHA256: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Write every connection of the check (TCP and UDP, the bytes as on the wire) to this pcapng file, with the TLS keys in it: Wireshark and tshark decrypt it without setup, and `rdpdoctor analyze` reads it.",
            discussion: "The connection that uses the --user account keeps its TLS keys out of the file, so its credential exchange stays encrypted.",
            valueName: "FILE.pcapng"))
    var capture: String?

    func run() async throws {
        if let capture, let problem = CaptureDestination.problem(with: capture) { throw fail(problem) }
        guard timeout > 0, timeout <= 120 else { throw fail("--timeout must be between 0 and 120 seconds") }
        guard (0...PathSampleMachine.maximumSegments).contains(samples) else {
            throw fail("--samples must be between 0 and \(PathSampleMachine.maximumSegments)")
        }
        let (resolvedTarget, rdpFile) = try readTarget()
        var extraAnchors: [[UInt8]] = []
        if let ca {
            do {
                extraAnchors = try TrustStore.anchors(fromFile: ca)
            } catch {
                throw fail("cannot read --ca \(ca): \(error.localizedDescription)")
            }
            guard !extraAnchors.isEmpty else { throw fail("\(ca) holds no PEM certificate") }
        }
        let credentials = try readCredentials()
        var options = CheckOptions(
            timeout: timeout, quick: quick, trustAnchorsDER: extraAnchors,
            credentials: credentials)
        options.gateway = try readGateway(sameAs: credentials, file: rdpFile)
        options.pathSamples = samples
        options.rdpFile = rdpFile
        options.pinnedLeafSHA256 = try certSHA256.map(pin)
        let recorder = capture.map { _ in TrafficRecorder() }
        options.recorder = recorder
        let report: CheckReport
        do {
            report = try await RDPDoctorKit.check(resolvedTarget, options: options)
        } catch let error as CheckOptionsError {
            throw fail(error.description)  // the checks above make this unreachable in practice
        }
        var captureLine = ""
        if let capture, let recorder {
            do {
                captureLine = try CaptureDestination(path: capture).write(recorder)
            } catch {
                throw fail("cannot write --capture \(capture): \(error.localizedDescription)")
            }
        }
        let style = TextStyle(colour: !json && Output.wantsColour())
        Output.standardOutput(json ? JSONDocuments.check(report) : CheckTextRenderer(style: style, details: details).render(report))
        // The JSON document keeps its schema; there the capture is said on standard error.
        if !captureLine.isEmpty {
            if json { Output.standardError(captureLine) } else { Output.standardOutput("\n" + captureLine) }
        }
        if report.exitStatus != 0 {
            throw Reported(status: ExitStatus(rawValue: report.exitStatus) ?? .failure)
        }
    }

    private func readCredentials() throws -> CredentialRequest? {
        guard let user else {
            if logon || passwordStdin || (insecure && gateway == nil) { throw fail("--logon, --insecure and --password-stdin need --user") }
            return nil
        }
        let (name, domain) = CredentialSettings.splitAccount(user)
        guard !name.isEmpty else { throw fail("--user needs an account name") }
        if let certSHA256 { _ = try pin(certSHA256) }
        do {
            let password = try PasswordSource.read(fromStandardInput: passwordStdin, account: user)
            return CredentialRequest(user: name, domain: domain, password: password, logon: logon, insecure: insecure)
        } catch {
            throw fail(error.description)
        }
    }

    /// --gateway and its account: --gateway-user, or the --user account (as the
    /// clients' "use my RD Gateway credentials for the remote computer").
    /// An .rdp file's gateway counts when it says to use it (gatewayusagemethod 1:
    /// always, 2: when the direct connection fails); --gateway overrides it.
    private func readGateway(sameAs credentials: CredentialRequest?, file: RDPFile?) throws -> GatewayRequest? {
        let fromFile = file.flatMap { file -> String? in
            guard let host = file.gatewayHostname?.trimmingCharacters(in: .whitespaces), !host.isEmpty,
                [1, 2].contains(file.gatewayUsageMethod ?? 0)
            else { return nil }
            return host
        }
        if let hold, !(hold > 0 && hold <= 3600) { throw fail("--hold takes 0 < SECONDS <= 3600") }
        guard let gateway = gateway ?? fromFile else {
            if hold != nil { throw fail("--hold needs --gateway") }
            if gatewayUser != nil || gatewayPasswordStdin { throw fail("--gateway-user and --gateway-password-stdin need --gateway") }
            return nil
        }
        let target: Target
        do {
            target = try Target.parse(gateway, portDefault: 443)
        } catch {
            throw fail("--gateway: \(error.description)")
        }
        guard let gatewayUser else {
            if gatewayPasswordStdin { throw fail("--gateway-password-stdin needs --gateway-user") }
            // A file whose gateway takes a smart card or a cookie gets no password from rdpdoctor:
            // the walk stops at the 401, and the report says why (an explicit --gateway-user still counts).
            let filesWay = self.gateway == nil && file?.gatewayAuthenticatesWithoutPassword == true
            let same = filesWay ? nil : credentials.map(GatewayCredentials.init(sameAs:))
            return GatewayRequest(gateway: target, credentials: same, insecure: insecure, holdSeconds: hold ?? 0)
        }
        if gatewayPasswordStdin && passwordStdin { throw fail("only one of --password-stdin and --gateway-password-stdin can read standard input") }
        let (name, domain) = CredentialSettings.splitAccount(gatewayUser)
        guard !name.isEmpty else { throw fail("--gateway-user needs an account name") }
        do {
            let password = try PasswordSource.read(
                fromStandardInput: gatewayPasswordStdin, account: gatewayUser,
                flag: "--gateway-password-stdin", variable: PasswordSource.gatewayEnvironmentVariable)
            return GatewayRequest(
                gateway: target, credentials: GatewayCredentials(user: name, domain: domain, password: password),
                insecure: insecure, holdSeconds: hold ?? 0)
        } catch {
            throw fail(error.description)
        }
    }

    /// A --cert-sha256 value as bytes, or the usage error.
    private func pin(_ text: String) throws -> [UInt8] {
        guard let pin = HexBytes(parsing: text), pin.bytes.count == 32 else {
            throw fail("--cert-sha256 must be 64 hex digits (colons allowed)")
        }
        return pin.bytes
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
