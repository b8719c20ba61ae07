#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import NIOCore
import NIOPosix
import NTLM
import ProbeCore

/// `--gateway`: what to walk through, with which account.
public struct GatewayRequest: Sendable {
    /// The gateway's host and port (443 by default).
    public var gateway: Target
    public var credentials: GatewayCredentials?
    /// Send the NTLM AUTHENTICATE even to a gateway whose certificate is not trusted.
    public var insecure: Bool

    public init(gateway: Target, credentials: GatewayCredentials?, insecure: Bool = false) {
        self.gateway = gateway
        self.credentials = credentials
        self.insecure = insecure
    }
}

/// Walks the RD Gateway in front of a target with `GatewayMachine`. With an
/// account, a first walk without it learns the gateway's certificate and 401;
/// the chain is judged (trusted for the gateway's name, or --insecure) and the
/// second walk may authenticate only to that same leaf.
struct GatewayRunner {
    let group: any EventLoopGroup

    func run(_ request: GatewayRequest, target: Target, deadline: NIODeadline,
             judge: (@Sendable ([[UInt8]]) async -> CertificateJudgement)?) async -> GatewayObservation {
        let gateway = request.gateway
        let address: SocketAddress
        do {
            if gateway.hostIsAddress, let literal = try? SocketAddress(ipAddress: gateway.host, port: Int(gateway.port)) {
                address = literal
            } else {
                let resolved = try await NameResolver.resolve(host: gateway.host, port: gateway.port,
                                                              timeoutMs: Self.remainingMs(deadline) / 3)
                guard let first = resolved.addresses.first else { throw ResolutionFailed() }
                address = first
            }
        } catch {
            var observation = GatewayObservation(gateway: gateway.written, target: target.written)
            observation.failure = .init(step: .tcp, kind: .connectFailed(.unreachable("the name does not resolve: \(error)")))
            return observation
        }
        let driver = ConnectionDriver(group: group)
        func walk(_ credentials: GatewayCredentials?, allow: @escaping @Sendable (TLSSessionInfo) -> Bool) async
            -> GatewayObservation {
            let step = max(500, min(10_000, Self.remainingMs(deadline) / 4))
            let options = GatewayMachine.Options(
                gatewayHost: gateway.host,
                tls: TLSParameters(serverName: gateway.hostIsAddress ? nil : gateway.host),
                timeouts: StepTimeouts(connectMs: step, stepMs: step),
                connectionID: "{" + UUID().uuidString + "}", clientName: "rdpdoctor",
                targetHost: target.host, targetPort: target.port, credentials: credentials,
                mayAuthenticate: allow, random: Self.random, currentTime: Self.fileTime(),
                channelProbe: Self.connectionRequest)
            return await driver.run(GatewayMachine(options: options), to: address,
                                    connectTimeout: .milliseconds(Int64(step)), hardDeadline: deadline).observation
        }
        var first = await walk(nil) { _ in false }
        var judged: GatewayObservation.CertificateJudged?
        if let judge, let chain = first.tls?.peerChain, !chain.isEmpty {
            let judgement = await judge(chain)
            judged = .init(trusted: judgement.trusted, nameMatches: judgement.nameMatches)
        }
        first.certificate = judged
        guard let credentials = request.credentials, first.authentication == .noCredentials,
              let leaf = first.tls?.peerChain.first else { return first }
        let trusted = request.insecure || (judged.map { $0.trusted && $0.nameMatches } ?? false)
        guard trusted else {
            first.authentication = .withheldUntrustedCertificate
            return first
        }
        var second = await walk(credentials) { info in info.peerChain.first == leaf }
        second.certificate = judged
        return second
    }

    /// An X.224 Connection Request asking for TLS or CredSSP, as mstsc's first bytes.
    static let connectionRequest: [UInt8] = [0x03, 0x00, 0x00, 0x13, 0x0E, 0xE0, 0x00, 0x00, 0x00, 0x00, 0x00,
                                             0x01, 0x00, 0x08, 0x00, 0x03, 0x00, 0x00, 0x00]

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
