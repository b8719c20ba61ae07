import CertificateAudit
import RDPProtocol
import Testing

@testable import ProbeCore

/// The check coordinator driven with scripted probe endings: no sockets. It
/// must be polite (the default walk first, never more than the limit at once,
/// one at a time once the server struggles), derive its deadlines from the
/// budget and the path, and keep the account from servers it cannot trust.
@Suite("CheckCoordinator: plan, politeness, deadlines and the credential gate")
struct CheckCoordinatorTests {
    static let ms: UInt64 = 1_000_000
    static let leaf: [UInt8] = [0x30, 0x03, 0x02, 0x01, 0x01]
    static let otherLeaf: [UInt8] = [0x30, 0x03, 0x02, 0x01, 0x02]
    static let target = Target(host: "rdp.example.test", port: 3389)

    /// A coordinator and the launches it asked for, driven by a scripted clock.
    struct Run {
        var coordinator: CheckCoordinator
        var now: UInt64 = 1_000 * CheckCoordinatorTests.ms
        var inFlight: [Int: CheckCoordinator.Launch] = [:]
        var launched: [CheckCoordinator.Launch] = []
        var judgements: [[[UInt8]]] = []
        var finished = false
        var mostAtOnce = 0

        init(
            budgetMs: Double = 5000, quick: Bool = false, credentials: CredentialRequest? = nil,
            pin: [UInt8]? = nil, stepCapMs: Double? = nil, serviceProbeAfterSilence: Bool = true
        ) {
            var settings = CheckCoordinator.Settings(
                plan: CheckPlan(target: CheckCoordinatorTests.target), budgetMs: budgetMs, quick: quick,
                credentials: credentials, pinnedLeafSHA256: pin)
            settings.stepCapMs = stepCapMs
            settings.serviceProbeAfterSilence = serviceProbeAfterSilence
            coordinator = CheckCoordinator(settings, now: now)
            take(coordinator.start(now: now))
        }

        mutating func take(_ actions: [CheckCoordinator.Action]) {
            for action in actions {
                switch action {
                case .launch(let launch):
                    inFlight[launch.id] = launch
                    launched.append(launch)
                case .judgeCertificate(let chain): judgements.append(chain)
                case .finished: finished = true
                }
            }
            mostAtOnce = max(mostAtOnce, inFlight.count)
        }

        func purpose(_ launch: CheckCoordinator.Launch) -> ProbePurpose? {
            if case .rdp(let machine) = launch.job { return machine.record.purpose }
            return nil
        }

        func running(_ purpose: ProbePurpose) -> CheckCoordinator.Launch? {
            inFlight.values.first { self.purpose($0) == purpose }
        }

        /// Ends the running probe for `purpose` with `record`, `afterMs` later.
        mutating func end(_ purpose: ProbePurpose, afterMs: Double = 5, _ shape: (inout ProbeRecord) -> Void) {
            guard let launch = running(purpose) else {
                Issue.record("\(purpose) is not running; running: \(inFlight.values.compactMap(self.purpose))")
                return
            }
            now += UInt64(afterMs * Double(CheckCoordinatorTests.ms))
            var record = ProbeRecord(purpose: purpose, requestedProtocols: requested(purpose))
            shape(&record)
            inFlight[launch.id] = nil
            take(coordinator.ended(launch.id, .rdp(record), now: now))
        }

        /// Ends every running probe the way `shape` says, until none is left.
        mutating func endAll(afterMs: Double = 5, _ shape: (ProbePurpose, inout ProbeRecord) -> Void) {
            var rounds = 0
            while let launch = inFlight.values.min(by: { $0.id < $1.id }), rounds < 200 {
                rounds += 1
                if case .rdp(let machine) = launch.job {
                    let purpose = machine.record.purpose
                    end(purpose, afterMs: afterMs) { shape(purpose, &$0) }
                } else {
                    now += UInt64(afterMs * Double(CheckCoordinatorTests.ms))
                    inFlight[launch.id] = nil
                    let outcome: CheckCoordinator.Outcome = {
                        if case .service = launch.job { return .service(ServiceObservation()) }
                        return .pathSample(nil)
                    }()
                    take(coordinator.ended(launch.id, outcome, now: now))
                }
            }
        }

