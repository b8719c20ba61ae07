import ProbeCore

/// Licensing, server error info, redirection, and the logon screen.
enum SessionRules {
    static func findings(_ o: CheckObservations) -> [Finding] {
        guard let session = o.defaultClient?.session else { return [] }
        var findings: [Finding] = []
        switch session.licensing {
        case .validClient?:
            findings.append(Finding(id: "licensing.valid-client", level: .good, section: .session,
                                    title: "Licensing: nothing to license (valid client)",
                                    detail: "The server answered with STATUS_VALID_CLIENT / ST_NO_TRANSITION.", codes: ["license:0x7"]))
        case .licenseRequest?:
            findings.append(Finding(id: "licensing.request", level: .info, section: .session,
                                    title: "Licensing: the server runs the license exchange",
                                    detail: session.demandActive
                                        ? "rdpdoctor answered as a client with no stored license would, and the server went on."
                                        : "A client answers with its stored license or asks for a new one; the exchange did not complete here."))
        case let .error(code, state)?:
            let hex = "0x" + String(code, radix: 16, uppercase: true)
            findings.append(Finding(id: "licensing.error", level: .fail, section: .session,
                                    title: "Licensing fails with error \(hex)",
                                    detail: "The server's licensing error message: error \(hex), state transition 0x\(String(state, radix: 16)).",
                                    codes: ["license:\(hex)", "licensestate:0x\(String(state, radix: 16))", "disconnect:0x808"]))
        case .other(let type)?:
            findings.append(Finding(id: "licensing.other", level: .info, section: .session,
                                    title: "Licensing message type 0x\(String(type, radix: 16))", detail: "Not decoded further."))
        case nil:
            break
        }
        for info in session.errorInfo where info != 0 {
            let hex = "0x" + String(info, radix: 16, uppercase: true)
            findings.append(Finding(id: "session.error-info", level: .fail, section: .session,
                                    title: "The server sent error info \(hex)",
                                    detail: "A Set Error Info PDU: the client shows this as its extended error code.",
                                    codes: ["errinfo:\(hex)"]))
        }
        if session.redirected {
            findings.append(Finding(id: "session.redirected", level: .info, section: .session,
                                    title: "The server redirects the client (connection broker)",
                                    detail: "A Server Redirection PDU arrived: the session continues on another host."))
        }
        if session.demandActive {
            findings.append(Finding(id: "session.logon-screen", level: .good, section: .session,
                                    title: "The logon screen would be shown",
                                    detail: "The server sent its Demand Active PDU (capabilities) after licensing: the connection sequence works end to end up to logon."))
        }
        return findings
    }
}
