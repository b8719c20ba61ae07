import CertificateAudit
import RDPProtocol

/// A whole check as a sans-IO state machine. It plans the probe connections,
/// decides when each may run (politely: a few at a time, the default client's
/// walk first), gives each its step deadlines from the budget and the path,
/// decides the MTU search and whether the account may be tried, and collects
/// what came back. The transport carries out its actions and reports each
/// probe's end; nothing here touches a socket or reads a clock.
public struct CheckCoordinator: Sendable {
    /// At most this many connections to the host at once. Real servers
    /// (weston's RDP backend, single-threaded proxies) drop or delay
    /// connections when a dozen arrive together, and a diagnostic tool must
    /// never cause the failure it diagnoses.
    public static let maximumSimultaneousConnections = 3

    public struct Settings: Sendable {
        public var plan: CheckPlan
        /// What is left of the check's budget when the coordinator starts.
        public var budgetMs: Double
        /// Only the default client's walk (and, if it fails at X.224, the service probe).
        public var quick: Bool
        public var credentials: CredentialRequest?
        /// --cert-sha256: the leaf the user expects.
        public var pinnedLeafSHA256: [UInt8]?
        /// Segments of the loss and round-trip sample (0: none).
        public var pathSamples: Int
        public var maximumSimultaneous: Int
        /// The RDG-Connection-Id the service probe sends (a GUID in braces).
        public var connectionID: String
        /// The address the probes use is IPv6 (for the MTU estimate).
        public var ipv6: Bool
        /// At most this long for any one step (the connect, each answer); nil:
        /// the deadline policy's share of the budget. `scan` waits briefly on
        /// silent targets and reports them as "no answer within" this.
        public var stepCapMs: Double?
        /// After a silent X.224 exchange, ask what the port is with the service
        /// probe (one more connection, one more wait). `scan` skips it.
        public var serviceProbeAfterSilence = true

        public init(
            plan: CheckPlan, budgetMs: Double, quick: Bool = false, credentials: CredentialRequest? = nil,
            pinnedLeafSHA256: [UInt8]? = nil, pathSamples: Int = 0,
            maximumSimultaneous: Int = CheckCoordinator.maximumSimultaneousConnections,
            connectionID: String = "{00000000-0000-0000-0000-000000000000}", ipv6: Bool = false
        ) {
            self.plan = plan
            self.budgetMs = budgetMs
            self.quick = quick
            self.credentials = credentials
            self.pinnedLeafSHA256 = pinnedLeafSHA256
            self.pathSamples = pathSamples
            self.maximumSimultaneous = max(1, maximumSimultaneous)
            self.connectionID = connectionID
            self.ipv6 = ipv6
        }
    }

    /// One connection to run, and the machine that drives it.
    public enum Job: Sendable {
        case rdp(RDPProbeMachine)
        case service(ServiceProbeMachine)
        case pathSample(PathSampleMachine)
    }

    /// How a connection ended, as its machine left it.
    public enum Outcome: Sendable {
        case rdp(ProbeRecord)
        case service(ServiceObservation)
        case pathSample(PathSampleObservation?)
    }

    public struct Launch: Sendable {
        public let id: Int
        public let job: Job
        public let connectTimeoutMs: Double

        /// The TCP segment size the job forces (MTU search), if any.
        public var maximumSegmentSize: Int? {
            if case .rdp(let machine) = job { return machine.record.forcedMSS }
            return nil
        }
    }

    public enum Action: Sendable {
        case launch(Launch)
        /// Judge this chain (trust anchors, host name) and answer with `certificateJudged`.
        case judgeCertificate(chain: [[UInt8]])
        /// Nothing more will run: read the results.
        case finished
    }

    private enum Kind: Sendable, Equatable {
        case rdp(ProbePurpose, retry: Bool)
        case service
        case pathSample
    }

