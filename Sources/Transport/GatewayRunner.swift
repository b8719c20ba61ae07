import NIOCore
import NIOPosix
import NTLM
import ProbeCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `--gateway`: what to walk through, with which account.
public struct GatewayRequest: Sendable {
    /// The gateway's host and port (443 by default).
    public var gateway: Target
    public var credentials: GatewayCredentials?
    /// Send the NTLM AUTHENTICATE even to a gateway whose certificate is not trusted.
    public var insecure: Bool
    /// `--hold SECONDS`: keep the main walk's channel open this long after the walk
    /// (the check's deadline grows by as much).
    public var holdSeconds: Double

    public init(gateway: Target, credentials: GatewayCredentials?, insecure: Bool = false, holdSeconds: Double = 0) {
        self.gateway = gateway
        self.credentials = credentials
        self.insecure = insecure
        self.holdSeconds = holdSeconds
    }
}

/// What the walks through an RD Gateway saw: the gateway's steps, the RDP
/// walk inside the channel (a default client's, then the account's), and
/// the credential gate's decision for the target's account.
struct GatewayWalks: Sendable {
    var gateway: GatewayObservation
    var probes: [ProbeRecord] = []
    var credentialCheck: CredentialCheckObservation?
}

/// Walks the RD Gateway in front of a target with `GatewayMachine`, and the
/// target through its channel with the same `RDPProbeMachine` a direct check
/// uses (`TunnelledProbeMachine`). With a gateway account, a first walk
/// without it learns the gateway's certificate and 401; the chain is judged
/// (trusted for the gateway's name, or --insecure) and the second walk may
/// authenticate only to that same leaf. With --user, the target's chain seen
/// inside the tunnel goes through the same credential gate as a direct
/// check's, and a third walk may then use the account on the target.
struct GatewayRunner {
    let group: any EventLoopGroup
    var recorder: TrafficRecorder?

    struct TargetAccount: Sendable {
        var request: CredentialRequest
        var pinnedLeafSHA256: [UInt8]?
        var judge: (@Sendable ([[UInt8]]) async -> CertificateJudgement)?
    }

    func run(
        _ request: GatewayRequest, target: Target, deadline: NIODeadline,
        judge: (@Sendable ([[UInt8]]) async -> CertificateJudgement)?,
        account: TargetAccount? = nil
    ) async -> GatewayWalks {
        let gateway = request.gateway
        let address: SocketAddress
        do {
            if gateway.hostIsAddress, let literal = try? SocketAddress(ipAddress: gateway.host, port: Int(gateway.port)) {
                address = literal
            } else {
                let resolved = try await NameResolver.resolve(
                    host: gateway.host, port: gateway.port,
                    timeoutMs: Self.remainingMs(deadline) / 3)
                guard let first = resolved.addresses.first else { throw ResolutionFailed() }
                address = first
            }
        } catch {
            var observation = GatewayObservation(gateway: gateway.written, target: target.written)
            observation.failure = .init(step: .tcp, kind: .connectFailed(.unreachable("the name does not resolve: \(error)")))
            return GatewayWalks(gateway: observation)
        }
        // The legacy RPC-over-HTTP URL, asked beside the walks on its own connection.
        let rpcProxy = Task { await self.rpcProxy(address, gateway: gateway, deadline: deadline) }
        var walks = await walks(
            request, target: target, address: address, deadline: deadline, judge: judge,
            account: account, rpcProbeDone: { _ = await rpcProxy.value })
        walks.gateway.rpcProxy = await rpcProxy.value
        return walks
    }

    /// `RPC_IN_DATA /rpc/rpcproxy.dll` once, without credentials, with a step's deadline.
    func rpcProxy(_ address: SocketAddress, gateway: Target, deadline: NIODeadline) async -> RPCProxyObservation {
        let step = max(500, min(5_000, Self.remainingMs(deadline) / 4))
        let machine = RPCProxyProbeMachine(
            host: gateway.host,
            tls: TLSParameters(serverName: gateway.hostIsAddress ? nil : gateway.host),
            timeouts: StepTimeouts(connectMs: step, stepMs: step))
        return await ConnectionDriver(group: group, recorder: recorder).run(
            machine, to: address, connectTimeout: .milliseconds(Int64(step)),
            hardDeadline: deadline
        ).observation
    }