        func requested(_ purpose: ProbePurpose) -> SecurityProtocols {
            switch purpose {
            case .negotiation(let protocols): protocols
            case .tlsVersion: [.ssl, .hybrid]
            default: CheckPlan.defaultClientProtocols
            }
        }
    }

    /// The default walk of a healthy NLA server: every step timed, the chain seen.
    static func healthy(_ record: inout ProbeRecord, leaf: [UInt8] = leaf) {
        record.negotiation = .selected(protocol: .hybridEx, flags: [])
        record.timings = [
            .init(step: .tcp, startMs: 0, durationMs: 1), .init(step: .x224, startMs: 1, durationMs: 2),
            .init(step: .tls, startMs: 3, durationMs: 4), .init(step: .credssp, startMs: 7, durationMs: 3),
        ]
        record.tls = TLSSessionInfo(version: .tls13, peerChain: [leaf])
        record.end = .completed
    }

    static func answered(_ purpose: ProbePurpose, _ record: inout ProbeRecord) {
        record.negotiation = .selected(protocol: .ssl, flags: [])
        record.timings = [.init(step: .tcp, startMs: 0, durationMs: 1), .init(step: .x224, startMs: 1, durationMs: 2)]
        record.end = .completed
    }

    // MARK: - scan's quick mode

    static func silentAtX224(_ record: inout ProbeRecord) {
        record.timings = [.init(step: .tcp, startMs: 0, durationMs: 1), .init(step: .x224, startMs: 1)]
        record.end = .timedOut(step: .x224, waitingFor: .connectionConfirm)
    }

    @Test("a step cap bounds every deadline below the budget's share; without it the share applies")
    func stepCapBoundsTheDeadlines() throws {
        let capped = Run(budgetMs: 5000, quick: true, stepCapMs: 500)
        let launch = try #require(capped.running(.defaultClient))
        #expect(launch.connectTimeoutMs == 500)
        guard case .rdp(let machine) = launch.job else { Issue.record("not an RDP probe"); return }
        #expect(machine.record.stepDeadlineMs == 500)
        let uncapped = Run(budgetMs: 5000, quick: true)
        #expect(try #require(uncapped.running(.defaultClient)).connectTimeoutMs == 5000 * DeadlinePolicy.firstShare)
    }

    @Test("a port silent at X.224 gets the service probe, unless scan's quick mode leaves it out")
    func silencePlansTheServiceProbeOnlyWhenAsked() {
        var check = Run(quick: true)
        check.end(.defaultClient) { Self.silentAtX224(&$0) }
        #expect(check.inFlight.values.contains { if case .service = $0.job { true } else { false } })
        var scan = Run(quick: true, stepCapMs: 500, serviceProbeAfterSilence: false)
        scan.end(.defaultClient) { Self.silentAtX224(&$0) }
        #expect(scan.finished, "one connection: nothing follows the silent walk")
        #expect(scan.launched.count == 1)
        // A port that closed at X.224 still gets the (fast) service probe in quick scans.
        var closed = Run(quick: true, stepCapMs: 500, serviceProbeAfterSilence: false)
        closed.end(.defaultClient) { record in
            record.timings = [.init(step: .tcp, startMs: 0, durationMs: 1), .init(step: .x224, startMs: 1)]
            record.end = .peerClosed(.fin, step: .x224, waitingFor: .connectionConfirm)
        }
        #expect(closed.inFlight.values.contains { if case .service = $0.job { true } else { false } })
    }

    // MARK: - The polite plan

    @Test("the default walk (and its small-segment twin) run alone first; the survey follows, never more than the limit at once")
    func defaultWalkFirstThenAtMostTheLimit() {
        var run = Run()
        #expect(run.launched.compactMap(run.purpose) == [.defaultClient, .smallSegments])
        run.end(.smallSegments) { Self.healthy(&$0) }
        #expect(run.launched.count == 2, "nothing else starts before the default walk ends")
        run.end(.defaultClient) { Self.healthy(&$0) }
        #expect(run.inFlight.count == CheckCoordinator.maximumSimultaneousConnections)
        run.endAll { Self.answered($0, &$1) }
        #expect(run.finished)
        #expect(run.mostAtOnce <= CheckCoordinator.maximumSimultaneousConnections)
        let survey = Set(CheckPlan(target: Self.target).surveyPurposes)
        #expect(Set(run.launched.compactMap(run.purpose)).isSuperset(of: survey))
        #expect(run.coordinator.probes.first?.purpose == .defaultClient)
        #expect(run.coordinator.probing.connections == run.launched.count)
        #expect(!run.coordinator.probing.wentSequential)
    }

