import Foundation
import NIOCore
import NIOPosix
import NTLM
import ProbeCore
import TSGU
import Testing
import Transport

/// rdpdoctor's own gateway walk (`GatewayMachine`, driven by the transport's
/// `ConnectionDriver`) against the testbed's RD Gateway, the same one
/// GatewayRealClientTests proves with xfreerdp.
@Suite("GatewayMachine against the testbed's RD Gateway", .serialized)
struct GatewayProbeTests {
    /// An X.224 Connection Request asking for TLS or CredSSP.
    static let connectionRequest: [UInt8] = [
        0x03, 0x00, 0x00, 0x13, 0x0E, 0xE0, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x01, 0x00, 0x08, 0x00, 0x03, 0x00, 0x00, 0x00,
    ]

    static func walk(
        _ gateway: String, target: String = "XRDP_NEGOTIATE", password: String = GatewayRealClientTests.password,
        trusted: Bool = true
    ) async throws -> GatewayObservation {
        let port = try Testbed.port(gateway)
        let options = GatewayMachine.Options(
            gatewayHost: "localhost", tls: TLSParameters(serverName: "localhost"),
            timeouts: StepTimeouts(connectMs: 3000, stepMs: 3000),
            connectionID: "{" + UUID().uuidString + "}", clientName: "rdpdoctor-test",
            targetHost: "127.0.0.1", targetPort: try Testbed.port(target),
            credentials: GatewayCredentials(user: GatewayRealClientTests.user, domain: "", password: password),
            mayAuthenticate: { _ in trusted },
            random: { count in (0..<count).map { _ in UInt8.random(in: 0...255) } },
            currentTime: FileTime(rawValue: UInt64(Date().timeIntervalSince1970 * 10_000_000) + 116_444_736_000_000_000),
            channelProbe: connectionRequest)
        let driver = ConnectionDriver(group: MultiThreadedEventLoopGroup.singleton)
        let address = try SocketAddress(ipAddress: "127.0.0.1", port: Int(port))
        let ended = await driver.run(
            GatewayMachine(options: options), to: address, connectTimeout: .seconds(3),
            hardDeadline: .now() + .seconds(15))
        return ended.observation
    }

    @Test("healthy: every step, the WebSocket, and xrdp's X.224 Connection Confirm through the channel")
    func healthy() async throws {
        let o = try await Self.walk("GW_HEALTHY")
        #expect(o.failure == nil, "\(String(describing: o.failure))")
        #expect(o.steps.map(\.step) == GatewayObservation.Step.allCases)
        #expect(o.authentication == .accepted && o.transport == .webSocket)
        #expect(o.firstAnswer?.authenticationSchemes.contains("NTLM") == true)
        #expect(o.tunnelAuth?.idleTimeoutMinutes == 30)
        #expect(o.channelReplyIsTPKT == true && (o.channelReplyBytes ?? 0) >= 19)
        #expect(o.tls?.version != nil)
    }

    @Test(
        "each failing gateway, named at its step with its code",
        arguments: [
            ("GW_RAP_DENIED", "XRDP_NEGOTIATE", GatewayObservation.Step.channelCreate, UInt32(0x8007_59DA)),
            ("GW_NAP_DENIED", "XRDP_NEGOTIATE", GatewayObservation.Step.tunnelAuth, UInt32(0x8007_59DB)),
            ("GW_HEALTHY", "CLOSED_PORT", GatewayObservation.Step.channelCreate, UInt32(0x8007_59DD)),
        ])
    func refused(gateway: String, target: String, step: GatewayObservation.Step, code: UInt32) async throws {
        let o = try await Self.walk(gateway, target: target)
        #expect(o.failure == .init(step: step, kind: .refused(GatewayResult(rawValue: code))), "\(o)")
    }

    @Test("404 (no gateway role), Upgrade stripped (walked over the legacy transport), wrong password, untrusted certificate")
    func httpStage() async throws {
        let notFound = try await Self.walk("GW_NOT_FOUND")
        #expect(notFound.failure == .init(step: .http, kind: .httpStatus(404)))
        let legacy = try await Self.walk("GW_NO_UPGRADE")
        #expect(legacy.transport == .legacyOnly && legacy.authentication == .accepted)
        // RDG_IN_DATA on a second connection carried the tunnel: every step, and xrdp's confirm came back
        #expect(legacy.failure == nil, "\(String(describing: legacy.failure))")
        #expect(legacy.steps.map(\.step) == GatewayObservation.Step.allCases)
        #expect(legacy.channelReplyIsTPKT == true && (legacy.channelReplyBytes ?? 0) >= 19)
        let wrong = try await Self.walk("GW_HEALTHY", password: "Not-The-Pass-1")
        #expect(wrong.authentication == .rejected)
        #expect(wrong.failure == .init(step: .authentication, kind: .httpStatus(401)))
        let untrusted = try await Self.walk("GW_SELFSIGNED", trusted: false)
        #expect(untrusted.authentication == .withheldUntrustedCertificate)
    }
}
