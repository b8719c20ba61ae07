import ProbeCore

/// The legacy RPC-over-HTTP transport beside the HTTP one
/// (`GatewayObservation.rpcProxy`): whether rpcproxy.dll answers, and what
/// that says when the HTTP transport failed or worked.
enum GatewayRPCRules: DiagnosisRule {
    static func findings(_ input: RuleInput) -> [Finding] {
        guard let g = input.observations.gateway, let rpc = g.rpcProxy else { return [] }
        let answer: String
        if let status = rpc.status {
            let schemes = rpc.authenticationSchemes.isEmpty ? "" : " with " + rpc.authenticationSchemes.joined(separator: ", ")
            answer = "RPC_IN_DATA /rpc/rpcproxy.dll was answered \(status)\(schemes)\(rpc.server.map { " (Server: \($0))" } ?? "")"
        } else {
            answer = "RPC_IN_DATA /rpc/rpcproxy.dll got no HTTP answer: \(rpc.failure ?? "nothing")"
        }
        // The HTTP transport stopped before its tunnel: at the gateway's HTTP front door.
        let httpFailed = g.failure.map { $0.step <= .authentication && $0.step >= .http } ?? false
        if rpc.answers, httpFailed {
            return [
                Finding(
                    id: .gatewayHttpFailsRpcAnswers, level: .warn, section: .gateway,
                    title: "The HTTP transport fails, but RPC over HTTP answers on \(g.gateway)",
                    detail:
                        "\(answer): an RPC proxy is there, so clients set to the RPC transport (or to automatic, on older Windows) may still get through while /remoteDesktopGateway/ does not. The gateway role is likely installed with its HTTP transport off, or a proxy in front publishes /rpc/ only.",
                    fixes: [
                        "RD Gateway Manager > Properties > Transport Settings: enable the HTTP transport (port 443) and restart the Remote Desktop Gateway service.",
                        "A reverse proxy or load balancer in front must publish /remoteDesktopGateway/ as well as /rpc/.",
                    ])
            ]
        }
        if rpc.answers {
            return [
                Finding(
                    id: .gatewayRpcProxy, level: .info, section: .gateway,
                    title: "RPC over HTTP answers on \(g.gateway) too",
                    detail: "\(answer): the legacy transport ([MS-RPCH]) is there beside the HTTP transport, for clients set to RPC.")
            ]
        }
        let http = g.failure == nil && g.channel != nil ? " The HTTP transport works, which is all current clients need." : ""
        return [
            Finding(
                id: .gatewayRpcProxy, level: .info, section: .gateway,
                title: "RPC over HTTP does not answer on \(g.gateway)",
                detail: "\(answer): no RPC proxy there, so clients forced to the RPC transport (FreeRDP /gt:rpc, old mstsc settings) fail.\(http)")
        ]
    }
}
