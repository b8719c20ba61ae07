import Diagnosis
import ProbeCore
import Testing

@Suite struct NetworkRuleTests {
    @Test func dnsFailure() async {
        let report = await Scenarios.dnsFailure.diagnose()
        let finding = report.finding("dns.failed")
        #expect(finding?.level == .fail)
        #expect(finding?.section == .name)
        #expect(finding?.codes == ["disconnect:0x104", "disconnect:0x208"])
    }

    @Test func resolvedNameIsGoodAndLiteralIsSilent() async {
        let resolved = await Scenario().resolved(["192.0.2.10", "2001:db8::10"]).diagnose()
        #expect(resolved.finding("dns.resolved")?.level == .good)
        #expect(resolved.finding("dns.resolved")?.title == "rdp.example.test resolves to 2 addresses")

        let literal = await Scenario(host: "192.0.2.10").literalAddress("192.0.2.10").diagnose()
        #expect(!literal.findings.contains { $0.section == .name })
    }

    @Test func refusedEverywhereIsAFail() async {
        let report = await Scenarios.allRefused.diagnose()
        let refused = report.findings("tcp.refused")
        #expect(refused.count == 2)
        #expect(refused.allSatisfy { $0.level == .fail && $0.codes == ["disconnect:0x204"] })
    }

    @Test func failuresBesideAReachableAddressAreWarnings() async {
        let report = await Scenarios.tcpTimeoutAndUnreachable.diagnose()
        #expect(report.finding("tcp.timeout")?.level == .warn)
        #expect(report.finding("tcp.timeout")?.codes == ["disconnect:0x204", "disconnect:0x704"])
        #expect(report.finding("tcp.unreachable")?.level == .warn)
        #expect(report.finding("tcp.unreachable")?.detail == "no route to host")
        #expect(report.finding("tcp.connected")?.level == .good)
        #expect(report.finding("tcp.connected")?.detail == "Connected in 2.0 ms.")
    }

    @Test func silentListener() async {
        let report = await Scenarios.tcpTimeoutAndUnreachable.diagnose()
        let finding = report.finding("x224.silent")
        #expect(finding?.level == .warn, "silence is not a refusal")
        #expect(finding?.codes == ["disconnect:0x108"])
        #expect(report.verdict.outcome == .undetermined && report.verdict.step == .x224)
    }

    @Test func foreignServiceIsNotRDP() async {
        let report = await Scenarios.foreignHTTP.diagnose()
        let finding = report.finding("x224.not-rdp")
        #expect(finding?.level == .fail)
        #expect(finding?.title == "The port speaks HTTP, not RDP")
        #expect(finding?.detail.contains("485454502f") == true)
        #expect(finding?.codes == ["disconnect:0x904", "extended:0x7"])
        #expect(!report.has("x224.silent"))
    }
}

@Suite struct TimingRuleTests {
    @Test func stepsAreListed() async {
        let report = await Scenarios.healthyNLA.diagnose()
        let finding = report.finding("timing.steps")
        #expect(finding?.level == .info)
        #expect(finding?.title == "Default client replay took 45 ms")
        #expect(finding?.detail == "the TCP connection 2.0 ms, the X.224 security negotiation 3.0 ms, the TLS handshake 15 ms, CredSSP (NLA) 20 ms.")
        #expect(!report.has("timing.slow-step"))
    }

    @Test func aSlowStepIsAWarning() async {
        let report = await Scenarios.slowTLS.diagnose()
        let finding = report.finding("timing.slow-step")
        #expect(finding?.level == .warn)
        #expect(finding?.title == "The TLS handshake is slow (1500 ms)")
    }

    @Test func noTimingsNoTimingFindings() async {
        let report = await Scenario().defaultClient(.selected(protocol: Proto.hybrid, flags: [])).diagnose()
        #expect(!report.findings.contains { $0.section == .timing })
    }
}

@Suite struct ReportShapeTests {
    @Test func findingsAreInSectionOrder() async {
        for (name, scenario) in Scenarios.all {
            let report = await scenario.diagnose()
            let positions = report.findings.map { Section.allCases.firstIndex(of: $0.section)! }
            #expect(positions == positions.sorted(), "\(name): \(report.ids)")
        }
    }

    @Test func idsAreUniquePerReportExceptRepeatedObservations() async {
        // Per-address and per-error-info findings may repeat; nothing else should.
        let repeatable: Set<String> = ["tcp.connected", "tcp.refused", "tcp.timeout", "tcp.unreachable", "session.error-info"]
        for (name, scenario) in Scenarios.all {
            let ids = await scenario.diagnose().ids.filter { !repeatable.contains($0) }
            #expect(ids.count == Set(ids).count, "\(name): \(ids)")
        }
    }

