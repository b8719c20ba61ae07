// A check report in the Prometheus text exposition format (version 0.0.4):
// blackbox_exporter's names where the meaning is the same, `rdp_*` for the
// rest. docs/serve.md lists every series and bounds every label.

import CertificateAudit
import Diagnosis
import Foundation
import ProbeCore

public enum ProbeMetrics {
    /// The content type of the exposition format.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// The metrics of one probe.
    ///
    /// - Parameters:
    ///   - report: the check's report.
    ///   - module: the module it ran with (its expectations join `probe_success`).
    ///   - durationSeconds: the probe's wall time as the service measured it.
    public static func render(_ report: CheckReport, module: ProbeModule, durationSeconds: Double) -> String {
        let facts = ProbeFacts(report)
        let expectations = ExpectationResult.evaluate(module.expect, facts: facts)
        var out = MetricsText()
        let o = report.observations

        out.gauge(
            "probe_success", "Whether the host is connectable (check exit status 0 or 1) and every module expectation is met",
            success(report, expectations: expectations) ? 1 : 0)
        out.gauge("probe_duration_seconds", "How long the probe took", durationSeconds)
        if let dns = o.resolution {
            out.gauge("probe_dns_lookup_time_seconds", "How long the name lookup took", dns.literal ? 0 : dns.durationMs / 1000)
        }
        if let used = o.resolution?.usedAddress ?? o.resolution?.addresses.first {
            out.gauge("probe_ip_protocol", "4 or 6: the IP version of the address probed", used.contains(":") ? 6 : 4)
        }
        if let certificate = report.certificate {
            let expiries = certificate.certificates.compactMap { $0.details?.notAfter.secondsSinceEpoch }
            if let earliest = expiries.min() {
                out.gauge("probe_ssl_earliest_cert_expiry", "The earliest notAfter of the presented chain, Unix seconds", Double(earliest))
            }
            if let leaf = certificate.leaf, let details = leaf.details {
                out.gauge(
                    "probe_ssl_last_chain_info", "The leaf certificate's identity",
                    labels: [
                        ("fingerprint_sha256", leaf.sha256Fingerprint.filter { $0 != ":" }.lowercased()),
                        ("subject", details.subject), ("issuer", details.issuer),
                        ("subjectalternative", details.dnsNames.prefix(8).joined(separator: ",")),
                        ("serialnumber", details.serialNumber),
                    ], 1)
            }
        }
        if let version = facts.negotiatedTLS {
            out.gauge(
                "probe_tls_version_info", "The TLS version the default handshake negotiated",
                labels: [("version", version.rawValue)], 1)
        }

        // RDP: the verdict and where it stops.
        out.gauge(
            "rdp_verdict_info", "Where a default Microsoft client would stop (outcome; step when it fails)",
            labels: [("outcome", report.verdict.outcome.rawValue)], 1)
        if report.verdict.outcome == .fails || report.verdict.outcome == .undetermined {
            out.gauge(
                "rdp_failure_info", "The step a default client stops at and the code pair it would show",
                labels: [
                    ("step", report.verdict.step?.rawValue ?? "unknown"),
                    ("code", report.verdict.errorCode?.description ?? ""),
                    ("extended_code", report.verdict.extendedCode?.description ?? ""),
                ], 1)
        }
        out.gauge(
            "rdp_exit_status", "rdpdoctor check's exit status (0 clean, 1 warnings, 2 fails, 4 could not tell)",
            Double(report.exitStatus))
        for (step, seconds) in facts.stepSeconds {
            out.gauge("rdp_step_duration_seconds", "Each step of the default client's connection", labels: [("phase", step.rawValue)], seconds)
        }
        if let selected = facts.selectedProtocol {
            out.gauge(
                "rdp_selected_protocol_info", "The security protocol the server selects for a default client",
                labels: [("protocol", selected.rawValue)], 1)
        }
        if let nla = facts.nlaRequired {
            out.gauge("rdp_nla_required", "1 when the server requires NLA (CredSSP); absent when the probes could not tell", nla ? 1 : 0)
        }
        if let rdp = facts.standardSecurityAccepted {
            out.gauge("rdp_standard_security_accepted", "1 when the server accepts standard RDP security (no TLS)", rdp ? 1 : 0)
        }
        for version in TLSProtocolVersion.allCases {
            guard let accepted = facts.tlsAccepted[version] else { continue }
            out.gauge(
                "rdp_tls_version_accepted", "Each TLS version probed: 1 accepted, 0 refused",
                labels: [("version", version.rawValue)], accepted ? 1 : 0)
        }
        if let outcome = facts.credentialOutcome {
            out.gauge(
                "rdp_credential_outcome_info", "How the module's account fared over NLA",
                labels: [("outcome", outcome.rawValue)], 1)
        }
        if let udp = facts.udpAvailable {
            out.gauge("rdp_udp_available", "1 when the RDP UDP transport answers on the same port", udp ? 1 : 0)
        }
        if let mtu = facts.pathMTU {
            out.gauge("rdp_path_mtu_bytes", "The path MTU found when the default walk stalled on full-size segments", Double(mtu))
        }
        if let rtt = facts.rttSeconds {
            out.gauge("rdp_rtt_seconds", "The smoothed TCP round trip of the default walk (TCP_INFO)", rtt)
        }
        if let trusted = facts.certificateTrusted {
            out.gauge("rdp_certificate_trusted", "1 when the certificate chains to a trusted root", trusted ? 1 : 0)
        }
        if let matches = facts.certificateNameMatches {
            out.gauge("rdp_certificate_name_matches", "1 when the certificate names the host probed", matches ? 1 : 0)
        }
        if let gateway = o.gateway { GatewayMetrics.render(gateway, into: &out) }
        for level in Finding.Level.allCases {
            out.gauge(
                "rdp_findings", "Findings of the check by level", labels: [("level", level.rawValue)],
                Double(report.findings.filter { $0.level == level }.count))
        }
        var seen = Set<FindingID>()
        for finding in report.findings where finding.level >= .warn && seen.insert(finding.id).inserted {
            out.gauge(
                "rdp_finding", "Each warning or failure finding of the check (id from a fixed list)",
                labels: [("id", finding.id.rawValue), ("level", finding.level.rawValue)], 1)
        }
        for result in expectations {
            out.gauge(
                "rdp_expectation_met", "Each expectation of the module: 1 met, 0 not met or could not tell",
                labels: [("expectation", result.name)], result.met == true ? 1 : 0)
        }
        return out.text
    }

