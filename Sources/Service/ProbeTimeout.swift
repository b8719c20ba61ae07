import Foundation

// How long one scrape's probe may run, as blackbox_exporter decides it.

/// The probe's deadline from the scrape: Prometheus sends its own timeout in
/// `X-Prometheus-Scrape-Timeout-Seconds`; the probe gets that minus the
/// offset (so the answer arrives before Prometheus gives up), capped by the
/// module's timeout. Without the header (or with a bad one) the module's timeout
/// holds; when the offset leaves nothing, the module's timeout holds too
/// (blackbox_exporter's rule). Never more than the check's 120 s limit.
public enum ProbeTimeout {
    public static func seconds(scrapeTimeoutHeader header: String?, offset: Double, module: ProbeModule) -> Double {
        var scrape = 120.0
        if let header, let value = Double(header.trimmingCharacters(in: .whitespaces)), value.isFinite, value > 0 {
            scrape = value
        }
        let available = scrape - offset
        let chosen = (available <= 0 || module.timeout < available) ? module.timeout : available
        return min(chosen, ProbeModule.maximumTimeout)
    }
}