    @Test("a probe closed while others were open is repeated alone; its answer alone is kept and the server's habit reported")
    func droppedWhileConcurrentIsRepeatedAlone() throws {
        var run = Run()
        run.end(.smallSegments) { Self.healthy(&$0) }
        run.end(.defaultClient) { Self.healthy(&$0) }
        let dropped = ProbePurpose.negotiation(.rdstls)
        var retried = false
        run.endAll { purpose, record in
            if purpose == dropped, !retried {
                retried = true
                record.timings = [.init(step: .tcp, startMs: 0, durationMs: 1), .init(step: .x224, startMs: 1)]
                record.end = .peerClosed(.reset, step: .x224, waitingFor: .connectionConfirm)
                return
            }
            Self.answered(purpose, &record)
        }
        #expect(run.finished)
        let probing = run.coordinator.probing
        #expect(probing.droppedWhileConcurrent == [dropped])
        #expect(probing.answeredAlone == [dropped])
        #expect(probing.wentSequential)
        let kept = try #require(run.coordinator.probes.first { $0.purpose == dropped })
        #expect(kept.negotiation != nil, "the answer it got alone is the one kept")
        #expect(run.coordinator.probes.filter { $0.purpose == dropped }.count == 1)
    }

    @Test("the default walk closed where its twin got through is repeated alone before anything else runs")
    func defaultWalkDroppedBesideItsTwinIsRepeatedFirst() {
        var run = Run()
        run.end(.smallSegments) { Self.healthy(&$0) }
        run.end(.defaultClient) { record in
            record.negotiation = .selected(protocol: .hybridEx, flags: [])
            record.timings = [
                .init(step: .tcp, startMs: 0, durationMs: 1), .init(step: .x224, startMs: 1, durationMs: 2),
                .init(step: .tls, startMs: 3),
            ]
            record.end = .peerClosed(.fin, step: .tls, waitingFor: .tlsHandshake)
        }
        #expect(run.inFlight.values.compactMap(run.purpose) == [.defaultClient], "only the repeat runs")
        run.end(.defaultClient) { Self.healthy(&$0) }
        #expect(run.coordinator.probing.answeredAlone == [.defaultClient])
        run.endAll { Self.answered($0, &$1) }
        #expect(run.mostAtOnce <= 2)
        #expect(run.coordinator.probes.first { $0.purpose == .defaultClient }?.end == .completed)
    }

    @Test("a server that answers far later with several connections open makes the check go one at a time")
    func slowdownGoesSequential() {
        var run = Run()
        run.end(.smallSegments) { Self.healthy(&$0) }
        run.end(.defaultClient) { Self.healthy(&$0) }
        var first = true
        run.endAll(afterMs: 900) { purpose, record in
            Self.answered(purpose, &record)
            if first {
                first = false
                record.timings[1].durationMs = 800
            }
        }
        #expect(run.coordinator.probing.slowestConcurrentAnswerMs == 800)
        #expect(run.coordinator.probing.wentSequential)
    }

    // MARK: - Deadlines

    @Test("the first wave's step deadline follows the budget, not a constant", arguments: [5000.0, 30000.0])
    func firstWaveDeadlineFollowsTheBudget(budgetMs: Double) throws {
        let run = Run(budgetMs: budgetMs)
        guard case .rdp(let machine) = try #require(run.launched.first).job else { return }
        #expect(machine.record.stepDeadlineMs == budgetMs * DeadlinePolicy.firstShare)
    }

    @Test("later probes wait several times the slowest step the default walk took")
    func laterDeadlinesFollowThePath() throws {
        var run = Run(budgetMs: 30000)
        run.end(.smallSegments) { Self.healthy(&$0) }
        run.end(.defaultClient, afterMs: 3000) { record in
            Self.healthy(&record)
            record.timings[2].durationMs = 3000  // a slow path: TLS took 3 s
        }
        let launch = try #require(run.inFlight.values.first)
        guard case .rdp(let machine) = launch.job else { return }
        #expect(machine.record.stepDeadlineMs == 12000, "4 × the slowest step, within what is left")
    }

