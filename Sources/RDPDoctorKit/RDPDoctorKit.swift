// RDPDoctorKit: rdpdoctor's explain and check as a Swift library.
//
// The command line (Sources/rdpdoctor) and this module call the same core:
// `Explainer` over the catalogue compiled into the binary, `CheckRunner`
// (Transport) then `Diagnoser` (Diagnosis), and the renderings of Reporting.
// This file adds no policy of its own; it turns the library's arguments into
// the core's, as the CLI does with its flags.

@_exported import Catalogue
@_exported import CertificateAudit
@_exported import Diagnosis
@_exported import Explain
import Foundation
@_exported import ProbeCore
import Reporting
import Transport

// MARK: - explain

/// Explains the codes, names or pasted dialog text in `text`, as
/// `rdpdoctor explain TEXT` does.
///
/// `"0x904 0x7"` (or `"0x904/0x7"`) is read as the pair a Microsoft client
/// shows: the error code and the extended code. A single number, a
/// family-qualified code (`"errinfo:7"`), a symbolic name
/// (`"ERRINFO_SERVER_DENIED_CONNECTION"`), a pasted dialog or log line, or
/// plain words (searched for in names and meanings) work too. An unknown
/// number is still answered: its explanation has no catalogue entry
/// (`isKnown == false`) and reads the number from its structure.
///
/// The catalogue is the one compiled into the program; nothing is read from
/// disk unless `RDPDOCTOR_CATALOGUE` names a directory of family files.
///
/// - Parameter text: what the user typed or pasted (at most 64 KiB).
/// - Returns: one explanation per code, pair, name or search found in `text`.
/// - Throws: `InputError` when `text` is empty or too long;
///   `CatalogueError` when an `RDPDOCTOR_CATALOGUE` override cannot be read.
public func explain(_ text: String) throws -> [Explanation] {
    let catalogue = try KitCatalogue.shared.get()
    let queries = try QueryParser(catalogue: catalogue).parse(arguments: [text])
    let explainer = Explainer(catalogue: catalogue)
    return queries.map(explainer.explain)
}

/// Renders explanations as `rdpdoctor explain` prints them.
///
/// - Parameters:
///   - explanations: what `explain(_:)` returned.
///   - json: `true` for the versioned JSON document (`rdpdoctor.explain/1`,
///     docs/explain-json.md); `false` for plain text without colour.
/// - Returns: the whole document, ending with a newline.
public func render(_ explanations: [Explanation], json: Bool) -> String {
    json ? JSONDocuments.explain(explanations) : ExplainTextRenderer(style: .plain).render(explanations)
}

// MARK: - check

/// How `check(_:options:)` runs: the library's form of `rdpdoctor check`'s flags.
public struct CheckOptions: Sendable, CustomStringConvertible {
    /// The overall deadline of the check, in seconds (more than 0, at most 120);
    /// no connection outlives it. `--timeout`; 5 by default.
    public var timeout: Double

    /// Only walk the connection as a default client would (no per-protocol and
    /// per-TLS-version probes): the fastest answer. `--quick`.
    public var quick: Bool

    /// Certificate authorities to trust besides the system store, each one
    /// certificate in DER. `--ca` (which reads them from a PEM file; see
    /// `PEM.derBlocks(from:)`).
    public var trustAnchorsDER: [[UInt8]]

    /// Whether the system's CA bundle (`/etc/ssl/certs/ca-certificates.crt` and
    /// the usual other places) is trusted too. `true` by default; with `false`
    /// only `trustAnchorsDER` are.
    public var useSystemTrustStore: Bool

    /// The SHA-256 fingerprint (32 bytes) the server's leaf certificate must
    /// have: checked on every connection, and with `credentials` the account
    /// goes only to that certificate. `--cert-sha256`.
    public var pinnedLeafSHA256: [UInt8]?

    /// An account to check over NLA (`--user`), with its password and how far
    /// it may go (`logon`: send the credentials; `insecure`: try it on an
    /// untrusted certificate). The password is never printed and never enters
    /// the report. Nothing derived from it goes to a server whose certificate
    /// is not pinned or trusted for the name, unless `insecure` is set.
    public var credentials: CredentialRequest?

    /// Also measure loss and round trip with this many small TCP segments to
    /// the RDP port (0 to `PathSampleMachine.maximumSegments`). `--samples`; 0 by default.
    public var pathSamples: Int = 0

    /// The .rdp file the target came from, shown and judged in the report
    /// (`RDPFile.parse(_:)`). `rdpdoctor check FILE.rdp`.
    public var rdpFile: RDPFile?

