import NIOCore
import NIOPosix
import ProbeCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Runs a whole check: resolves the name, finds an address that answers,
/// then carries out what the sans-IO `CheckCoordinator` decides, all within
/// one deadline.
public struct CheckRunner: Sendable {
    public struct Options: Sendable {
        public var timeoutMs: Double
        public var tlsVersions: [TLSProtocolVersion]
        /// TCP handshakes in flight at once (see ConnectGate).
        public var connectSlots: Int
        /// Connections open at once (see CheckCoordinator.maximumSimultaneousConnections).
        public var maximumSimultaneous = CheckCoordinator.maximumSimultaneousConnections
        /// With --user: the account, and how far it may go.
        public var credentials: CredentialRequest?
        /// --cert-sha256.
        public var pinnedLeafSHA256: [UInt8]?
        /// Judges a chain for the credential gate (trust anchors and host name);
        /// without it, no certificate counts as trusted.
        public var judgeCertificate: (@Sendable ([[UInt8]]) async -> CertificateJudgement)?
        /// Run only the default client's walk.
        public var defaultClientOnly = false
        /// Segments of the loss and round-trip sample (0: no sample).
        public var pathSamples = 0
        /// Judges the addresses the target resolved to (or its literal) before any
        /// connection: nil admits them, a reason refuses them all, and the check
        /// ends there with the reason as the resolution's error (`serve`'s allow-list,
        /// checked on the very addresses the probes would use: no rebinding).
        public var admitAddresses: (@Sendable ([String]) -> String?)?
        /// --gateway: walk the RD Gateway in front of the target (and not the
        /// target directly). The gateway's certificate is judged by `judgeGatewayCertificate`.
        public var gateway: GatewayRequest?
        public var judgeGatewayCertificate: (@Sendable ([[UInt8]]) async -> CertificateJudgement)?
        /// At most this long for any one step (see CheckCoordinator.Settings.stepCapMs).
        public var stepCapMs: Double?
        /// See CheckCoordinator.Settings.serviceProbeAfterSilence.
        public var serviceProbeAfterSilence = true
        /// --capture: every connection's wire bytes and TLS keys go here (nil: nothing is recorded).
        public var recorder: TrafficRecorder?

        public init(
            timeoutMs: Double = 5000, tlsVersions: [TLSProtocolVersion] = TLSProtocolVersion.allCases,
            connectSlots: Int = 2
        ) {
            self.timeoutMs = timeoutMs
            self.tlsVersions = tlsVersions
            self.connectSlots = connectSlots
        }
    }

    let group: any EventLoopGroup

    public init(group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.group = group
    }

