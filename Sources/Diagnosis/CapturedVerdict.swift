import Catalogue
import ProbeCore

// The verdict on a captured connection (`analyze`): the same cases as a live
// check's, told as what happened to the client that made the connection.
// rdpdoctor did not connect, the client may not be Microsoft's, and the
// code it showed is not in the capture: "most likely showed" is as far as
// the evidence goes.

extension VerdictRule {
    static func capturedVerdict(_ observations: CheckObservations, codes catalogue: Catalogue) -> Verdict {
        guard let probe = observations.defaultClient else {
            return Verdict(outcome: .undetermined, step: nil, summary: "Could not tell: the capture holds no RDP exchange for this connection.")
        }
        if let stalled = capturedStall(probe, observations.capture) {
            let codes = catalogue.clientCodes(.pathStall)
            return Verdict(
                outcome: .fails, step: stalled,
                summary:
                    "The connection stalled during \(Names.step(stalled)): the server's full-size segments were sent again and the connection went no further, the signature of a path MTU black hole (usually a VPN or tunnel). The client most likely gave up with a timeout (0x108) or showed \(shown(codes)), as Microsoft clients do.",
                codes: codes)
        }
        if observations.capture?.clientLeftAfterNegotiation == true {
            let selected =
                probe.negotiation?.selectedProtocol.map { "the server selected \(Names.requested($0))" }
                ?? "the server answered without negotiation data (standard RDP security)"
            return Verdict(
                outcome: .fails, step: .x224,
                summary:
                    "The client gave up after the negotiation: it asked for \(Names.requested(probe.requestedProtocols)), \(selected), and the client closed the connection without sending another byte. It would not use what the server chose (a client limited to other protocols or requiring NLA does this; FreeRDP reports ERRCONNECT_SECURITY_NEGO_CONNECT_FAILED)."
            )
        }
        switch probe.end {
        case let .peerClosed(kind, step, _):
            let codes = catalogue.clientCodes(.setupClosed)
            return Verdict(
                outcome: .fails, step: step,
                summary:
                    "The client stopped during \(Names.step(step)): the server \(kind == .reset ? "reset" : "closed") the connection there. The client most likely showed \(shown(codes)), as a Microsoft client does.",
                codes: codes)
        case let .protocolError(step, message):
            return Verdict(
                outcome: .fails, step: step,
                summary: "The connection failed during \(Names.step(step)): the server sent bytes that do not decode (\(message)).",
                codes: catalogue.clientCodes(.setupUndecodable))
        case .tlsFailed(let reason):
            let codes = catalogue.clientCodes(.tlsFailed)
            return Verdict(
                outcome: .fails, step: .tls,
                summary: "The TLS handshake failed (\(reason)). The client most likely showed \(shown(codes)), as a Microsoft client does.",
                codes: codes)
        case .localError(let reason):
            return Verdict(outcome: .undetermined, step: nil, summary: "Could not tell: \(reason).")
        case .timedOut(let step, let waiting):
            return Verdict(
                outcome: .undetermined, step: step,
                summary: "Could not tell: the capture shows no answer during \(Names.step(step)) (the client waited for \(waiting)).")
        case .refused, .unreachable, .notStarted:
            return Verdict(outcome: .undetermined, step: nil, summary: "Could not tell: the capture shows no connection to replay.")
        case .completed:
            return capturedCompleted(probe, closedBy: observations.capture?.closedBy, codes: catalogue)
        }
    }

    private static func capturedCompleted(_ probe: ProbeRecord, closedBy: CaptureFacts.Side?, codes catalogue: Catalogue) -> Verdict {
        if case .disconnected = probe.negotiation {
            let codes = catalogue.clientCodes(.setupClosed)
            return Verdict(
                outcome: .fails, step: .x224,
                summary:
                    "The server hung up on what the client asked for (an MCS Disconnect Provider Ultimatum instead of a negotiation answer). The client most likely showed \(shown(codes)), as a Microsoft client does.",
                codes: codes)
        }
        if case .failure(let code) = probe.negotiation {
            if code == .sslNotAllowedByServer {
                return Verdict(
                    outcome: .reachesLogon, step: .x224,
                    summary:
                        "The server refused TLS and CredSSP (failure code 2). A Microsoft client then retries with standard RDP security on a new connection (look for it in the capture), which works but is weak (see findings)."
                )
            }
            return Verdict(
                outcome: .fails, step: .x224,
                summary: "The server refused what the client asked for (negotiation failure \(code.rawValue)).",
                codes: catalogue.clientCodes(.negotiationRefused, value: UInt64(code.rawValue)))
        }
        if let session = probe.session {
            if let info = session.errorInfo.first(where: { $0 != .none }) {
                return Verdict(
                    outcome: .fails, step: .licensing,
                    summary:
                        "The server ended the connection with error info \(CatalogueKey(.errinfo, info).hexValue); the client most likely showed it as the extended code.",
                    codes: catalogue.clientCodes(.serverErrorInfo, value: UInt64(info.rawValue)))
            }
            if case let .error(code, _) = session.licensing {
                return Verdict(
                    outcome: .fails, step: .licensing,
                    summary: "Licensing failed (error \(CatalogueKey(.license, code).hexValue)).",
                    codes: catalogue.clientCodes(.licensingError, value: UInt64(code.rawValue)))
            }
            if session.redirected {
                return Verdict(
                    outcome: .reachesLogon, step: .licensing,
                    summary:
                        "The server redirected the client to another host (a connection broker); the client's next connection, to that host, may be in the capture too."
                )
            }
            if session.demandActive {
                let weak =
                    probe.negotiation?.selectedProtocol == .rdp
                    ? " with standard RDP security (no TLS: it works, but the server's identity is not verified)" : ""
                return Verdict(
                    outcome: .reachesLogon, step: .capabilities,
                    summary: "The client connected\(weak) and the session started (a logon screen, or a desktop on servers that ask for no logon).")
            }
        }
        let ended = closedBy == .client ? ", then the client closed the connection itself" : ""
        if let selected = probe.negotiation?.selectedProtocol, !selected.isDisjoint(with: [.hybrid, .hybridEx]) {
            if let error = probe.credssp?.errorCode {
                return Verdict(
                    outcome: .fails, step: .credssp,
                    summary: "CredSSP failed before any credential was checked (NTSTATUS \(CatalogueKey(.ntstatus, error).hexValue)).",
                    codes: catalogue.clientCodes(.credentialsRefused, value: UInt64(error.rawValue)))
            }
            return Verdict(
                outcome: .reachesCredentials, step: .credssp,
                summary: closedBy == .client
                    ? "The connection worked up to NLA (CredSSP), then the client closed it itself."
                    : "The connection worked up to NLA (CredSSP); the account decided the rest.")
        }
        if probe.negotiation?.selectedProtocol == .rdp {
            return Verdict(
                outcome: .reachesLogon, step: .mcs,
                summary:
                    "The client connected with standard RDP security (no TLS): it works, but the server's identity is not verified\(ended.isEmpty ? "" : "; the client closed the connection itself")."
            )
        }
        return Verdict(
            outcome: .reachesLogon, step: probe.timings.last?.step,
            summary: "The client got through \(probe.timings.last.map { Names.step($0.step) } ?? "the handshake")\(ended).")
    }

    /// The pair as a client dialog shows it: "0x904 / 0x7".
    static func shown(_ codes: ClientCodes) -> String {
        [codes.error, codes.extended].compactMap { $0?.hexValue }.joined(separator: " / ")
    }
}
