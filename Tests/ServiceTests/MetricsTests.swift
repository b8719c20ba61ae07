import Catalogue
import Diagnosis
import ProbeCore
import Testing

@testable import Service

/// A report as a check of an NLA server would give it, built by hand (no network).
enum Reports {
    static func nlaServer(findings extra: [Finding] = [], verdict: Verdict? = nil) -> CheckReport {
        var o = CheckObservations(target: Target(host: "rdp.example.com", port: 3389), startedAtUnix: 1_700_000_000, timeoutMs: 5000)
        o.resolution = ResolutionObservation(addresses: ["192.0.2.10"], usedAddress: "192.0.2.10", durationMs: 12, error: nil, literal: false)
        var probe = ProbeRecord(purpose: .defaultClient, requestedProtocols: [.ssl, .hybrid, .hybridEx])
        probe.negotiation = .selected(protocol: .hybrid, flags: [])
        probe.timings = [
            StepTiming(step: .tcp, startMs: 0, durationMs: 1.5), StepTiming(step: .x224, startMs: 1.5, durationMs: 2),
            StepTiming(step: .tls, startMs: 3.5, durationMs: 8.25),
        ]
        probe.tls = TLSSessionInfo(version: .tls12, peerChain: [])
        probe.end = .completed
        var rdp = ProbeRecord(purpose: .negotiation(.rdp), requestedProtocols: .rdp)
        rdp.negotiation = .failure(code: .hybridRequiredByServer)
        var tls10 = ProbeRecord(purpose: .tlsVersion(.tls10), requestedProtocols: .ssl)
        tls10.negotiation = .selected(protocol: .ssl, flags: [])
        tls10.end = .tlsFailed("protocol version")
        var tls13 = ProbeRecord(purpose: .tlsVersion(.tls13), requestedProtocols: .ssl)
        tls13.negotiation = .selected(protocol: .ssl, flags: [])
        tls13.end = .timedOut(step: .tls, waitingFor: .tlsHandshake)
        o.probes = [probe, rdp, tls10, tls13]
        var udp = UDPObservation(port: 3389)
        udp.outcome = .synAck
        o.udp = udp
        let findings =
            [
                Finding(id: .x224NlaRequired, level: .good, section: .negotiation, title: "NLA is required", detail: ""),
                Finding(id: .certUntrusted, level: .warn, section: .certificate, title: "untrusted", detail: "\"quoted\"\nline"),
            ] + extra
        return CheckReport(
            verdict: verdict ?? Verdict(outcome: .reachesCredentials, step: nil, summary: "asks for credentials"),
            findings: findings, observations: o, certificate: nil)
    }
}

@Suite struct MetricsTests {
    @Test func blackboxAndRDPSeries() {
        let text = ProbeMetrics.render(Reports.nlaServer(), module: ProbeModule(name: "rdp"), durationSeconds: 0.25)
        let lines = Set(text.split(separator: "\n").map(String.init))
        for expected in [
            "probe_success 1", "probe_duration_seconds 0.25", "probe_dns_lookup_time_seconds 0.012", "probe_ip_protocol 4",
            "probe_tls_version_info{version=\"TLS 1.2\"} 1",
            "rdp_verdict_info{outcome=\"reaches-credential-prompt\"} 1", "rdp_exit_status 1",
            "rdp_step_duration_seconds{phase=\"dns\"} 0.012", "rdp_step_duration_seconds{phase=\"tcp\"} 0.0015",
            "rdp_step_duration_seconds{phase=\"tls\"} 0.00825",
            "rdp_selected_protocol_info{protocol=\"hybrid\"} 1", "rdp_nla_required 1", "rdp_standard_security_accepted 0",
            "rdp_tls_version_accepted{version=\"TLS 1.0\"} 0", "rdp_tls_version_accepted{version=\"TLS 1.2\"} 1",
            "rdp_udp_available 1",
            "rdp_findings{level=\"good\"} 1", "rdp_findings{level=\"warn\"} 1", "rdp_findings{level=\"fail\"} 0",
            "rdp_finding{id=\"cert.untrusted\",level=\"warn\"} 1",
            "# TYPE probe_success gauge",
        ] {
            #expect(lines.contains(expected), "missing: \(expected)\n\(text)")
        }
        // TLS 1.3 got no answer: neither accepted nor refused, so no sample.
        #expect(!text.contains("TLS 1.3"))
        #expect(!text.contains("rdp_failure_info"))
        // One HELP and TYPE per name.
        #expect(text.components(separatedBy: "# TYPE rdp_step_duration_seconds").count == 2)
    }

