// The RD Gateway walk of a module with `gateway:` as metrics (docs/serve.md,
// "Through an RD Gateway"). Every label takes values from a fixed list; the
// gateway's result code is a sample value, never a label (a hostile gateway
// could send any 32-bit number).

import ProbeCore
import TSGU

enum GatewayMetrics {
    /// The gateway carried a channel to the target and the target answered
    /// like RDP (a TPKT header): as far as the walk goes today.
    static func carried(_ gateway: GatewayObservation) -> Bool {
        gateway.channel?.result.failed == false && gateway.channelReplyIsTPKT == true
    }

    static func render(_ g: GatewayObservation, into out: inout MetricsText) {
        out.gauge(
            "rdp_gateway_channel_ok", "1 when the RD Gateway opened a channel to the target and the target answered like RDP",
            carried(g) ? 1 : 0)
        for timing in g.steps {
            out.gauge(
                "rdp_gateway_step_duration_seconds", "Each step of the walk through the RD Gateway that completed",
                labels: [("phase", snake(timing.step.rawValue))], timing.ms / 1000)
        }
        if let transport = g.transport {
            out.gauge(
                "rdp_gateway_transport_info", "The HTTP transport the gateway offers",
                labels: [("transport", transport == .webSocket ? "websocket" : "legacy_only")], 1)
        }
        if let authentication = g.authentication {
            out.gauge(
                "rdp_gateway_authentication_info", "How the gateway account fared",
                labels: [("outcome", snake(authentication.rawValue))], 1)
        }
        if let certificate = g.certificate {
            out.gauge(
                "rdp_gateway_certificate_trusted", "1 when the gateway's certificate is trusted for its name",
                certificate.trusted && certificate.nameMatches ? 1 : 0)
        }
        if let failure = g.failure {
            out.gauge(
                "rdp_gateway_failure_info", "Where the walk through the gateway stopped, and how",
                labels: [("step", snake(failure.step.rawValue)), ("kind", kind(failure.kind))], 1)
            if let code = resultCode(failure.kind) ?? g.closedByGateway?.rawValue {
                out.gauge("rdp_gateway_result_code", "The gateway's E_PROXY result code (HRESULT) that refused the walk", Double(code))
            }
        }
    }

    static func kind(_ kind: GatewayObservation.Failure.Kind) -> String {
        switch kind {
        case .connectFailed: "connect_failed"
        case .tls: "tls"
        case .refused: "refused"
        case .httpStatus: "http_status"
        case .protocolError: "protocol_error"
        case .closed: "closed"
        case .noAnswer: "no_answer"
        }
    }

    static func resultCode(_ kind: GatewayObservation.Failure.Kind) -> UInt32? {
        if case .refused(let result) = kind { return result.rawValue }
        return nil
    }

    /// `withheldUntrustedCertificate` → `withheld_untrusted_certificate`.
    static func snake(_ name: String) -> String {
        var out = ""
        for character in name {
            if character.isUppercase {
                out += "_" + character.lowercased()
            } else {
                out.append(character)
            }
        }
        return out
    }
}