    @Test func reportKeepsTheObservations() async {
        let scenario = Scenarios.healthyNLA
        let report = await scenario.diagnose()
        #expect(report.observations.probes.count == scenario.observations.probes.count)
        #expect(report.observations.target == scenario.observations.target)
    }
}

@Suite struct PathSampleRuleTests {
    static func sample(retransmits: Int, segments: Int, dataSegments: Int?, delivered: Int?) -> PathSampleObservation {
        var sample = PathSampleObservation(planned: 3000)
        sample.sent = 3000
        sample.tcp = TCPStats(
            rttMs: 1, rttVarianceMs: 0.2, minRTTMs: 0.8, totalRetransmits: retransmits, lost: 0, segmentsOut: segments,
            segmentsIn: segments, pathMTU: 1500, sendMSS: 1448, dataSegmentsOut: dataSegments, delivered: delivered)
        return sample
    }

    static func findings(_ sample: PathSampleObservation) async -> CheckReport {
        var scenario = Scenario().resolved().reachable().defaultClient(.selected(protocol: Proto.hybrid, flags: []))
        scenario.observations.pathSample = sample
        return await scenario.diagnose()
    }

    @Test("loss is read from deliveries when the kernel counts them: merged retransmissions do not hide losses")
    func lossFromDeliveries() async throws {
        // 153 segments sent again, but 171 of the 1,737 data segments never arrived.
        let sample = Self.sample(retransmits: 153, segments: 1739, dataSegments: 1737, delivered: 1566)
        #expect(abs((sample.lossRatio ?? 0) - 171.0 / 1737) < 1e-9)
        let report = await Self.findings(sample)
        let measured = try #require(report.finding("path.sample"), "\(report.ids)")
        #expect(measured.title.contains("9.8 % lost"), "\(measured.title)")
        #expect(measured.detail.contains("171 of the 1737 segments sent never reached the server"), "\(measured.detail)")
        #expect(report.finding("path.sample-loss")?.level == .warn)
    }

    @Test("without delivery counts (before Linux 4.18) the share sent again is the estimate")
    func lossFromRetransmissions() async throws {
        let sample = Self.sample(retransmits: 2, segments: 1000, dataSegments: nil, delivered: nil)
        #expect(sample.lossRatio == 0.002)
        let report = await Self.findings(sample)
        let measured = try #require(report.finding("path.sample"), "\(report.ids)")
        #expect(measured.title.contains("0.2 % retransmitted"), "\(measured.title)")
        #expect(measured.detail.contains("2 of 1000 segments were sent again"), "\(measured.detail)")
        #expect(!report.has("path.sample-loss"), "0.2 % is not worth a warning: \(report.ids)")
    }
}

@Suite struct MTURuleTests {
    @Test("an MTU black hole: the estimate is a bound only when every larger try told")
    func mtuBlackHoleSaysWhatItCouldNotTell() async throws {
        func report(cutShort: [Int]) async -> CheckReport {
            var scenario = Scenario().resolved().reachable()
                .defaultClient(.selected(protocol: Proto.hybridEx, flags: []), end: .timedOut(step: .tls, waitingFor: .tlsHandshake))
            let tries = [1300, 1240, 1180].map { MTUTry(mss: $0, worked: $0 < 1200 && !cutShort.contains($0), ms: 5) }
                .filter { !cutShort.contains($0.mss) }
            scenario.observations.mtuSearch = MTUSearch.conclude(stalledAt: .tls, tries: tries, cutShort: cutShort, ipv6: false)
            return await scenario.diagnose()
        }
        let told = try #require(await report(cutShort: []).finding("path.mtu-black-hole"))
        #expect(told.title.contains("packets over about 1220 bytes"), "\(told.title)")
        #expect(told.detail.contains("smallest that stalled: 1240"), "\(told.detail)")
        #expect(!told.detail.contains("ran out of"))
        let untold = try #require(await report(cutShort: [1240]).finding("path.mtu-black-hole"))
        #expect(!untold.title.contains("over about"), "\(untold.title)")
        #expect(untold.title.contains("1220 bytes get through"), "\(untold.title)")
        #expect(untold.detail.contains("1240 bytes ran out of the check's time"), "\(untold.detail)")
    }
}