    private struct Flight: Sendable {
        let kind: Kind
        let firstWave: Bool
        /// Another connection was open at some moment of this one.
        var overlapped: Bool
        /// The check's budget gave this connection less wait than the path
        /// called for: a stall then says nothing about the path.
        var cutShort = false
    }

    // What came back.
    public private(set) var probes: [ProbeRecord] = []
    // Boxed: the coordinator lives in an async frame for the whole check (see Boxed).
    @Boxed public private(set) var mtuSearch: MTUSearchObservation? = nil
    @Boxed public private(set) var pathSample: PathSampleObservation? = nil
    @Boxed public private(set) var service: ServiceObservation? = nil
    @Boxed public private(set) var credentialCheck: CredentialCheckObservation? = nil
    @Boxed public private(set) var probing: ProbingObservation

    let settings: Settings
    private let startedAt: UInt64
    private let deadline: UInt64
    private var queue: [Kind] = []
    private var inFlight: [Int: Flight] = [:]
    private var nextID = 0
    private var firstWaveLeft = 0
    private var awaitingJudgement = false
    private var done = false
    private var limit: Int
    /// Records of probes that failed while others were open, kept until their retry alone.
    private var suspects: [ProbePurpose: ProbeRecord] = [:]
    private var stalledStep: Step?
    /// The survey waits for the service probe's answer (the port closed on X.224).
    private var surveyAfterService = false
    private var mtuTries: [MTUTry] = []
    /// MTU tries that stalled on a wait the budget had cut short: no verdict.
    private var mtuTriesCutShort: [Int] = []

    public init(_ settings: Settings, now: UInt64) {
        self.settings = settings
        startedAt = now
        deadline = now + UInt64(max(0, settings.budgetMs) * 1_000_000)
        limit = settings.maximumSimultaneous
        probing = ProbingObservation(limit: settings.maximumSimultaneous)
    }

    public var isFinished: Bool { done }

    /// The first wave: the default client's walk, and beside it the same walk
    /// with small segments (same request, so a server that drops concurrent
    /// failing negotiations has nothing to drop).
    public mutating func start(now: UInt64) -> [Action] {
        queue = [.rdp(.defaultClient, retry: false)]
        if !settings.quick { queue.append(.rdp(.smallSegments, retry: false)) }
        firstWaveLeft = queue.count
        return pump(now: now, firstWave: true)
    }

    /// A connection ended.
    public mutating func ended(_ id: Int, _ outcome: Outcome, now: UInt64) -> [Action] {
        guard let flight = inFlight.removeValue(forKey: id) else { return [] }
        switch outcome {
        case .rdp(let record): take(record, flight: flight)
        case .service(let observation):
            service = observation
            if surveyAfterService, observation.tls == nil {
                queue += settings.plan.surveyPurposes.map { .rdp($0, retry: false) }
            }
            surveyAfterService = false
        case .pathSample(let observation): pathSample = observation
        }
        var actions: [Action] = []
        if flight.firstWave {
            firstWaveLeft -= 1
            if firstWaveLeft == 0 { actions += afterFirstWave(now: now) }
        }
        return actions + pump(now: now, firstWave: firstWaveLeft > 0)
    }

    /// The answer to `.judgeCertificate`.
    public mutating func certificateJudged(_ judgement: CertificateJudgement, now: UInt64) -> [Action] {
        guard awaitingJudgement, let request = settings.credentials else { return [] }
        awaitingJudgement = false
        let seen = record(.defaultClient)?.tls?.peerChain.first.map(CertificateKey.sha256(ofDER:))
        decideCredentials(request, seen: seen, judgement: judgement)
        return pump(now: now, firstWave: false)
    }

    // MARK: - Planning