    /// Judges the addresses the target resolved to before any connection: nil
    /// admits them, a reason refuses them (the check then ends with that reason
    /// as its name-resolution error and connects nowhere). `rdpdoctor serve`'s
    /// allow-list; nil (the default) admits every address.
    public var admitAddresses: (@Sendable ([String]) -> String?)?

    /// Walk the RD Gateway in front of the target (`--gateway`), with the
    /// gateway account; its password is never printed and never in the report.
    public var gateway: GatewayRequest?

    /// Each step of each connection (the TCP connect, every answer) waits at
    /// most this many seconds; nil (the default) lets the deadline policy share
    /// `timeout` out. A target silent for that long is reported as "no answer
    /// within" it, undetermined, never as down. `rdpdoctor scan` uses 0.5.
    public var stepTimeout: Double?

    /// After a silent X.224 exchange, make one more connection to ask what the
    /// port is (TLS, HTTP). `true` by default; `scan` turns it off to keep one
    /// connection, and one wait, per silent target.
    public var serviceProbeAfterSilence = true

    /// Records every connection of the check (`--capture`): its wire bytes and
    /// TLS keys, for `TrafficRecorder.recording()` and a pcapng file. nil (the
    /// default) records nothing.
    public var recorder: TrafficRecorder?

    /// The defaults of `rdpdoctor check HOST`.
    public init(
        timeout: Double = 5, quick: Bool = false, trustAnchorsDER: [[UInt8]] = [],
        useSystemTrustStore: Bool = true, pinnedLeafSHA256: [UInt8]? = nil,
        credentials: CredentialRequest? = nil
    ) {
        self.timeout = timeout
        self.quick = quick
        self.trustAnchorsDER = trustAnchorsDER
        self.useSystemTrustStore = useSystemTrustStore
        self.pinnedLeafSHA256 = pinnedLeafSHA256
        self.credentials = credentials
    }

    /// A summary without secrets: the account is named, the password never.
    public var description: String {
        "CheckOptions(timeout: \(timeout), quick: \(quick), trustAnchors: \(trustAnchorsDER.count), "
            + "systemTrustStore: \(useSystemTrustStore), pinned: \(pinnedLeafSHA256 != nil), "
            + "account: \(credentials?.account ?? "none"))"
    }
}

/// Why `check(_:options:)` did not start: the target or an option is not usable.
/// A host that cannot be reached is not an error; the report says so.
public struct CheckOptionsError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong, in a sentence for a person.
    public let description: String

    /// An error with this message.
    public init(_ description: String) { self.description = description }
}

/// Replays the RDP connection against `target`, layer by layer, and names the
/// step that breaks, as `rdpdoctor check TARGET` does.
///
/// A failure of the host (refused, reset, silent, a bad certificate) is not
/// thrown: it is the report's verdict and findings. The check keeps to the
/// CLI's polite probing (at most three connections to the host at once) and
/// to `options.timeout`.
///
/// - Parameters:
///   - target: `HOST`, `HOST:PORT` or `[IPv6]:PORT` (port 3389 by default).
///   - options: the deadline, trust, pin and account; see `CheckOptions`.
/// - Returns: the verdict, the findings, the certificate audit and the
///   observations they were made from. `exitStatus` is the CLI's exit code.
/// - Throws: `TargetError` for a target that cannot be read;
///   `CheckOptionsError` for an option out of range.
public func check(_ target: String, options: CheckOptions = .init()) async throws -> CheckReport {
    let parsed = try Target.parse(target)
    return try await check(parsed, options: options)
}

