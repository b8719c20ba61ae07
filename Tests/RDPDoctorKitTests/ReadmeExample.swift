// The README's "Use it from Swift" example, compiled as part of the tests so
// it cannot rot. ReadmeExampleTests checks that README.md shows this exact
// code (between the two markers) and runs it against a closed loopback port.

// README example begins
import RDPDoctorKit

/// What a dialog's codes mean, then where a connection to `host` stops.
func troubleshoot(host: String, password: String? = nil) async throws -> String {
    // The pair a Microsoft client showed: "Error code: 0x904, Extended error code: 0x7".
    let explanations = try explain("0x904 0x7")
    var text = render(explanations, json: false)

    var options = CheckOptions(timeout: 10, quick: true)
    if let password {  // check an account over NLA, as `--user CORP\alice` does
        options.credentials = CredentialRequest(
            user: "alice", domain: "CORP", password: password,
            logon: false, insecure: false)
    }
    let report = try await check(host, options: options)
    if report.verdict.outcome == .fails, let step = report.verdict.step {
        text += "A Microsoft client would stop at \(step.rawValue): \(report.verdict.summary)\n"
    }
    return text + render(report, json: false)  // or json: true for rdpdoctor.check/3
}
// README example ends