    private mutating func afterFirstWave(now: UInt64) -> [Action] {
        guard let main = record(.defaultClient) else { return [] }
        let small = record(.smallSegments)
        // The default walk failed where the same walk beside it got through: the
        // server may drop concurrent connections. Repeat it alone before judging.
        // (Silence does not count here: a stall that small segments get past is
        // the MTU black hole signature, searched below.)
        if let small, !probing.droppedWhileConcurrent.contains(.defaultClient),
            droppedByServer(main, comparedWith: small, silenceCounts: false)
        {
            suspects[.defaultClient] = main
            probes.removeAll { $0.purpose == .defaultClient }
            probing.droppedWhileConcurrent.append(.defaultClient)
            goSequential()
            queue.insert(.rdp(.defaultClient, retry: true), at: 0)
            firstWaveLeft = 1
            return []
        }
        var actions: [Action] = []
        if let small, let stalled = MTUSearch.stalledStep(defaultClient: main, small: small) {
            stalledStep = stalled
            queue += MTUSearch.candidates.map { .rdp(.mtuTry($0), retry: false) }
        }
        if let request = settings.credentials {
            actions += planCredentials(request, main: main)
        }
        let answeredX224 = main.negotiation != nil
        var closedAtX224 = false
        if case .peerClosed(_, .x224, _) = main.end { closedAtX224 = true }
        if main.negotiation == nil, main.end.step == .x224,
            main.foreignService == nil || main.foreignService == .tls,
            settings.serviceProbeAfterSilence || !Self.silent(main)
        {
            queue.append(.service)
        }
        if settings.pathSamples > 0, main.duration(of: .tcp) != nil { queue.append(.pathSample) }
        if !settings.quick, answeredX224 {
            queue += settings.plan.surveyPurposes.map { .rdp($0, retry: false) }
        } else if !settings.quick, closedAtX224 {
            // A listener that closes on the default request may take another one;
            // a TLS service would only reset them all: ask the service probe first.
            surveyAfterService = true
        }
        return actions
    }

    private mutating func planCredentials(_ request: CredentialRequest, main: ProbeRecord) -> [Action] {
        let nla = main.negotiation?.selectedProtocol ?? .rdp
        guard !nla.isDisjoint(with: [.hybrid, .hybridEx]) else {
            let reason: CredentialDecision.Reason = main.negotiation == nil ? .noCertificate : .serverWithoutNLA
            credentialCheck = CredentialCheckObservation(
                account: request.account, logonRequested: request.logon,
                decision: .withheld(reason))
            return []
        }
        guard let chain = main.tls?.peerChain, let leaf = chain.first else {
            credentialCheck = CredentialCheckObservation(
                account: request.account, logonRequested: request.logon,
                decision: .withheld(.noCertificate))
            return []
        }
        if settings.pinnedLeafSHA256 != nil {
            decideCredentials(request, seen: CertificateKey.sha256(ofDER: leaf), judgement: nil)
            return []
        }
        awaitingJudgement = true
        return [.judgeCertificate(chain: chain)]
    }

    private mutating func decideCredentials(_ request: CredentialRequest, seen: [UInt8]?, judgement: CertificateJudgement?) {
        let decision = CredentialGate.decide(
            pinnedLeafSHA256: settings.pinnedLeafSHA256, insecure: request.insecure,
            seenLeafSHA256: seen, judgement: judgement)
        credentialCheck = CredentialCheckObservation(
            account: request.account, logonRequested: request.logon,
            decision: decision)
        // The account's connection goes first: it is what the user asked about.
        if case .sent = decision { queue.insert(.rdp(.credentials, retry: false), at: 0) }
    }

    // MARK: - Running