    /// The gateway walks and the target's walks through the channel.
    private func walks(
        _ request: GatewayRequest, target: Target, address: SocketAddress, deadline: NIODeadline,
        judge: (@Sendable ([[UInt8]]) async -> CertificateJudgement)?,
        account: TargetAccount?, rpcProbeDone: () async -> Void
    ) async -> GatewayWalks {
        let gateway = request.gateway
        let driver = ConnectionDriver(group: group, recorder: recorder)
        let plan = CheckPlan(target: target)
        @Sendable func walk(
            _ credentials: GatewayCredentials?, allow: @escaping @Sendable (TLSSessionInfo) -> Bool,
            _ purpose: ProbePurpose = .defaultClient, account: CredentialSettings? = nil, holdMs: Double = 0
        ) async
            -> (GatewayObservation, ProbeRecord?)
        {
            let step = max(500, min(10_000, (Self.remainingMs(deadline) - holdMs) / 4))
            let timeouts = StepTimeouts(connectMs: step, stepMs: step)
            var options = GatewayMachine.Options(
                gatewayHost: gateway.host,
                tls: TLSParameters(serverName: gateway.hostIsAddress ? nil : gateway.host),
                timeouts: timeouts,
                connectionID: "{" + UUID().uuidString + "}", clientName: "rdpdoctor",
                targetHost: target.host, targetPort: target.port, credentials: credentials,
                mayAuthenticate: allow, random: Self.random, currentTime: Self.fileTime(),
                channelProbe: nil)
            options.holdMs = holdMs
            let machine = TunnelledProbeMachine(
                gateway: options,
                walk: plan.machine(purpose, timeouts: timeouts, credentials: account))
            let ended = await driver.run(
                machine, to: address, connectTimeout: .milliseconds(Int64(step)),
                hardDeadline: deadline)
            return (ended.gateway.observation, ended.record)
        }
        // The walk the report shows holds the channel (--hold): the first when no account is given.
        let holdMs = request.holdSeconds * 1000
        var (first, record) = await walk(nil, allow: { _ in false }, holdMs: request.credentials == nil ? holdMs : 0)
        var judged: GatewayObservation.CertificateJudged?
        if let judge, let chain = first.tls?.peerChain, !chain.isEmpty {
            let judgement = await judge(chain)
            judged = .init(trusted: judgement.trusted, nameMatches: judgement.nameMatches)
        }
        first.certificate = judged
        var walks = GatewayWalks(gateway: first)
        var gatewayAllows: (@Sendable (TLSSessionInfo) -> Bool) = { _ in false }
        if let credentials = request.credentials, first.authentication == .noCredentials,
            let leaf = first.tls?.peerChain.first
        {
            let trusted = request.insecure || (judged.map { $0.trusted && $0.nameMatches } ?? false)
            guard trusted else {
                walks.gateway.authentication = .withheldUntrustedCertificate
                return walks
            }
            gatewayAllows = { info in info.peerChain.first == leaf }
            var second: GatewayObservation
            (second, record) = await walk(credentials, allow: gatewayAllows, holdMs: holdMs)
            second.certificate = judged
            walks.gateway = second
        }
        walks.probes = record.map { [$0] } ?? []
        guard let main = record else { return walks }
        // The target's account: the same gate as a direct check's, on the chain seen inside the tunnel.
        var accountSettings: CredentialSettings?
        if let account {
            var judgement: CertificateJudgement?
            if account.pinnedLeafSHA256 == nil, let judge = account.judge, let chain = main.tls?.peerChain, !chain.isEmpty {
                judgement = await judge(chain)
            }
            let (check, settings) = CredentialGate.accountWalk(
                account.request, after: main,
                pinnedLeafSHA256: account.pinnedLeafSHA256,
                judgement: judgement)
            walks.credentialCheck = check
            accountSettings = settings
        }
        // The account's walk and the survey of a direct check (one request per
        // security protocol, one TLS version each) need only the main walk, not
        // one another: each on its own tunnel, side by side, the account's first
        // (the longest), at most three connections to the gateway at once.
        var jobs: [FollowingWalk] = accountSettings.map { [.account($0)] } ?? []
        if main.negotiation != nil { jobs += plan.surveyPurposes.map { .survey($0) } }
        guard !jobs.isEmpty else { return walks }
        // The RPC probe is one of the three while it lasts; a legacy tunnel is two connections.
        await rpcProbeDone()
        let limit = walks.gateway.transport == .legacyOnly ? Self.maximumSimultaneous / 2 : Self.maximumSimultaneous
        let allows = gatewayAllows
        let records = await concurrently(jobs, at: limit) { job in
            switch job {
            case .survey(let purpose): await walk(request.credentials, allow: allows, purpose).1
            case .account(let settings): await walk(request.credentials, allow: allows, .credentials, account: settings).1
            }
        }
        for (job, record) in zip(jobs, records) {
            guard case .survey = job, let record else { continue }
            walks.probes.append(record)
        }
        if case .account = jobs.first, let accountRecord = records.first ?? nil {
            walks.probes.append(accountRecord)
            walks.credentialCheck?.probe = accountRecord
        }
        return walks
    }

    /// A walk that follows the main one.
    enum FollowingWalk: Sendable {
        case survey(ProbePurpose)
        case account(CredentialSettings)
    }

    /// Connections to the gateway at once (as to a host directly: polite probing).
    static let maximumSimultaneous = CheckCoordinator.maximumSimultaneousConnections

    /// Runs `work` for each job, `limit` at a time; the results in the jobs' order.
    func concurrently<Job: Sendable>(
        _ jobs: [Job], at limit: Int,
        _ work: @escaping @Sendable (Job) async -> ProbeRecord?
    ) async -> [ProbeRecord?] {
        await withTaskGroup(of: (Int, ProbeRecord?).self) { tasks in
            var next = 0
            var results = [ProbeRecord?](repeating: nil, count: jobs.count)
            func launch() {
                guard next < jobs.count else { return }
                let index = next
                let job = jobs[index]
                next += 1
                tasks.addTask { (index, await work(job)) }
            }
            for _ in 0..<max(1, limit) { launch() }
            while let (index, record) = await tasks.next() {
                results[index] = record
                launch()
            }
            return results
        }
    }

    /// An X.224 Connection Request asking for TLS or CredSSP, as mstsc's first bytes.
    static let connectionRequest: [UInt8] = [
        0x03, 0x00, 0x00, 0x13, 0x0E, 0xE0, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x01, 0x00, 0x08, 0x00, 0x03, 0x00, 0x00, 0x00,
    ]

    struct ResolutionFailed: Error, CustomStringConvertible {
        var description: String { "no address" }
    }

    static let random: @Sendable (Int) -> [UInt8] = { count in
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }

    static func fileTime() -> FileTime {
        FileTime(rawValue: UInt64(max(0, Date().timeIntervalSince1970) * 10_000_000) + 116_444_736_000_000_000)
    }

    static func remainingMs(_ deadline: NIODeadline) -> Double {
        max(0, Double((deadline - NIODeadline.now()).nanoseconds) / 1_000_000)
    }
}