    public func run(_ target: Target, options: Options) async -> CheckObservations {
        let start = NIODeadline.now()
        // --hold extends the check's deadline by the time the gateway's channel is held.
        let holdMs = (options.gateway?.holdSeconds ?? 0) * 1000
        let deadline = start + .nanoseconds(Int64((options.timeoutMs + holdMs) * 1_000_000))
        var observations = CheckObservations(
            target: target, startedAtUnix: Date().timeIntervalSince1970, timeoutMs: options.timeoutMs)
        observations.expectedLeafSHA256 = options.pinnedLeafSHA256.map(HexBytes.init)
        observations.stepCapMs = options.stepCapMs

        // Through an RD Gateway: the gateway's steps to a channel to the target,
        // then the default client's walk inside it (and the account's). The
        // target itself is often not reachable from here, so it is not probed directly.
        if let gateway = options.gateway {
            let account = options.credentials.map {
                GatewayRunner.TargetAccount(
                    request: $0, pinnedLeafSHA256: options.pinnedLeafSHA256,
                    judge: options.judgeCertificate)
            }
            let walks = await GatewayRunner(group: group, recorder: options.recorder).run(
                gateway, target: target, deadline: deadline, judge: options.judgeGatewayCertificate, account: account)
            observations.gateway = walks.gateway
            observations.probes = walks.probes
            observations.credentialCheck = walks.credentialCheck
            observations.totalMs = Self.elapsedMs(since: start)
            return observations
        }

        // 1. Name resolution (skipped for an IP literal).
        let addresses: [SocketAddress]
        if target.hostIsAddress, let literal = try? SocketAddress(ipAddress: target.host, port: Int(target.port)) {
            addresses = [literal]
            observations.resolution = ResolutionObservation(
                addresses: [target.host], usedAddress: nil, durationMs: 0, error: nil, literal: true)
        } else {
            do {
                let resolved = try await NameResolver.resolve(
                    host: target.host, port: target.port,
                    timeoutMs: remainingMs(deadline) * DeadlinePolicy.firstShare)
                addresses = resolved.addresses
                observations.resolution = ResolutionObservation(
                    addresses: addresses.map(Self.text), usedAddress: nil, durationMs: resolved.durationMs,
                    error: nil, literal: false)
            } catch {
                observations.resolution = ResolutionObservation(
                    addresses: [], usedAddress: nil, durationMs: Self.elapsedMs(since: start),
                    error: error.description, literal: false)
                observations.totalMs = Self.elapsedMs(since: start)
                return observations
            }
        }

        if let admit = options.admitAddresses, let refusal = admit(addresses.map(Self.text)) {
            observations.resolution?.error = refusal
            observations.totalMs = Self.elapsedMs(since: start)
            return observations
        }

        // 2. With several addresses, which accept TCP; the first that does carries
        //    the probes. A single address needs no extra connection: the probes'
        //    own connects say whether it answers.
        let address: SocketAddress
        if addresses.count > 1 {
            var timeouts = DeadlinePolicy.firstWave(remainingMs: remainingMs(deadline))
            if let cap = options.stepCapMs { timeouts.connectMs = min(timeouts.connectMs, cap) }
            observations.reachability = await reachability(
                addresses, timeouts: timeouts, deadline: deadline,
                recorder: options.recorder)
            guard let usedIndex = observations.reachability.firstIndex(where: { $0.failure == nil }) else {
                observations.totalMs = Self.elapsedMs(since: start)
                return observations
            }
            address = addresses[usedIndex]
        } else {
            address = addresses[0]
        }
        observations.resolution?.usedAddress = Self.text(address)

        // 3. The UDP probe beside the TCP probes, which the coordinator schedules.
        let udpTask: Task<UDPObservation?, Never>? =
            options.defaultClientOnly
            ? nil
            : Task { [group] in
                await UDPProbeDriver(group: group, recorder: options.recorder).probe(address, port: target.port, hardDeadline: deadline)
            }
        var settings = CheckCoordinator.Settings(
            plan: CheckPlan(target: target, tlsVersions: options.tlsVersions), budgetMs: remainingMs(deadline),
            quick: options.defaultClientOnly, credentials: options.credentials,
            pinnedLeafSHA256: options.pinnedLeafSHA256, pathSamples: options.pathSamples,
            maximumSimultaneous: options.maximumSimultaneous, connectionID: "{\(UUID().uuidString)}",
            ipv6: address.protocol == .inet6)
        settings.stepCapMs = options.stepCapMs
        settings.serviceProbeAfterSilence = options.serviceProbeAfterSilence
        let coordinator = await drive(
            CheckCoordinator(settings, now: Self.now), to: address, deadline: deadline,
            connectSlots: options.connectSlots, judge: options.judgeCertificate,
            recorder: options.recorder)
        observations.probes = coordinator.probes
        observations.mtuSearch = coordinator.mtuSearch
        observations.pathSample = coordinator.pathSample
        observations.service = coordinator.service
        observations.credentialCheck = coordinator.credentialCheck
        observations.probing = coordinator.probing
        observations.udp = await udpTask?.value
        if addresses.count == 1, let probe = observations.defaultClient {
            observations.reachability = [Self.reachability(of: probe, address: Self.text(address))]
        }
        observations.totalMs = Self.elapsedMs(since: start)
        return observations
    }

    private enum Happening: Sendable {
        case ended(Int, CheckCoordinator.Outcome)
        case judged(CertificateJudgement)
    }