    private mutating func pump(now: UInt64, firstWave: Bool) -> [Action] {
        var actions: [Action] = []
        // The account's connection waits for the judgement (a local audit, quick)
        // and must not then wait behind the survey for a free slot.
        while inFlight.count < limit, !queue.isEmpty, !awaitingJudgement {
            let kind = queue.removeFirst()
            let remaining = remainingMs(now)
            guard remaining >= minimumToStartMs else {
                notStarted(kind)
                continue
            }
            let overlapped = !inFlight.isEmpty
            for id in inFlight.keys { inFlight[id]?.overlapped = true }
            let id = nextID
            nextID += 1
            var flight = Flight(kind: kind, firstWave: firstWave, overlapped: overlapped)
            if case .rdp(.mtuTry, _) = kind { flight.cutShort = mtuTryWaitMs(remainingMs: remaining).cutShort }
            inFlight[id] = flight
            probing.connections += 1
            probing.highestSimultaneous = max(probing.highestSimultaneous, inFlight.count)
            let (job, connectMs) = build(kind, firstWave: firstWave, remainingMs: remaining)
            actions.append(.launch(Launch(id: id, job: job, connectTimeoutMs: connectMs)))
        }
        if queue.isEmpty, inFlight.isEmpty, !awaitingJudgement, !done {
            conclude()
            actions.append(.finished)
        }
        return actions
    }

    private func build(_ kind: Kind, firstWave: Bool, remainingMs: Double) -> (Job, Double) {
        let timeouts = stepTimeouts(for: kind, firstWave: firstWave, remainingMs: remainingMs)
        switch kind {
        case .rdp(.credentials, _):
            let seen = record(.defaultClient)?.tls?.peerChain.first.map(CertificateKey.sha256(ofDER:)) ?? []
            let pin = credentialCheck.map { CredentialGate.pin(for: $0.decision, seen: seen) } ?? seen
            let machine = settings.plan.machine(
                .credentials, timeouts: timeouts,
                credentials: settings.credentials?.settings(pinnedLeafSHA256: pin))
            return (.rdp(machine), timeouts.connectMs)
        case .rdp(let purpose, _):
            // The server refused the default request for want of standard RDP
            // security: its probe replays mstsc's retry and walks on.
            let retry =
                purpose == .negotiation(.rdp)
                && record(.defaultClient)?.negotiation == .failure(code: .sslNotAllowedByServer)
            return (.rdp(settings.plan.machine(purpose, timeouts: timeouts, walkStandardSecurity: retry)), timeouts.connectMs)
        case .service:
            let machine = ServiceProbeMachine(
                host: settings.plan.target.host,
                tls: TLSParameters(serverName: settings.plan.serverName),
                timeouts: timeouts, connectionID: settings.connectionID)
            return (.service(machine), timeouts.connectMs)
        case .pathSample:
            return (.pathSample(PathSampleMachine(segments: settings.pathSamples)), timeouts.connectMs)
        }
    }

    /// A probe that got nothing at all back before its deadline.
    static func silent(_ record: ProbeRecord) -> Bool {
        guard case .timedOut = record.end else { return false }
        return record.timings.allSatisfy { $0.bytesReceived == 0 }
    }

    /// The deadlines of one connection, within the step cap when there is one.
    private func stepTimeouts(for kind: Kind, firstWave: Bool, remainingMs: Double) -> StepTimeouts {
        let timeouts = uncappedStepTimeouts(for: kind, firstWave: firstWave, remainingMs: remainingMs)
        guard let cap = settings.stepCapMs else { return timeouts }
        return StepTimeouts(connectMs: min(timeouts.connectMs, cap), stepMs: min(timeouts.stepMs, cap))
    }

    /// The first wave knows nothing of the path; later connections follow
    /// from what the default walk measured.
    private func uncappedStepTimeouts(for kind: Kind, firstWave: Bool, remainingMs: Double) -> StepTimeouts {
        if firstWave { return DeadlinePolicy.firstWave(remainingMs: remainingMs) }
        // The account's walk (and a logon) gets all that is left: it is what was asked.
        if case .rdp(.credentials, _) = kind { return StepTimeouts(connectMs: remainingMs, stepMs: remainingMs) }
        let main = record(.defaultClient)
        if case .rdp(.mtuTry, _) = kind {
            let ms = mtuTryWaitMs(remainingMs: remainingMs).ms
            return StepTimeouts(connectMs: ms, stepMs: ms)
        }
        return DeadlinePolicy.following(
            budgetMs: settings.budgetMs, remainingMs: remainingMs,
            roundTripMs: roundTripMs, slowestStepMs: main.map(slowestStepMs) ?? 0)
    }

