// `rdpdoctor serve`'s requests, apart from HTTP framing: /probe, /metrics,
// /-/healthy, /-/reload and the index page. The allow-list is applied before
// any connection (and again to the resolved addresses, inside the check);
// probes beyond the configured concurrency are answered 503 at once.

import Foundation
import NIOConcurrencyHelpers
import Prometheus
import RDPDoctorKit
import Service
import Transport

/// A request as the app sees it.
public struct ServiceRequest: Sendable {
    public var method: String
    public var path: String
    public var query: [String: String]
    public var headers: [(String, String)]

    public init(method: String, uri: String, headers: [(String, String)] = []) {
        self.method = method
        let parts = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        path = String(parts[0])
        query = parts.count == 2 ? Self.parseQuery(String(parts[1])) : [:]
        self.headers = headers
    }

    func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }

    /// `a=1&b=x%20y`; the first value of a repeated key counts; `+` is a space.
    static func parseQuery(_ text: String) -> [String: String] {
        var result: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let decode = { (s: Substring) in (String(s).replacingOccurrences(of: "+", with: " ").removingPercentEncoding) ?? "" }
            let key = decode(kv[0])
            if result[key] == nil { result[key] = kv.count == 2 ? decode(kv[1]) : "" }
        }
        return result
    }
}

public struct ServiceResponse: Sendable {
    public var status: Int
    public var contentType: String
    public var body: String

    static func text(_ status: Int, _ body: String) -> ServiceResponse {
        ServiceResponse(status: status, contentType: "text/plain; charset=utf-8", body: body.hasSuffix("\n") ? body : body + "\n")
    }
}

/// The configuration in force, with what it names read from disk (CA files).
struct LoadedConfig: Sendable {
    let config: ServiceConfig
    let anchors: [String: [[UInt8]]]

    static func load(path: String) throws(ConfigError) -> LoadedConfig {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw ConfigError("cannot open \(path)") }
        defer { try? handle.close() }
        let data: Data
        do {
            data = try handle.read(upToCount: ServiceConfig.maximumSize + 1) ?? Data()
        } catch {
            throw ConfigError("cannot read \(path): \(error.localizedDescription)")
        }
        guard data.count <= ServiceConfig.maximumSize else { throw ConfigError("\(path) is larger than 1 MiB") }
        guard let text = String(data: data, encoding: .utf8) else { throw ConfigError("\(path) is not UTF-8 text") }
        let config: ServiceConfig
        do {
            config = try ServiceConfig.parse(yaml: text)
        } catch {
            throw ConfigError("\(path): \(error.description)")
        }
        var anchors: [String: [[UInt8]]] = [:]
        for (name, module) in config.modules {
            guard let file = module.caFile else { continue }
            let blocks: [[UInt8]]
            do {
                blocks = try TrustStore.anchors(fromFile: file)
            } catch {
                throw ConfigError("\(path): modules.\(name).ca_file: cannot read \(file)")
            }
            guard !blocks.isEmpty else { throw ConfigError("\(path): modules.\(name).ca_file: \(file) holds no PEM certificate") }
            anchors[name] = blocks
        }
        return LoadedConfig(config: config, anchors: anchors)
    }
}

/// The service: state shared by every request.
public final class ServiceApp: Sendable {
    struct LastProbe: Sendable {
        let at: Date
        let target: String
        let module: String
        let success: Bool
        let seconds: Double
        let summary: String
    }

    struct State: Sendable {
        var loaded: LoadedConfig
        var inFlight = 0
        var last: [LastProbe] = []
        /// Requests taken and not yet answered (the graceful shutdown waits for them).
        var open = 0
        /// Shutting down: no new probe starts.
        var draining = false
    }

    let configPath: String
    let state: NIOLockedValueBox<State>
    public let registry = PrometheusCollectorRegistry()
    /// A password looked up by reference (environment variable or file); replaceable in tests.
    let environment: @Sendable (String) -> String?
    let log: @Sendable (String) -> Void

    static let lastProbesKept = 30

    /// Loads the configuration at `configPath`; a bad one is a `ConfigError`.
    public init(
        configPath: String, environment: @escaping @Sendable (String) -> String? = { ProcessInfo.processInfo.environment[$0] },
        log: @escaping @Sendable (String) -> Void
    ) throws(ConfigError) {
        self.configPath = configPath
        self.environment = environment
        self.log = log
        state = NIOLockedValueBox(State(loaded: try LoadedConfig.load(path: configPath)))
        registry.makeGauge(descriptor: Self.name("probes_in_flight", "", "Probes running now")).set(to: 0)
        registry.makeGauge(descriptor: Self.name("probe_concurrency_limit", "", "Probes allowed at once (config)"))
            .set(to: Double(config.concurrency))
        _ = registry.makeCounter(descriptor: Self.name("config_reloads", "total", "Configuration reloads"), labels: [("result", "success")])
        _ = registry.makeCounter(descriptor: Self.name("config_reloads", "total", "Configuration reloads"), labels: [("result", "failure")])
    }