    @Test("probes the deadline leaves no time for are recorded as not started, and the check ends")
    func timeUpMeansNotStarted() {
        var run = Run(budgetMs: 1000)
        run.end(.smallSegments) { Self.healthy(&$0) }
        run.end(.defaultClient, afterMs: 995) { Self.healthy(&$0) }
        run.endAll { Self.answered($0, &$1) }
        #expect(run.finished)
        #expect(!run.coordinator.probing.notStarted.isEmpty)
        #expect(run.coordinator.probes.contains { $0.end == .notStarted })
    }

    // MARK: - After a failure at X.224, and the MTU search

    @Test("silence at X.224: the service probe asks whether it is TLS; no survey of a silent port")
    func silenceAtX224() {
        var run = Run()
        let silent: (inout ProbeRecord) -> Void = { record in
            record.timings = [.init(step: .tcp, startMs: 0, durationMs: 1), .init(step: .x224, startMs: 1)]
            record.end = .timedOut(step: .x224, waitingFor: .connectionConfirm)
        }
        run.end(.smallSegments, silent)
        run.end(.defaultClient, silent)
        #expect(run.inFlight.count == 1)
        guard case .service? = run.inFlight.values.first?.job else {
            Issue.record("expected the service probe")
            return
        }
        run.endAll { _, _ in }
        #expect(run.finished)
    }

    @Test("a close at X.224: the service probe first; the survey only if the port is not a TLS service", arguments: [true, false])
    func closeAtX224(tlsService: Bool) {
        var run = Run()
        let closed: (inout ProbeRecord) -> Void = { record in
            record.timings = [.init(step: .tcp, startMs: 0, durationMs: 1), .init(step: .x224, startMs: 1)]
            record.end = .peerClosed(.reset, step: .x224, waitingFor: .connectionConfirm)
        }
        run.end(.smallSegments, closed)
        run.end(.defaultClient, closed)
        guard let service = run.inFlight.values.first, case .service = service.job, run.inFlight.count == 1 else {
            Issue.record("expected the service probe alone")
            return
        }
        var observation = ServiceObservation()
        if tlsService { observation.tls = TLSSessionInfo(version: .tls13, peerChain: []) }
        run.inFlight[service.id] = nil
        run.take(run.coordinator.ended(service.id, .service(observation), now: run.now))
        if tlsService {
            #expect(run.finished, "a TLS service would reset every survey request")
            #expect(run.launched.count == 3)
        } else {
            #expect(!run.inFlight.isEmpty, "a refusing listener may still take other requests")
        }
    }

    @Test("a stall that small segments get past starts the MTU search, politely")
    func mtuSearch() throws {
        var run = Run()
        run.end(.smallSegments) { Self.healthy(&$0) }
        run.end(.defaultClient) { record in
            record.negotiation = .selected(protocol: .hybridEx, flags: [])
            record.timings = [
                .init(step: .tcp, startMs: 0, durationMs: 1), .init(step: .x224, startMs: 1, durationMs: 2),
                .init(step: .tls, startMs: 3),
            ]
            record.end = .timedOut(step: .tls, waitingFor: .tlsHandshake)
        }
        run.endAll { purpose, record in
            if case .mtuTry(let mss) = purpose, mss > 1300 {
                record.timings = [.init(step: .tcp, startMs: 0, durationMs: 1), .init(step: .tls, startMs: 3)]
                record.end = .timedOut(step: .tls, waitingFor: .tlsHandshake)
                return
            }
            Self.healthy(&record)
        }
        let search = try #require(run.coordinator.mtuSearch)
        #expect(search.largestWorkingMSS == 1300)
        #expect(search.stalledStep == .tls)
        #expect(run.mostAtOnce <= CheckCoordinator.maximumSimultaneousConnections)
    }