    /// An MTU try's wait for each step. A try that works takes about as long as
    /// the small-segment walk's slowest step, but tries run several at a time
    /// on a server that may be busy: a try that merely answered late must not
    /// count as a dropped size, so each gets at least a share of the budget.
    /// `cutShort`: what is left of the budget is less than that.
    private func mtuTryWaitMs(remainingMs: Double) -> (ms: Double, cutShort: Bool) {
        let small = record(.smallSegments).map(slowestStepMs) ?? 0
        let wanted = max(
            small * DeadlinePolicy.slowestStepFactor, roundTripMs * DeadlinePolicy.roundTrips,
            settings.budgetMs * MTUSearch.tryBudgetShare, 1)
        return (min(remainingMs, wanted), remainingMs < wanted)
    }

    private mutating func take(_ record: ProbeRecord, flight: Flight) {
        let purpose = record.purpose
        switch purpose {
        case .credentials:
            credentialCheck?.probe = record
            return
        case .mtuTry(let mss):
            if let stalledStep {
                let worked = MTUSearch.got(record, pastStep: stalledStep)
                if worked || !flight.cutShort {
                    mtuTries.append(MTUTry(mss: mss, worked: worked, ms: record.totalMs))
                } else {
                    mtuTriesCutShort.append(mss)
                }
            }
            return
        default:
            break
        }
        if case .rdp(_, retry: true) = flight.kind {
            if let original = suspects.removeValue(forKey: purpose), Self.gotFurther(record, than: original) {
                probing.answeredAlone.append(purpose)
            }
            probes.append(record)
            return
        }
        if !flight.firstWave, flight.overlapped, let main = self.record(.defaultClient) {
            if droppedByServer(record, comparedWith: main, silenceCounts: true) {
                // Failed where the default walk, alone, got through: repeat it alone.
                suspects[purpose] = record
                probing.droppedWhileConcurrent.append(purpose)
                goSequential()
                queue.append(.rdp(purpose, retry: true))
                return
            }
            noteSlowdown(record, main: main)
        }
        probes.append(record)
    }

    /// True when `record` ended by a close (or, if `silenceCounts`, by
    /// silence) at a step `reference` got past.
    private func droppedByServer(_ record: ProbeRecord, comparedWith reference: ProbeRecord, silenceCounts: Bool) -> Bool {
        let step: Step
        switch record.end {
        case .peerClosed(_, let at, _): step = at
        case .timedOut(let at, _) where silenceCounts: step = at
        default: return false
        }
        guard step >= .x224 else { return false }
        if step == .x224 { return reference.negotiation != nil }
        // A request for another protocol legitimately ends where the default
        // walk went on; only walks that asked the same compare further.
        return record.requestedProtocols == reference.requestedProtocols && MTUSearch.got(reference, pastStep: step)
    }

    /// True when a repeat got an answer, or got further, than the first try.
    static func gotFurther(_ retry: ProbeRecord, than first: ProbeRecord) -> Bool {
        if retry.negotiation != nil, first.negotiation == nil { return true }
        let furthest = { (record: ProbeRecord) in record.timings.filter { $0.durationMs != nil }.map(\.step).max() }
        guard let reached = furthest(retry) else { return false }
        guard let before = furthest(first) else { return true }
        return reached > before || (retry.end == .completed && first.end != .completed)
    }