/// Replays the RDP connection against an already parsed target (for example
/// `RDPFile.parse(_:).target()`); see `check(_:options:)` for a string.
///
/// - Parameters:
///   - target: the host and port.
///   - options: the deadline, trust, pin and account; see `CheckOptions`.
/// - Returns: the report; a host that fails is a failing verdict, not an error.
/// - Throws: `CheckOptionsError` for an option out of range.
public func check(_ target: Target, options: CheckOptions = .init()) async throws -> CheckReport {
    guard options.timeout > 0, options.timeout <= 120 else {
        throw CheckOptionsError("timeout must be more than 0 and at most 120 seconds")
    }
    if let pin = options.pinnedLeafSHA256, pin.count != 32 {
        throw CheckOptionsError("pinnedLeafSHA256 must be 32 bytes (a SHA-256 digest), not \(pin.count)")
    }
    guard (0...PathSampleMachine.maximumSegments).contains(options.pathSamples) else {
        throw CheckOptionsError("pathSamples must be between 0 and \(PathSampleMachine.maximumSegments)")
    }
    if let step = options.stepTimeout, !(step > 0 && step <= options.timeout) {
        throw CheckOptionsError("stepTimeout must be more than 0 and at most the timeout (\(options.timeout) s)")
    }
    var runnerOptions = CheckRunner.Options(timeoutMs: options.timeout * 1000)
    runnerOptions.defaultClientOnly = options.quick
    runnerOptions.pathSamples = options.pathSamples
    runnerOptions.credentials = options.credentials
    runnerOptions.pinnedLeafSHA256 = options.pinnedLeafSHA256
    runnerOptions.admitAddresses = options.admitAddresses
    runnerOptions.stepCapMs = options.stepTimeout.map { $0 * 1000 }
    runnerOptions.serviceProbeAfterSilence = options.serviceProbeAfterSilence
    runnerOptions.recorder = options.recorder

    let extra = options.trustAnchorsDER
    let system = options.useSystemTrustStore
    let anchors: @Sendable () -> [[UInt8]] = { (system ? TrustStore.cachedSystemAnchors() : []) + extra }
    runnerOptions.judgeCertificate = Diagnoser.certificateJudge(host: target.host, trustAnchors: anchors)
    if let gateway = options.gateway {
        runnerOptions.gateway = gateway
        runnerOptions.judgeGatewayCertificate = Diagnoser.certificateJudge(host: gateway.gateway.host, trustAnchors: anchors)
    }
    var observations = await CheckRunner().run(target, options: runnerOptions)
    observations.rdpFile = options.rdpFile
    let context = Diagnoser.Context(trustAnchors: anchors, nowUnix: Int64(Date().timeIntervalSince1970))
    return await Diagnoser.diagnose(observations, context: context)
}

/// Renders a check report as `rdpdoctor check` prints it.
///
/// - Parameters:
///   - report: what `check(_:options:)` returned.
///   - json: `true` for the versioned JSON document (`rdpdoctor.check/3`,
///     docs/check-json.md); `false` for plain text without colour.
/// - Returns: the whole document, ending with a newline.
public func render(_ report: CheckReport, json: Bool) -> String {
    json ? JSONDocuments.check(report) : CheckTextRenderer(style: .plain).render(report)
}

// MARK: - Internals

/// The catalogue, loaded once per process.
enum KitCatalogue {
    static let shared: Result<Catalogue, any Error> = Result { try Catalogue.shipped() }
}

/// Trusted roots as DER: the system store (the first CA bundle found) and CA
/// files the user names (`--ca`). The one place rdpdoctor reads them.
public enum TrustStore {
    static let systemBundles = [
        "/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt", "/etc/ssl/cert.pem",
    ]
    /// A CA bundle larger than this is not read (the system's is about 200 KiB).
    static let maximumBundleSize = 8 * 1024 * 1024

    /// The system's trusted roots; empty when no bundle is found.
    public static func systemAnchors() -> [[UInt8]] {
        for path in systemBundles {
            if let anchors = try? anchors(fromFile: path), !anchors.isEmpty { return anchors }
        }
        return []
    }

    /// The system's trusted roots, read once per process and kept (a check
    /// reads them more than once, and a long-running program checks often);
    /// `reloadSystemAnchors()` reads them again.
    public static func cachedSystemAnchors() -> [[UInt8]] {
        SystemAnchorCache.shared.get()
    }

    /// Reads the system's roots again for `cachedSystemAnchors()` (after a CA bundle update).
    public static func reloadSystemAnchors() {
        SystemAnchorCache.shared.clear()
    }

    /// Every PEM certificate of a file, as DER.
    public static func anchors(fromFile path: String) throws -> [[UInt8]] {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw CocoaError(.fileNoSuchFile)
        }
        defer { try? handle.close() }
        let data = try handle.read(upToCount: maximumBundleSize) ?? Data()
        return PEM.derBlocks(from: String(decoding: data, as: UTF8.self))
    }
}

/// The system anchors of `TrustStore.cachedSystemAnchors()`.
final class SystemAnchorCache: @unchecked Sendable {
    static let shared = SystemAnchorCache()
    private let lock = NSLock()
    private var anchors: [[UInt8]]?

    func get() -> [[UInt8]] {
        lock.lock()
        defer { lock.unlock() }
        if let anchors { return anchors }
        let read = TrustStore.systemAnchors()
        anchors = read
        return read
    }

    func clear() {
        lock.lock()
        anchors = nil
        lock.unlock()
    }
}