    /// The default walk stalls at TLS where the small-segment walk got through,
    /// `stallAfterMs` into the check.
    static func blackHole(_ run: inout Run, stallAfterMs: Double) {
        run.end(.smallSegments) { Self.healthy(&$0) }
        run.end(.defaultClient, afterMs: stallAfterMs) { record in
            record.negotiation = .selected(protocol: .hybridEx, flags: [])
            record.timings = [
                .init(step: .tcp, startMs: 0, durationMs: 1), .init(step: .x224, startMs: 1, durationMs: 2),
                .init(step: .tls, startMs: 3),
            ]
            record.end = .timedOut(step: .tls, waitingFor: .tlsHandshake)
        }
    }

    static func stalledAtTLS(_ record: inout ProbeRecord) {
        record.timings = [.init(step: .tcp, startMs: 0, durationMs: 1), .init(step: .tls, startMs: 3)]
        record.end = .timedOut(step: .tls, waitingFor: .tlsHandshake)
    }

    @Test("an MTU try waits at least a share of the budget, not only a multiple of a fast walk's step")
    func mtuTriesWaitForABusyServer() {
        var run = Run(budgetMs: 5000)
        Self.blackHole(&run, stallAfterMs: 3000)
        let tries = run.launched.filter { if case .mtuTry? = run.purpose($0) { true } else { false } }
        #expect(tries.count == CheckCoordinator.maximumSimultaneousConnections)
        // The small walk's slowest step took 4 ms: four times that would call a try
        // that answers 20 ms late (three at once, a busy server) a dropped size.
        #expect(tries.allSatisfy { $0.connectTimeoutMs == 5000 * MTUSearch.tryBudgetShare }, "\(tries.map(\.connectTimeoutMs))")
    }

    /// A 5 s check whose default walk stalls `stallAfterMs` in, on a path
    /// that carries segments up to 1200 bytes: what the MTU search concludes.
    static func searched(stallAfterMs: Double) throws -> MTUSearchObservation {
        var run = Run(budgetMs: 5000)
        Self.blackHole(&run, stallAfterMs: stallAfterMs)
        run.endAll { purpose, record in
            if case .mtuTry(let mss) = purpose, mss > 1200 { return Self.stalledAtTLS(&record) }
            Self.healthy(&record)
        }
        return try #require(run.coordinator.mtuSearch)
    }

    @Test("a try that stalls on a wait the budget cut short is named, never counted as a dropped size")
    func mtuTryCutShortIsNotAStall() throws {
        // 4,860 ms in: 140 ms left, less than a try's share (250 ms).
        let search = try Self.searched(stallAfterMs: 4855)
        #expect(search.largestWorkingMSS == 1180)
        #expect(search.smallestFailingMSS == nil, "\(search.tries)")
        #expect(search.tries.allSatisfy { $0.worked }, "\(search.tries)")
        #expect(search.cutShortMSS == [1400, 1360, 1300, 1240])
        // With the whole wait, a stall is a stall.
        let told = try Self.searched(stallAfterMs: 3000)
        #expect(told.smallestFailingMSS == 1240)
        #expect(told.cutShortMSS == nil)
    }

    // MARK: - The credential gate

    static func request(insecure: Bool = false, logon: Bool = false) -> CredentialRequest {
        CredentialRequest(user: "alice", domain: "EXAMPLE", password: "Secret-1", logon: logon, insecure: insecure)
    }

    /// Runs the first wave against a healthy NLA server that shows `leaf`, answers the
    /// judgement if asked, and returns the run.
    static func gated(
        _ request: CredentialRequest, pin: [UInt8]? = nil, leaf: [UInt8] = leaf,
        judgement: CertificateJudgement? = nil
    ) -> Run {
        var run = Run(credentials: request, pin: pin)
        run.end(.smallSegments) { Self.healthy(&$0, leaf: leaf) }
        run.end(.defaultClient) { Self.healthy(&$0, leaf: leaf) }
        if let judgement {
            run.take(run.coordinator.certificateJudged(judgement, now: run.now))
        }
        return run
    }

    func credentialMachine(_ run: Run) -> RDPProbeMachine? {
        for launch in run.launched {
            if case .rdp(let machine) = launch.job, machine.record.purpose == .credentials { return machine }
        }
        return nil
    }

