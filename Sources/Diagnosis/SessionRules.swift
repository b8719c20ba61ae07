import Catalogue
import ProbeCore
import RDPProtocol

/// Licensing, server error info, redirection, and the start of the session.
enum SessionRules: DiagnosisRule {
    static func findings(_ input: RuleInput) -> [Finding] {
        let o = input.observations
        let catalogue = input.catalogue
        guard let walk = o.sessionWalk, let session = walk.session else { return [] }
        var findings: [Finding] = []
        switch session.licensing {
        case .validClient?:
            findings.append(
                Finding(
                    id: .licensingValidClient, level: .good, section: .session,
                    title: "Licensing: nothing to license (valid client)",
                    detail: "The server answered with STATUS_VALID_CLIENT / ST_NO_TRANSITION.", codes: [CatalogueKey(.license, 0x7)]))
        case .licenseRequest?:
            findings.append(
                Finding(
                    id: .licensingRequest, level: .info, section: .session,
                    title: "Licensing: the server runs the license exchange",
                    detail: session.demandActive
                        ? "rdpdoctor answered as a client with no stored license would, and the server went on."
                        : "A client answers with its stored license or asks for a new one; the exchange did not complete here."))
        case let .error(code, state)?:
            let error = CatalogueKey(.license, code)
            let transition = CatalogueKey(.licensestate, state)
            findings.append(
                Finding(
                    id: .licensingError, level: .fail, section: .session,
                    title: "Licensing fails with error \(error.hexValue)",
                    detail: "The server's licensing error message: error \(error.hexValue), state transition \(transition.hexValue).",
                    codes: [error, transition] + catalogue.clientCodes(.licensingError).keys))
        case .other(let type)?:
            findings.append(
                Finding(
                    id: .licensingOther, level: .info, section: .session,
                    title: "Licensing message type 0x\(String(type, radix: 16))", detail: "Not decoded further."))
        case nil:
            break
        }
        for info in session.errorInfo where info != .none {
            let key = CatalogueKey(.errinfo, info)
            findings.append(
                Finding(
                    id: .sessionErrorInfo, level: .fail, section: .session,
                    title: "The server sent error info \(key.hexValue)",
                    detail: "A Set Error Info PDU: the client shows this as its extended error code.",
                    codes: [key]))
        }
        if session.redirected {
            findings.append(
                Finding(
                    id: .sessionRedirected, level: .info, section: .session,
                    title: "The server redirects the client (connection broker)",
                    detail: "A Server Redirection PDU arrived: the session continues on another host."))
        }
        if session.demandActive {
            let os = Names.serverOS(major: session.serverOSMajor, minor: session.serverOSMinor)
            findings.append(
                Finding(
                    id: .sessionStarted, level: .good, section: .session,
                    title: "The session starts",
                    detail:
                        "The server sent its Demand Active PDU (capabilities)\(os.map { ", saying it runs on \($0)" } ?? ""): the connection sequence works end to end. What the session shows first is not in the protocol: a logon screen on Windows and xrdp, but on some servers the desktop itself, without any logon."
                ))
            let nla = walk.negotiation?.selectedProtocol ?? .rdp
            if session.serverOSMajor == Names.unixOS, nla.isDisjoint(with: [.hybrid, .hybridEx]) {
                findings.append(
                    Finding(
                        id: .sessionMaybeNoLogon, level: .warn, section: .session,
                        title: "Anyone who connects may get a desktop without logging on",
                        detail:
                            "The server says it runs on \(os ?? "UNIX") and asks for no authentication before the session (no NLA). FreeRDP-based servers of this kind (weston's RDP backend) show their desktop to every client with no logon at all; nothing in the protocol tells whether this one does.",
                        fixes: [
                            "Put the server behind NLA, a VPN or an authenticating RD Gateway, or configure it to require a logon (weston: run it only on loopback for a trusted local client)."
                        ]))
            }
        }
        return findings
    }
}
