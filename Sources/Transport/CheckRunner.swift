#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import NIOCore
import NIOPosix
import ProbeCore

/// Runs a whole check: resolves the name, finds an address that answers,
/// then runs every probe of the plan at once, all within one deadline.
public struct CheckRunner: Sendable {
    public struct Options: Sendable {
        public var timeoutMs: Double
        public var tlsVersions: [TLSProtocolVersion]
        /// TCP handshakes in flight at once (see ConnectGate).
        public var connectSlots: Int
        /// With --user: the account to authenticate (the default-client probe only).
        public var credentials: CredentialSettings?
        /// Run only the default client's walk.
        public var defaultClientOnly = false
        /// Segments of the loss and round-trip sample (0: no sample).
        public var pathSamples = 0

        public init(timeoutMs: Double = 5000, tlsVersions: [TLSProtocolVersion] = TLSProtocolVersion.allCases,
                    connectSlots: Int = 2) {
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
        let deadline = start + .nanoseconds(Int64(options.timeoutMs * 1_000_000))
        var observations = CheckObservations(
            target: target, startedAtUnix: Date().timeIntervalSince1970, timeoutMs: options.timeoutMs)

        // 1. Name resolution (skipped for an IP literal).
        let addresses: [SocketAddress]
        if target.hostIsAddress, let literal = try? SocketAddress(ipAddress: target.host, port: Int(target.port)) {
            addresses = [literal]
            observations.resolution = ResolutionObservation(
                addresses: [target.host], usedAddress: nil, durationMs: 0, error: nil, literal: true)
        } else {
            do {
                let resolved = try await NameResolver.resolve(host: target.host, port: target.port,
                                                              timeoutMs: min(3000, remainingMs(deadline)))
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

        // 2. With several addresses, which accept TCP; the first that does carries
        //    the probes. A single address needs no extra connection: the probes'
        //    own connects say whether it answers.
        let address: SocketAddress
        if addresses.count > 1 {
            let timeouts = StepTimeouts(connectMs: min(3000, remainingMs(deadline)), stepMs: min(3000, remainingMs(deadline)))
            observations.reachability = await reachability(addresses, timeouts: timeouts, deadline: deadline)
            guard let usedIndex = observations.reachability.firstIndex(where: { $0.failure == nil }) else {
                observations.totalMs = Self.elapsedMs(since: start)
                return observations
            }
            address = addresses[usedIndex]
        } else {
            address = addresses[0]
        }
        observations.resolution?.usedAddress = Self.text(address)

        // 3. Every probe at once (and the UDP probe and path sample beside them).
        let udpTask: Task<UDPObservation?, Never>? = options.defaultClientOnly ? nil : Task { [group] in
            await UDPProbeDriver(group: group).probe(address, port: target.port, hardDeadline: deadline)
        }
        let sampleTask: Task<PathSampleObservation?, Never>? = options.pathSamples > 0 ? Task { [group] in
            let driver = ConnectionDriver(group: group)
            let ended = await driver.run(PathSampleMachine(segments: options.pathSamples), to: address,
                                         connectTimeout: .milliseconds(3000), hardDeadline: deadline)
            return ended.observation
        } : nil
        let plan = CheckPlan(target: target, tlsVersions: options.tlsVersions, credentials: options.credentials,
                             defaultClientOnly: options.defaultClientOnly)
        let stepTimeouts = StepTimeouts(connectMs: min(3000, remainingMs(deadline)), stepMs: min(3000, remainingMs(deadline)))
        let driver = ConnectionDriver(group: group)
        let gate = ConnectGate(slots: options.connectSlots)
        observations.probes = await withTaskGroup(of: (Int, ProbeRecord).self) { tasks in
            for (index, machine) in plan.machines(timeouts: stepTimeouts).enumerated() {
                var machine = machine
                machine.setAddress(Self.text(address))
                tasks.addTask {
                    let ended = await driver.run(machine, to: address,
                                                 connectTimeout: .milliseconds(Int64(stepTimeouts.connectMs)),
                                                 hardDeadline: deadline, gate: gate,
                                                 maximumSegmentSize: machine.record.forcedMSS)
                    return (index, ended.record)
                }
            }
            var records: [(Int, ProbeRecord)] = []
            for await record in tasks { records.append(record) }
            return records.sorted { $0.0 < $1.0 }.map(\.1)
        }
        observations.pathSample = await sampleTask?.value
        observations.udp = await udpTask?.value

        // 4. A stall that small segments get past: find the largest size that works.
        if let stalled = MTUSearch.stalledStep(observations) {
            let small = observations.probes.first { $0.purpose == .smallSegments }
            // A try that works takes about as long as the small-segment walk; one that
            // stalls is cut off well before the check's deadline.
            let budget = min(remainingMs(deadline), max(300, 3 * (small?.totalMs ?? 300)))
            let tryTimeouts = StepTimeouts(connectMs: budget, stepMs: budget)
            let tries = await withTaskGroup(of: MTUTry.self) { tasks in
                for mss in MTUSearch.candidates {
                    tasks.addTask {
                        let machine = plan.mtuTry(mss, timeouts: tryTimeouts)
                        let ended = await driver.run(machine, to: address, connectTimeout: .milliseconds(Int64(budget)),
                                                     hardDeadline: deadline, gate: gate, maximumSegmentSize: mss)
                        return MTUTry(mss: mss, worked: MTUSearch.got(ended.record, pastStep: stalled), ms: ended.record.totalMs)
                    }
                }
                var tries: [MTUTry] = []
                for await result in tasks { tries.append(result) }
                return tries
            }
            let ipv6 = address.protocol == .inet6
            observations.mtuSearch = MTUSearch.conclude(stalledAt: stalled, tries: tries, ipv6: ipv6)
        }
        if addresses.count == 1, let probe = observations.defaultClient {
            observations.reachability = [Self.reachability(of: probe, address: Self.text(address))]
        }
        observations.totalMs = Self.elapsedMs(since: start)
        return observations
    }

    /// What the default client's own connect says about the address.
    static func reachability(of probe: ProbeRecord, address: String) -> ReachabilityObservation {
        switch probe.end {
        case .refused: ReachabilityObservation(address: address, connectMs: nil, failure: .refused)
        case .unreachable(let reason): ReachabilityObservation(address: address, connectMs: nil, failure: .unreachable(reason))
        case .timedOut(.tcp, _): ReachabilityObservation(address: address, connectMs: nil, failure: .timedOut)
        default: ReachabilityObservation(address: address, connectMs: probe.duration(of: .tcp), failure: nil)
        }
    }

    private func reachability(_ addresses: [SocketAddress], timeouts: StepTimeouts,
                              deadline: NIODeadline) async -> [ReachabilityObservation] {
        let driver = ConnectionDriver(group: group)
        return await withTaskGroup(of: (Int, ReachabilityObservation).self) { tasks in
            for (index, address) in addresses.enumerated() {
                tasks.addTask {
                    let ended = await driver.run(ConnectOnlyMachine(), to: address,
                                                 connectTimeout: .milliseconds(Int64(timeouts.connectMs)),
                                                 hardDeadline: deadline)
                    return (index, ReachabilityObservation(address: Self.text(address), connectMs: ended.connectMs,
                                                           failure: ended.failure))
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