    @Test("trusted for the name: the account goes, pinned to the leaf that was judged")
    func trustedServerGetsTheAccountPinned() throws {
        let run = Self.gated(Self.request(), judgement: CertificateJudgement(trusted: true, nameMatches: true))
        #expect(run.judgements == [[Self.leaf]])
        #expect(run.coordinator.credentialCheck?.decision == .sent(.trusted))
        let machine = try #require(credentialMachine(run))
        #expect(machine.credentials?.pinnedLeafSHA256 == CertificateKey.sha256(ofDER: Self.leaf))
        #expect(machine.credentials?.sendCredentials == false)
    }

    @Test("untrusted: nothing derived from the password goes; the gate says why")
    func untrustedServerNeverGetsTheAccount() {
        let run = Self.gated(Self.request(logon: true), judgement: CertificateJudgement(trusted: true, nameMatches: false))
        #expect(run.coordinator.credentialCheck?.decision == .withheld(.untrusted))
        #expect(credentialMachine(run) == nil)
    }

    @Test("--insecure: the account goes to an untrusted server, with no pin")
    func insecureSendsUnpinned() throws {
        let run = Self.gated(Self.request(insecure: true), judgement: CertificateJudgement(trusted: false, nameMatches: false))
        #expect(run.coordinator.credentialCheck?.decision == .sent(.insecure))
        let machine = try #require(credentialMachine(run))
        #expect(machine.credentials?.pinnedLeafSHA256 == nil)
    }

    @Test("pinned and matching: no judgement needed, the account goes")
    func pinnedMatch() throws {
        let run = Self.gated(Self.request(logon: true), pin: CertificateKey.sha256(ofDER: Self.leaf))
        #expect(run.judgements.isEmpty)
        #expect(run.coordinator.credentialCheck?.decision == .sent(.pinned))
        let machine = try #require(credentialMachine(run))
        #expect(machine.credentials?.sendCredentials == true)
    }

    @Test("pinned and not matching: withheld, even with --insecure")
    func pinnedMismatch() {
        let run = Self.gated(Self.request(insecure: true), pin: CertificateKey.sha256(ofDER: Self.otherLeaf))
        guard case .withheld(.pinMismatch)? = run.coordinator.credentialCheck?.decision else {
            Issue.record("\(String(describing: run.coordinator.credentialCheck?.decision))")
            return
        }
        #expect(credentialMachine(run) == nil)
    }

    @Test("a server without NLA has no step to try the account in")
    func noNLA() {
        var run = Run(credentials: Self.request())
        run.end(.smallSegments) { Self.answered(.smallSegments, &$0) }
        run.end(.defaultClient) { Self.answered(.defaultClient, &$0) }
        #expect(run.coordinator.credentialCheck?.decision == .withheld(.serverWithoutNLA))
        #expect(run.judgements.isEmpty)
    }

    @Test(
        "the gate's rule, case by case",
        arguments: [
            (nil, false, CertificateJudgement(trusted: true, nameMatches: true), CredentialDecision.sent(.trusted)),
            (nil, false, CertificateJudgement(trusted: true, nameMatches: false), .withheld(.untrusted)),
            (nil, false, CertificateJudgement(trusted: false, nameMatches: true), .withheld(.untrusted)),
            (nil, true, CertificateJudgement(trusted: false, nameMatches: false), .sent(.insecure)),
            (leaf, false, nil, .sent(.pinned)),
            (leaf, true, CertificateJudgement(trusted: true, nameMatches: true), .sent(.pinned)),
        ] as [([UInt8]?, Bool, CertificateJudgement?, CredentialDecision)])
    func gateRule(pinLeaf: [UInt8]?, insecure: Bool, judgement: CertificateJudgement?, expected: CredentialDecision) {
        let seen = CertificateKey.sha256(ofDER: Self.leaf)
        let decision = CredentialGate.decide(
            pinnedLeafSHA256: pinLeaf.map(CertificateKey.sha256(ofDER:)),
            insecure: insecure, seenLeafSHA256: seen, judgement: judgement)
        #expect(decision == expected)
    }

    @Test("no certificate seen: nothing to trust")
    func gateWithoutCertificate() {
        #expect(
            CredentialGate.decide(pinnedLeafSHA256: nil, insecure: true, seenLeafSHA256: nil, judgement: nil)
                == .withheld(.noCertificate))
    }
}