    /// `probe_success`: connectable (exit status 0 or 1) and every expectation met.
    /// Through an RD Gateway the RDP walk inside the channel is not replayed yet,
    /// so a check that ends "could not tell" there (exit status 4) counts as
    /// connectable when the gateway carried a channel the target answered on.
    public static func success(_ report: CheckReport, expectations: [ExpectationResult]) -> Bool {
        let connectable =
            report.exitStatus == 0 || report.exitStatus == 1
            || (report.exitStatus == 4 && report.observations.gateway.map(GatewayMetrics.carried) == true)
        return connectable && expectations.allSatisfy { $0.met == true }
    }
}

/// Writes the exposition format: one HELP and TYPE per name, then its samples.
public struct MetricsText: Sendable {
    public private(set) var text = ""
    private var declared = Set<String>()

    public init() {}

    public mutating func gauge(_ name: String, _ help: String, labels: [(String, String)] = [], _ value: Double) {
        sample(name, type: "gauge", help, labels: labels, value)
    }

    public mutating func sample(_ name: String, type: String, _ help: String, labels: [(String, String)] = [], _ value: Double) {
        if declared.insert(name).inserted {
            text += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
        }
        text += name
        if !labels.isEmpty {
            text += "{" + labels.map { "\($0.0)=\"\(Self.escape($0.1))\"" }.joined(separator: ",") + "}"
        }
        text += " \(Self.format(value))\n"
    }

    /// Label values escape backslash, double quote and line feed.
    public static func escape(_ value: String) -> String {
        var out = ""
        for character in value {
            switch character {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(character)
            }
        }
        return out
    }

    public static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        // Nine significant digits: nanoseconds for a duration, and no binary noise (0.0013783859999999999).
        return String(format: "%.9g", value)
    }
}
