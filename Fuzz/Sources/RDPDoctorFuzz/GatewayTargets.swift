import Foundation
import NTLM
import ProbeCore

/// The RD Gateway machines driven as the transport drives them: the gateway's
/// bytes (HTTP heads, NTLM challenges, WebSocket frames, MS-TSGU packets, the
/// target's bytes inside DATA) in arbitrary chunks, with the tunnel's TLS
/// engine and the legacy transport's second connection answering as the
/// script says. Invariants, on every event: a finished machine does nothing;
/// `.close` comes exactly when a machine finishes; deadlines end any machine;
/// the gateway password never shows in the observation, the walk's record or
/// the text of an action other than the gateway connection's own bytes.
enum GatewayTargets {
    static let all: [FuzzTarget] = [
        FuzzTarget(
            name: "gateway-tunnel",
            summary: "TunnelledProbeMachine (RD Gateway walk, RDP walk inside) and GatewayMachine fed chunked gateway streams",
            run: tunnel)
    ]

    static let password = "fuzz-gateway-password"
    static let walkPurposes: [ProbePurpose] = [.defaultClient, .credentials, .negotiation(.ssl), .tlsVersion(.tls12)]

    /// Byte 0: gateway credentials (bit 0), the gateway's certificate allowed
    /// (1), a carried walk (2; else GatewayMachine alone with a channel probe),
    /// --hold (3), the walk's purpose (4–5), a failed connect (6); byte 1: the
    /// TLS chain; then the script (`play`).
    static func tunnel(_ bytes: [UInt8]) {
        var cursor = Cursor(bytes)
        let mode = cursor.byte()
        let chainMode = cursor.byte()
        let allowed = mode & 0x02 != 0
        var options = GatewayMachine.Options(
            gatewayHost: "gw.example.test", tls: TLSParameters(serverName: "gw.example.test"),
            timeouts: MachineTargets.timeouts, connectionID: "{00000000-0000-0000-0000-000000000001}",
            clientName: "rdpdoctor", targetHost: MachineTargets.host, targetPort: 3389,
            credentials: mode & 0x01 == 0 ? nil : GatewayCredentials(user: "gwuser", domain: "", password: password),
            mayAuthenticate: { _ in allowed }, random: { Array(repeating: 0x5A, count: $0) },
            currentTime: FileTime(rawValue: 133_000_000_000_000_000),
            channelProbe: [
                0x03, 0x00, 0x00, 0x13, 0x0E, 0xE0, 0x00, 0x00, 0x00, 0x00, 0x00,
                0x01, 0x00, 0x08, 0x00, 0x03, 0x00, 0x00, 0x00,
            ])
        if mode & 0x08 != 0 { options.holdMs = 5_000 }
        let peerChain = MachineTargets.chain(chainMode, &cursor)
        let failConnect = mode & 0x40 != 0 ? chainMode >> 2 : nil
        var now = MachineTargets.t0
        if mode & 0x04 != 0 {
            let purpose = walkPurposes[Int(mode >> 4) & 3]
            let account =
                purpose == .credentials
                ? CredentialSettings(
                    user: "alice", domain: "CORP", password: "fuzz-password", sendCredentials: false,
                    pinnedLeafSHA256: nil) : nil
            let walk = CheckPlan(target: Target(host: MachineTargets.host))
                .machine(purpose, timeouts: MachineTargets.timeouts, credentials: account)
            var machine = TunnelledProbeMachine(gateway: options, walk: walk)
            play(&machine, &cursor, now: &now, chain: peerChain, failConnect: failConnect)
            secretKept(machine.gateway.observation, machine.record)
        } else {
            var machine = GatewayMachine(options: options)
            play(&machine, &cursor, now: &now, chain: peerChain, failConnect: failConnect)
            secretKept(machine.observation, nil)
        }
    }

    /// Nothing the check records holds the gateway password.
    static func secretKept(_ observation: GatewayObservation, _ record: ProbeRecord?) {
        let encoder = JSONEncoder()
        let texts = [try? encoder.encode(observation), try? encoder.encode(record)].compactMap { $0 }
        for text in texts where String(decoding: text, as: UTF8.self).contains(password) {
            violated("gateway: the password is in a record")
        }
    }