    /// A server that answers far later with several connections open is
    /// queueing them: go on one at a time.
    private mutating func noteSlowdown(_ record: ProbeRecord, main: ProbeRecord) {
        guard let answer = record.duration(of: .x224), let alone = main.duration(of: .x224) else { return }
        let threshold = max(alone * DeadlinePolicy.slowestStepFactor, alone + roundTripMs * DeadlinePolicy.roundTrips)
        guard answer > threshold, answer > settings.budgetMs * 0.05 else { return }
        probing.slowestConcurrentAnswerMs = max(probing.slowestConcurrentAnswerMs ?? 0, answer)
        probing.defaultAnswerMs = alone
        goSequential()
    }

    private mutating func goSequential() {
        limit = 1
        probing.wentSequential = true
    }

    private mutating func notStarted(_ kind: Kind) {
        guard case .rdp(let purpose, let retry) = kind else { return }
        probing.notStarted.append(purpose)
        if retry, let original = suspects.removeValue(forKey: purpose) {
            probes.append(original)
            return
        }
        var record = ProbeRecord(purpose: purpose, requestedProtocols: .rdp)
        record.end = .notStarted
        if purpose == .credentials {
            credentialCheck?.decision = .withheld(.noTime)
        } else if case .mtuTry = purpose {
            return
        } else {
            probes.append(record)
        }
    }

    private mutating func conclude() {
        done = true
        for (_, record) in suspects { probes.append(record) }
        suspects = [:]
        probes.sort { Self.rank($0.purpose) < Self.rank($1.purpose) }
        if let stalledStep {
            mtuSearch = MTUSearch.conclude(
                stalledAt: stalledStep, tries: mtuTries, cutShort: mtuTriesCutShort, ipv6: settings.ipv6)
        }
    }

    // MARK: - Reading what came back

    private func record(_ purpose: ProbePurpose) -> ProbeRecord? {
        probes.first { $0.purpose == purpose }
    }

    /// The path's round trip: the kernel's minimum RTT, else the TCP connect time.
    private var roundTripMs: Double {
        guard let main = record(.defaultClient) else { return 0 }
        if let rtt = main.tcp?.minRTTMs, rtt > 0 { return rtt }
        return main.duration(of: .tcp) ?? 0
    }

    private func slowestStepMs(_ record: ProbeRecord) -> Double {
        record.timings.compactMap(\.durationMs).max() ?? 0
    }

    private func remainingMs(_ now: UInt64) -> Double {
        now >= deadline ? 0 : Double(deadline - now) / 1_000_000
    }

    /// Not worth opening a connection with less time than this left.
    private var minimumToStartMs: Double {
        max(roundTripMs * 4, settings.budgetMs * 0.01, 1)
    }

    static func rank(_ purpose: ProbePurpose) -> Int {
        switch purpose {
        case .defaultClient: 0
        case .credentials: 1
        case .smallSegments: 2
        case .negotiation(let raw):
            10 + (CheckPlan.negotiationRequests.firstIndex(of: raw) ?? 9)
        case .tlsVersion(let version): 30 + (TLSProtocolVersion.allCases.firstIndex(of: version) ?? 9)
        case .mtuTry(let mss): 100 + max(0, 10_000 - mss)
        }
    }
}

/// How the check spread its connections, and how the server coped with them.
public struct ProbingObservation: Codable, Sendable, Equatable {
    /// The most connections rdpdoctor allowed itself at once.
    public var limit: Int
    /// The most that were open at once.
    public var highestSimultaneous = 0
    /// Connections opened in all.
    public var connections = 0
    /// The check went on one connection at a time.
    public var wentSequential = false
    /// Probes that failed while other connections were open…
    public var droppedWhileConcurrent: [ProbePurpose] = []
    /// …and the ones among them that got an answer when repeated alone.
    public var answeredAlone: [ProbePurpose] = []
    /// The server answered X.224 this late with several connections open…
    public var slowestConcurrentAnswerMs: Double?
    /// …where the default walk, alone, got its answer in this time.
    public var defaultAnswerMs: Double?
    /// Probes the deadline left no time for.
    public var notStarted: [ProbePurpose] = []

    public init(limit: Int) {
        self.limit = limit
    }
}