    @Test func failureInfoCarriesStepAndCodes() {
        let verdict = Verdict(
            outcome: .fails, step: .tcp, summary: "refused",
            errorCode: CatalogueKey(.disconnect, 0x204), extendedCode: nil)
        let report = Reports.nlaServer(
            findings: [Finding(id: .tcpRefused, level: .fail, section: .tcp, title: "refused", detail: "")],
            verdict: verdict)
        let text = ProbeMetrics.render(report, module: ProbeModule(name: "rdp"), durationSeconds: 1)
        #expect(text.contains("probe_success 0\n"))
        #expect(text.contains("rdp_failure_info{step=\"tcp\",code=\"disconnect:0x204\",extended_code=\"\"} 1\n"))
    }

    @Test func expectationsJoinProbeSuccess() {
        var module = ProbeModule(name: "strict")
        module.expect = Expectations(nlaRequired: true, minimumTLS: .tls12, standardRDPSecurity: false)
        var text = ProbeMetrics.render(Reports.nlaServer(), module: module, durationSeconds: 1)
        #expect(text.contains("probe_success 1\n"))
        #expect(text.contains("rdp_expectation_met{expectation=\"nla_required\"} 1\n"))
        #expect(text.contains("rdp_expectation_met{expectation=\"min_tls\"} 1\n"))
        module.expect = Expectations(nlaRequired: false)
        text = ProbeMetrics.render(Reports.nlaServer(), module: module, durationSeconds: 1)
        #expect(text.contains("probe_success 0\n"))
        #expect(text.contains("rdp_expectation_met{expectation=\"nla_required\"} 0\n"))
        // Could not tell counts as not met.
        module.expect = Expectations(trustedCertificate: true)
        text = ProbeMetrics.render(Reports.nlaServer(), module: module, durationSeconds: 1)
        #expect(text.contains("probe_success 0\n"))
    }

    @Test func labelValuesAreEscaped() {
        #expect(MetricsText.escape("a\"b\\c\nd") == "a\\\"b\\\\c\\nd")
        #expect(MetricsText.format(3) == "3")
        #expect(MetricsText.format(0.5) == "0.5")
        #expect(MetricsText.format(.nan) == "NaN")
        #expect(MetricsText.format(0.0013783859999999999) == "0.001378386")
    }

    @Test func everyLineIsWellFormed() {
        let text = ProbeMetrics.render(Reports.nlaServer(), module: ProbeModule(name: "rdp"), durationSeconds: 0.25)
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let name = line.prefix { $0 != "{" && $0 != " " }
            #expect(name.allSatisfy { $0.isLetter || $0 == "_" || $0.isNumber }, "bad name in \(line)")
            #expect(Double(line.split(separator: " ").last ?? "") != nil, "bad value in \(line)")
        }
    }
}

@Suite struct ScanListTests {
    @Test func expandsHostsBlocksAndPorts() throws {
        let text = """
            # the lab
            127.0.0.1:33891,33910-33911
            localhost
            [::1]:3389
            127.0.0.4/30:33920   # network and broadcast skipped
            127.0.0.9/32
            127.0.0.1:33891      # a duplicate counts once
            """
        let targets = try ScanList.expand(text)
        #expect(
            targets == [
                "127.0.0.1:33891", "127.0.0.1:33910", "127.0.0.1:33911", "localhost:3389", "[::1]:3389",
                "127.0.0.5:33920", "127.0.0.6:33920", "127.0.0.9:3389",
            ])
    }

    @Test(arguments: [
        ("127.0.0.1:0", "line 1"), ("127.0.0.1:70000", "not a port"), ("10.0.0.0/8", "more than"),
        ("host name", "one target per line"), ("[::1", "without ]"), ("300.1.1.1/24", "not a CIDR"),
        ("127.0.0.1:1-65535\n127.0.0.2:1-65535", "more than"),
    ])
    func refusesBadLists(text: String, message: String) {
        #expect {
            try ScanList.expand(text, limit: 70_000)
        } throws: { error in
            "\(error)".contains(message)
        }
    }

    @Test func resumeReadsFinishedTargets() {
        let record = ScanRecord(target: "127.0.0.1:1", exitStatus: 3, error: "x", durationMs: 1)
        let text = record.jsonLine + "{\"schema\":\"rdpdoctor.scan/1\",\"tar"
        #expect(ScanList.finishedTargets(jsonl: text) == ["127.0.0.1:1"])
        #expect(!record.jsonLine.dropLast().contains("\n"))
    }

    @Test func summaryGroupsByVerdictAndFinding() {
        let records = [
            ScanRecord(report: Reports.nlaServer(), durationMs: 10),
            ScanRecord(report: Reports.nlaServer(), durationMs: 10),
            ScanRecord(target: "bad", exitStatus: 3, error: "cannot read", durationMs: 0),
        ]
        let text = ScanSummary.render(records, wallSeconds: 1.5)
        #expect(text.contains("Scanned 3 targets in 1.5 s"))
        #expect(text.contains("reaches-credential-prompt   2"))
        #expect(text.contains("could-not-run               1"))
        #expect(text.contains("cert.untrusted"))
    }
}