    /// Carries out the coordinator's actions until it has nothing more to run.
    private func drive(
        _ coordinator: CheckCoordinator, to address: SocketAddress, deadline: NIODeadline,
        connectSlots: Int, judge: (@Sendable ([[UInt8]]) async -> CertificateJudgement)?,
        recorder: TrafficRecorder?
    ) async -> CheckCoordinator {
        var coordinator = coordinator
        let driver = ConnectionDriver(group: group, recorder: recorder)
        let gate = ConnectGate(slots: connectSlots)
        let addressText = Self.text(address)
        await withTaskGroup(of: Happening.self) { tasks in
            var actions = coordinator.start(now: Self.now)
            while !coordinator.isFinished {
                for action in actions {
                    switch action {
                    case .launch(let launch):
                        tasks.addTask {
                            let outcome = await Self.run(
                                launch, driver: driver, to: address, addressText: addressText,
                                deadline: deadline, gate: gate)
                            return .ended(launch.id, outcome)
                        }
                    case .judgeCertificate(let chain):
                        tasks.addTask {
                            .judged(await judge?(chain) ?? CertificateJudgement(trusted: false, nameMatches: false))
                        }
                    case .finished:
                        break
                    }
                }
                guard !coordinator.isFinished, let happening = await tasks.next() else { break }
                switch happening {
                case let .ended(id, outcome): actions = coordinator.ended(id, outcome, now: Self.now)
                case .judged(let judgement): actions = coordinator.certificateJudged(judgement, now: Self.now)
                }
            }
        }
        return coordinator
    }

    private static func run(
        _ launch: CheckCoordinator.Launch, driver: ConnectionDriver, to address: SocketAddress,
        addressText: String, deadline: NIODeadline, gate: ConnectGate
    ) async -> CheckCoordinator.Outcome {
        let connectTimeout = TimeAmount.nanoseconds(Int64(max(1, launch.connectTimeoutMs) * 1_000_000))
        switch launch.job {
        case .rdp(var machine):
            machine.setAddress(addressText)
            let ended = await driver.run(
                machine, to: address, connectTimeout: connectTimeout, hardDeadline: deadline,
                gate: gate, maximumSegmentSize: launch.maximumSegmentSize)
            return .rdp(ended.record)
        case .service(let machine):
            let ended = await driver.run(
                machine, to: address, connectTimeout: connectTimeout, hardDeadline: deadline,
                gate: gate)
            return .service(ended.observation)
        case .pathSample(let machine):
            let ended = await driver.run(
                machine, to: address, connectTimeout: connectTimeout, hardDeadline: deadline,
                gate: gate)
            return .pathSample(ended.observation)
        }
    }

    static var now: UInt64 { NIODeadline.now().uptimeNanoseconds }

    /// What the default client's own connect says about the address.
    static func reachability(of probe: ProbeRecord, address: String) -> ReachabilityObservation {
        switch probe.end {
        case .refused: ReachabilityObservation(address: address, connectMs: nil, failure: .refused)
        case .unreachable(let reason): ReachabilityObservation(address: address, connectMs: nil, failure: .unreachable(reason))
        case .timedOut(.tcp, _): ReachabilityObservation(address: address, connectMs: nil, failure: .timedOut)
        default: ReachabilityObservation(address: address, connectMs: probe.duration(of: .tcp), failure: nil)
        }
    }

    private func reachability(
        _ addresses: [SocketAddress], timeouts: StepTimeouts, deadline: NIODeadline,
        recorder: TrafficRecorder?
    ) async -> [ReachabilityObservation] {
        let driver = ConnectionDriver(group: group, recorder: recorder)
        return await withTaskGroup(of: (Int, ReachabilityObservation).self) { tasks in
            for (index, address) in addresses.enumerated() {
                tasks.addTask {
                    let ended = await driver.run(
                        ConnectOnlyMachine(), to: address,
                        connectTimeout: .milliseconds(Int64(timeouts.connectMs)),
                        hardDeadline: deadline)
                    return (
                        index,
                        ReachabilityObservation(
                            address: Self.text(address), connectMs: ended.connectMs,
                            failure: ended.failure)
                    )
                }
            }
            var results: [(Int, ReachabilityObservation)] = []
            for await result in tasks { results.append(result) }
            return results.sorted { $0.0 < $1.0 }.map(\.1)
        }
    }

    func remainingMs(_ deadline: NIODeadline) -> Double {
        max(1, Double((deadline - NIODeadline.now()).nanoseconds) / 1_000_000)
    }

    static func elapsedMs(since start: NIODeadline) -> Double {
        Double((NIODeadline.now() - start).nanoseconds) / 1_000_000
    }

    static func text(_ address: SocketAddress) -> String {
        address.ipAddress ?? "\(address)"
    }
}