    /// Plays one gateway connection's script. Ops: 0x00–0xCF: the next op+1
    /// bytes arrive; 0xD0–0xDF: the next (op−0xCF)×256 bytes; 0xE0 deadline;
    /// 0xE1 FIN; 0xE2 RST; 0xE3 TLS fails; 0xE4 raw byte count; 0xE5 time
    /// passes; 0xE6 the tunnel's TLS hands plaintext (next byte+1 bytes); 0xE7
    /// the tunnel's TLS has ciphertext to carry; 0xE8 the tunnel's TLS fails;
    /// 0xE9 bytes on the second connection (2-byte length); 0xEA the second
    /// connection closes; 0xEB it is reset; 0xEC it fails; 0xED TCP
    /// statistics; 0xEE–0xFF: a 2-byte length, then that many bytes arrive.
    /// TLS (on the connection, inside the tunnel, on the second connection) is
    /// established right after the machine starts it. When the script ends,
    /// deadlines pass until the machine finishes.
    static func play<M: ConnectionMachine>(
        _ machine: inout M, _ cursor: inout Cursor, now: inout UInt64,
        chain: [[UInt8]], failConnect: UInt8?
    ) {
        let ms = MachineTargets.ms
        let session = TLSSessionInfo(version: .tls12, peerChain: chain)
        var due: [ConnectionEvent] = []
        func deliver(_ event: ConnectionEvent) {
            let wasFinished = machine.isFinished
            let actions = machine.handle(event, now: now)
            if wasFinished, !actions.isEmpty { violated("gateway: a finished machine acted", "\(event) → \(actions)") }
            if actions.contains(.close) != (machine.isFinished && !wasFinished) {
                violated("gateway: close and finished disagree", "\(event) → \(actions), finished \(machine.isFinished)")
            }
            for action in actions {
                switch action {
                case .startTLS: due.append(.tlsEstablished(session))
                case .tunnelTLS(.start): due.append(.tunnelTLS(.established(session)))
                case .second(.open): due.append(.second(.established(session)))
                case .setDeadline(let at): if at < now { violated("gateway: a deadline in the past", "\(at) < \(now)") }
                case .second(.send(let bytes)), .send(let bytes):
                    // The AUTHENTICATE carries a proof of the password, never the password itself.
                    if String(decoding: bytes, as: UTF8.self).contains(password) { violated("gateway: the password was sent") }
                case .close, .tunnelTLS, .second: break
                }
            }
        }
        deliver(.connecting)
        now += 3 * ms
        if let failConnect {
            deliver(.connectFailed(failConnect & 1 == 0 ? .refused : .timedOut))
        } else {
            deliver(.connected)
        }
        var events = 0
        while !machine.isFinished, !cursor.isAtEnd, events < 4096 {
            events += 1
            now += ms
            if !due.isEmpty {
                deliver(due.removeFirst())
                continue
            }
            let op = cursor.byte()
            switch op {
            case 0x00...0xCF: deliver(.received(cursor.take(Int(op) + 1)))
            case 0xD0...0xDF: deliver(.received(cursor.take(Int(op - 0xCF) * 256)))
            case 0xE0: deliver(.deadline)
            case 0xE1: deliver(.peerClosed(.fin))
            case 0xE2: deliver(.peerClosed(.reset))
            case 0xE3: deliver(.tlsFailed("handshake failure"))
            case 0xE4: deliver(.rawBytesArrived(cursor.uint16()))
            case 0xE5: now += UInt64(cursor.uint16()) * ms
            case 0xE6: deliver(.tunnelTLS(.plaintext(cursor.take(Int(cursor.byte()) + 1))))
            case 0xE7: deliver(.tunnelTLS(.output(cursor.take(Int(cursor.byte()) + 1))))
            case 0xE8: deliver(.tunnelTLS(.failed("bad record mac")))
            case 0xE9: deliver(.second(.received(cursor.take(cursor.uint16()))))
            case 0xEA: deliver(.second(.closed(.fin)))
            case 0xEB: deliver(.second(.closed(.reset)))
            case 0xEC: deliver(.second(.failed("refused")))
            case 0xED:
                deliver(
                    .tcpStatistics(
                        TCPStats(
                            rttMs: Double(cursor.byte()), rttVarianceMs: 1, minRTTMs: 0.5,
                            totalRetransmits: 0, lost: 0, segmentsOut: 10, segmentsIn: 10,
                            pathMTU: 1500, sendMSS: 1448)))
            default: deliver(.received(cursor.take(cursor.uint16())))
            }
        }
        var deadlines = 0
        while !machine.isFinished {
            deadlines += 1
            // --hold sends a KEEPALIVE per deadline until its end: bounded by the hold.
            if deadlines > 64 { violated("gateway: deadlines do not end the machine") }
            now += 2000 * ms
            deliver(.deadline)
        }
    }
}