    var config: ServiceConfig { state.withLockedValue { $0.loaded.config } }

    static func name(_ metric: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "rdpdoctor", subsystem: "serve", metricName: metric, unitName: unit, helpText: help)
    }

    /// Reads the configuration file again; the old one stays in force when the new one is bad.
    @discardableResult
    public func reload() -> Result<Void, ConfigError> {
        do {
            let loaded = try LoadedConfig.load(path: configPath)
            state.withLockedValue { $0.loaded = loaded }
            TrustStore.reloadSystemAnchors()
            registry.makeGauge(descriptor: Self.name("probe_concurrency_limit", "", "Probes allowed at once (config)"))
                .set(to: Double(loaded.config.concurrency))
            count("config_reloads", "Configuration reloads", [("result", "success")])
            log("configuration reloaded from \(configPath)")
            return .success(())
        } catch {
            count("config_reloads", "Configuration reloads", [("result", "failure")])
            log("configuration not reloaded, the previous one stays: \(error.description)")
            return .failure(error)
        }
    }

    func count(_ metric: String, _ help: String, _ labels: [(String, String)]) {
        registry.makeCounter(descriptor: Self.name(metric, "total", help), labels: labels).increment()
    }

    // MARK: - Graceful shutdown

    /// A request was taken; `requestAnswered()` follows once its answer is written.
    func requestTaken() { state.withLockedValue { $0.open += 1 } }
    func requestAnswered() { state.withLockedValue { $0.open -= 1 } }

    /// From now on probes are refused with 503 (the listener closes too).
    public func beginDraining() { state.withLockedValue { $0.draining = true } }

    /// The longest a probe may run: the drain waits this long at most.
    public var drainLimitSeconds: Int64 {
        Int64((config.modules.values.map(\.timeout).max() ?? ProbeModule.defaultTimeout).rounded(.up)) + 5
    }

    /// Waits until every request taken has been answered, or `limit` passed; true when all were.
    public func drained(within limit: Duration) async -> Bool {
        let deadline = ContinuousClock.now + limit
        while state.withLockedValue({ $0.open }) > 0 {
            guard ContinuousClock.now < deadline else { return false }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return true
    }

    public func handle(_ request: ServiceRequest) async -> ServiceResponse {
        switch (request.method, request.path) {
        case ("GET", "/probe"), ("HEAD", "/probe"):
            if state.withLockedValue({ $0.draining }) { return refuse(503, "shutting_down", "serve is shutting down") }
            return await probe(request)
        case ("GET", "/metrics"):
            return ServiceResponse(status: 200, contentType: ProbeMetrics.contentType, body: registry.emitToString())
        case ("GET", "/-/healthy"), ("HEAD", "/-/healthy"):
            return .text(200, "Healthy")
        case ("POST", "/-/reload"):
            switch reload() {
            case .success: return .text(200, "reloaded")
            case .failure(let error): return .text(500, "failed to reload config: \(error.description)")
            }
        case (_, "/-/reload"):
            return .text(405, "use POST to reload the configuration")
        case ("GET", "/"):
            return ServiceResponse(status: 200, contentType: "text/html; charset=utf-8", body: indexPage())
        default:
            return .text(404, "not found; try /probe?target=HOST:PORT&module=NAME, /metrics, /-/healthy")
        }
    }

    // MARK: - /probe

    func refuse(_ status: Int, _ reason: String, _ message: String) -> ServiceResponse {
        count("requests_refused", "Probe requests refused, by reason", [("reason", reason)])
        return .text(status, message)
    }

    func probe(_ request: ServiceRequest) async -> ServiceResponse {
        let loaded = state.withLockedValue { $0.loaded }
        guard let targetText = request.query["target"], !targetText.isEmpty else {
            return refuse(400, "bad_request", "target parameter is missing")
        }
        guard let moduleName = request.query["module"], !moduleName.isEmpty else {
            return refuse(400, "bad_request", "module parameter is missing (modules: \(loaded.config.modules.keys.sorted().joined(separator: ", ")))")
        }
        guard let module = loaded.config.modules[moduleName] else {
            return refuse(400, "bad_request", "unknown module \"\(moduleName.prefix(64))\"")
        }
        guard targetText.utf8.count <= 300 else { return refuse(400, "bad_request", "target is too long") }
        let target: Target
        do {
            target = try Target.parse(targetText)
        } catch {
            return refuse(400, "bad_request", "target: \(error.description)")
        }
        let allow = loaded.config.allow
        if case .refused(let reason) = allow.admits(target) {
            log("refused probe of \(targetText): \(reason)")
            return refuse(403, "allow_list", "target refused by the allow-list: \(reason)")
        }
        var options = CheckOptions(
            timeout: ProbeTimeout.seconds(
                scrapeTimeoutHeader: request.header("X-Prometheus-Scrape-Timeout-Seconds"),
                offset: loaded.config.timeoutOffset, module: module),
            quick: module.quick, trustAnchorsDER: loaded.anchors[moduleName] ?? [],
            useSystemTrustStore: module.systemTrustStore, pinnedLeafSHA256: module.certSHA256)
        if let reference = module.credentials {
            switch password(for: reference) {
            case .success(let password):
                let (user, domain) = CredentialSettings.splitAccount(reference.account)
                options.credentials = CredentialRequest(
                    user: user, domain: domain, password: password,
                    logon: reference.logon, insecure: reference.insecure)
            case .failure(let message):
                log("module \(moduleName): \(message)")
                return refuse(500, "credentials", "module \(moduleName): \(message)")
            }
        }
        if let gateway = module.gateway {
            switch gatewayRequest(gateway, sameAs: options.credentials) {
            case .success(let request): options.gateway = request
            case .failure(let message):
                log("module \(moduleName): \(message)")
                return refuse(500, "credentials", "module \(moduleName): \(message)")
            }
        }
        let refusedAddresses = NIOLockedValueBox<String?>(nil)
        options.admitAddresses = { addresses in
            guard case .refused(let reason) = allow.admits(addresses: addresses) else { return nil }
            refusedAddresses.withLockedValue { $0 = reason }
            return reason
        }

        // Bounded concurrency: a slot or 503, never a queue without end.
        let admitted = state.withLockedValue { state -> Bool in
            guard state.inFlight < state.loaded.config.concurrency else { return false }
            state.inFlight += 1
            return true
        }
        guard admitted else {
            return refuse(503, "concurrency", "too many probes in flight (concurrency \(loaded.config.concurrency)); try again")
        }
        let inFlight = registry.makeGauge(descriptor: Self.name("probes_in_flight", "", "Probes running now"))
        inFlight.increment()
        defer {
            inFlight.decrement()
            state.withLockedValue { $0.inFlight -= 1 }
        }

        let started = ContinuousClock.now
        let report: CheckReport
        do {
            report = try await check(target, options: options)
        } catch {
            return refuse(400, "bad_request", "\(error)")
        }
        let seconds = Self.seconds(ContinuousClock.now - started)
        if let reason = refusedAddresses.withLockedValue({ $0 }) {
            log("refused probe of \(targetText) after name resolution: \(reason)")
            return refuse(403, "allow_list", "target refused by the allow-list: \(reason)")
        }
        let metrics = ProbeMetrics.render(report, module: module, durationSeconds: seconds)
        let success = ProbeMetrics.success(report, expectations: ExpectationResult.evaluate(module.expect, facts: ProbeFacts(report)))
        count("probes", "Probes run, by module and result", [("module", moduleName), ("result", success ? "success" : "failure")])
        registry.makeDurationHistogram(
            descriptor: Self.name("probe_duration", "seconds", "Probe durations, by module"),
            labels: [("module", moduleName)], buckets: Self.buckets
        )
        .record(ContinuousClock.now - started)
        let entry = LastProbe(
            at: Date(), target: targetText, module: moduleName, success: success, seconds: seconds,
            summary: report.verdict.summary)
        state.withLockedValue { state in
            state.last.append(entry)
            if state.last.count > Self.lastProbesKept { state.last.removeFirst(state.last.count - Self.lastProbesKept) }
        }
        log("probe target=\(targetText) module=\(moduleName) success=\(success) seconds=\(String(format: "%.3f", seconds))")
        if request.query["debug"] == "true" {
            let body =
                "Module: \(moduleName) (timeout \(options.timeout) s, quick \(module.quick))\n\n"
                + render(report, json: false) + "\nMetrics that would have been returned:\n" + metrics
            return .text(200, body)
        }
        return ServiceResponse(status: 200, contentType: ProbeMetrics.contentType, body: metrics)
    }

    static let buckets: [Duration] = [
        .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
        .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10), .seconds(30),
    ]

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    enum PasswordLookup {
        case success(String)
        case failure(String)
    }

    enum GatewayLookup {
        case success(GatewayRequest)
        case failure(String)
    }

    /// The module's gateway with its account: its own user, or the module's credentials.
    func gatewayRequest(_ gateway: GatewayReference, sameAs credentials: CredentialRequest?) -> GatewayLookup {
        guard let account = gateway.account, let source = gateway.source else {
            return .success(
                GatewayRequest(
                    gateway: gateway.address, credentials: credentials.map(GatewayCredentials.init(sameAs:)),
                    insecure: gateway.insecure))
        }
        switch password(for: source, key: "gateway") {
        case .success(let password):
            let (user, domain) = CredentialSettings.splitAccount(account)
            return .success(
                GatewayRequest(
                    gateway: gateway.address,
                    credentials: GatewayCredentials(user: user, domain: domain, password: password),
                    insecure: gateway.insecure))
        case .failure(let message):
            return .failure(message)
        }
    }

    /// The password a reference names; the messages name the reference, never its value.
    func password(for reference: CredentialReference) -> PasswordLookup {
        password(for: reference.source, key: "credentials")
    }

    func password(for source: CredentialReference.Source, key: String) -> PasswordLookup {
        switch source {
        case .environment(let name):
            guard let value = environment(name), !value.isEmpty else {
                return .failure("the environment variable \(name) (\(key).password_env) is not set")
            }
            return .success(value)
        case .file(let path):
            guard let handle = FileHandle(forReadingAtPath: path) else {
                return .failure("cannot open \(path) (\(key).password_file)")
            }
            defer { try? handle.close() }
            guard let data = try? handle.read(upToCount: 4096), let text = String(data: data, encoding: .utf8),
                let line = text.split(separator: "\n", omittingEmptySubsequences: false).first, !line.isEmpty
            else {
                return .failure("\(path) (\(key).password_file) holds no password")
            }
            return .success(String(line.hasSuffix("\r") ? line.dropLast() : line))
        }
    }

    // MARK: - Index page

    func indexPage() -> String {
        let (config, last) = state.withLockedValue { ($0.loaded.config, $0.last) }
        func escape(_ text: String) -> String {
            text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
        }
        var html = """
            <!DOCTYPE html>
            <html><head><meta charset="utf-8"><title>rdpdoctor serve</title></head><body>
            <h1>rdpdoctor serve</h1>
            <p><a href="/metrics">Service metrics</a> · <a href="/-/healthy">Health</a> ·
            probe with <code>/probe?target=HOST:PORT&amp;module=NAME</code> (add <code>&amp;debug=true</code> for the report)</p>
            <h2>Modules</h2><table border="1" cellpadding="4"><tr><th>name</th><th>timeout</th><th>quick</th><th>credentials</th><th>gateway</th><th>expectations</th></tr>

            """
        for name in config.modules.keys.sorted() {
            let module = config.modules[name]!
            var expectations: [String] = []
            if let nla = module.expect.nlaRequired { expectations.append("NLA required: \(nla)") }
            if let tls = module.expect.minimumTLS { expectations.append("TLS ≥ \(tls.rawValue.dropFirst(4))") }
            if let rdp = module.expect.standardRDPSecurity { expectations.append("standard RDP security: \(rdp)") }
            if let trusted = module.expect.trustedCertificate { expectations.append("trusted certificate: \(trusted)") }
            html +=
                "<tr><td>\(escape(name))</td><td>\(module.timeout) s</td><td>\(module.quick)</td>"
                + "<td>\(escape(module.credentials?.description ?? "none"))</td><td>\(escape(module.gateway?.description ?? "none"))</td>"
                + "<td>\(escape(expectations.joined(separator: "; ")))</td></tr>\n"
        }
        html +=
            "</table>\n<h2>Last probes</h2><table border=\"1\" cellpadding=\"4\"><tr><th>time (UTC)</th><th>module</th><th>target</th><th>result</th><th>seconds</th><th>verdict</th><th>debug</th></tr>\n"
        let formatter = ISO8601DateFormatter()
        for probe in last.reversed() {
            var components = URLComponents()
            components.queryItems = [
                URLQueryItem(name: "target", value: probe.target), URLQueryItem(name: "module", value: probe.module),
                URLQueryItem(name: "debug", value: "true"),
            ]
            let link = "/probe" + (components.string ?? "")
            html +=
                "<tr><td>\(formatter.string(from: probe.at))</td><td>\(escape(probe.module))</td><td>\(escape(probe.target))</td>"
                + "<td>\(probe.success ? "success" : "failure")</td><td>\(String(format: "%.3f", probe.seconds))</td>"
                + "<td>\(escape(probe.summary))</td><td><a href=\"\(escape(link))\">report</a></td></tr>\n"
        }
        html +=
            "</table>\n<p>Allowed: networks \(escape(config.allow.networks.map(\.description).joined(separator: ", "))); "
            + "hosts \(escape(config.allow.hosts.joined(separator: ", "))); ports \(escape(config.allow.ports.map(\.description).joined(separator: ", "))); "
            + "at most \(config.concurrency) probes at once.</p>\n</body></html>\n"
        return html
    }
}
