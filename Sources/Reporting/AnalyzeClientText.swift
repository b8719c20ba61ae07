import CaptureAnalysis
import Catalogue
import ProbeCore

// The client's MCS Connect Initial in `analyze`'s text: who the client was
// (its build, computer name, screen, keyboard), as the capture shows it.

extension AnalyzeTextRenderer {
    /// One line about the client's settings, or why they could not be read; nil when not visible.
    func clientLine(_ captured: CapturedConnection) -> String? {
        if let problem = captured.clientDataProblem {
            return "Client data: the client's MCS Connect Initial did not decode (\(problem))."
        }
        guard let data = captured.clientData else { return nil }
        var parts: [String] = []
        let build = Catalogue.current.wireName(.zeekClientBuild, data.clientBuild).map { " (\($0))" } ?? ""
        parts.append("build \(data.clientBuild)\(build)")
        if !data.clientName.isEmpty { parts.append("computer name \(data.clientName)") }
        parts.append("desktop \(data.desktopWidth)×\(data.desktopHeight)")
        if let depth = data.requestedColorDepth { parts.append("\(depth)-bit colour") }
        let layout = Catalogue.current.wireName(.zeekKeyboardLayout, data.keyboardLayout).map { " (\($0))" } ?? ""
        parts.append("keyboard layout 0x\(String(data.keyboardLayout, radix: 16, uppercase: true))\(layout)")
        if let product = data.clientDigProductID { parts.append("product id \(product)") }
        if let channels = data.channels, !channels.isEmpty { parts.append("channels \(channels.joined(separator: ", "))") }
        let seen = data.seen == .clear ? "in clear" : "decrypted"
        return "Client (its MCS Connect Initial, \(seen)): " + parts.joined(separator: ", ") + "."
    }
}
