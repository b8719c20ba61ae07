import Capture
import CaptureAnalysis
import Catalogue
import CertificateAudit
import ProbeCore

/// `rdpdoctor analyze --zeek`: one record per RDP connection in the layout of
/// Zeek's `rdp.log` (TSV with its `#fields` header; field names and values as
/// Zeek's RDP analyzer writes them), for tools that already read Zeek logs.
/// What the capture did not show is Zeek's unset field (`-`). The words come
/// from wirenames.json (the `zeek-*` tables).
public struct ZeekLogRenderer: Sendable {
    /// Show user names from `mstshash=` cookies (hidden by default, as in the other outputs).
    public let showNames: Bool

    public init(showNames: Bool) {
        self.showNames = showNames
    }

    static let fields: [(name: String, type: String)] = [
        ("ts", "time"), ("uid", "string"), ("id.orig_h", "addr"), ("id.orig_p", "port"),
        ("id.resp_h", "addr"), ("id.resp_p", "port"), ("cookie", "string"), ("result", "string"),
        ("security_protocol", "string"), ("client_channels", "vector[string]"), ("keyboard_layout", "string"),
        ("client_build", "string"), ("client_name", "string"), ("client_dig_product_id", "string"),
        ("desktop_width", "count"), ("desktop_height", "count"), ("requested_color_depth", "string"),
        ("cert_type", "string"), ("cert_count", "count"), ("cert_permanent", "bool"),
        ("encryption_level", "string"), ("encryption_method", "string"),
    ]
    static let unset = "-"

    public func render(_ report: CaptureReport) -> String {
        let connections = report.connections.map(\.captured).sorted { $0.startMicros < $1.startMicros }
        let opened = connections.first.map { Self.zeekDate($0.startMicros) } ?? Self.zeekDate(0)
        var lines = [
            "#separator \\x09", "#set_separator\t,", "#empty_field\t(empty)", "#unset_field\t-", "#path\trdp",
            "#open\t\(opened)",
            "#fields\t" + Self.fields.map(\.name).joined(separator: "\t"),
            "#types\t" + Self.fields.map(\.type).joined(separator: "\t"),
        ]
        lines += connections.map { record($0).joined(separator: "\t") }
        lines.append("#close\t\(connections.last.map { Self.zeekDate($0.startMicros) } ?? opened)")
        return lines.joined(separator: "\n") + "\n"
    }

    /// The values of one connection, in `fields` order.
    func record(_ connection: CapturedConnection) -> [String] {
        let record = connection.record
        let data = record.serverData
        let certificate: (type: String?, count: Int) =
            switch data?.certificate {
            case .proprietary?: (word(.zeekCertType, 1), 1)
            case .x509(let chain)?: (word(.zeekCertType, 2), chain.count)
            case nil: (nil, 0)
            }
        return [
            Self.time(connection.startMicros), Self.uid(connection),
            "\(connection.client.address)", "\(connection.client.port)",
            "\(connection.server.address)", "\(connection.server.port)",
            cookie(connection.cookie) ?? Self.unset,
            result(record) ?? Self.unset,
            record.negotiation?.selectedProtocol.map { word(.zeekSecurityProtocol, $0.rawValue) ?? "security_protocol-\($0.rawValue)" } ?? Self.unset,
        ] + client(connection.clientData)
            + [
                certificate.type ?? Self.unset, "\(certificate.count)", Self.unset,
                data?.encryptionLevel.map { word(.zeekEncryptionLevel, $0.rawValue) ?? "encryption_level-\($0.rawValue)" } ?? Self.unset,
                data?.encryptionMethod.map { word(.zeekEncryptionMethod, $0.rawValue) ?? "encryption_method-\($0.rawValue)" } ?? Self.unset,
            ].map(Self.escaped)
    }

    /// The client's fields, `client_channels` to `requested_color_depth`, as
    /// Zeek's analyzer fills them from the Client Core and Network Data.
    func client(_ data: ClientDataObservation?) -> [String] {
        guard let data else { return Array(repeating: Self.unset, count: 8) }
        let channels = data.channels.map { $0.isEmpty ? "(empty)" : $0.joined(separator: ",") } ?? Self.unset
        // Zeek: "32bit" when the client wants a 32-bit session, else the highColorDepth word.
        let depth: String =
            if data.requestedColorDepth == 32 {
                "32bit"
            } else if let high = data.highColorDepth {
                word(.zeekHighColorDepth, high) ?? "high_color_depth-\(high)"
            } else {
                Self.unset
            }
        return [
            channels,
            word(.zeekKeyboardLayout, data.keyboardLayout) ?? "keyboard-\(data.keyboardLayout)",
            word(.zeekClientBuild, data.clientBuild) ?? "client_build-\(data.clientBuild)",
            data.clientName.isEmpty ? "(empty)" : data.clientName,
            data.clientDigProductID ?? Self.unset,
            "\(data.desktopWidth)", "\(data.desktopHeight)", depth,
        ]
    }

    /// Zeek's `result`: the negotiation failure, else the GCC result, else
    /// "encrypted" once TLS or standard RDP encryption began.
    func result(_ record: ProbeRecord) -> String? {
        if case .failure(let code)? = record.negotiation {
            return word(.zeekFailureCode, code.rawValue) ?? "failure_code-\(code.rawValue)"
        }
        if let result = record.serverData?.mcsResult {
            return word(.zeekGCCResult, result.rawValue) ?? "result-\(result.rawValue)"
        }
        let encrypted =
            record.tls != nil || record.timings.contains { $0.step == .tls }
            || !(record.serverData?.encryptionMethod ?? .none).isEmpty
        return encrypted ? "encrypted" : nil
    }

    func cookie(_ cookie: String?) -> String? {
        guard let cookie else { return nil }
        let prefix = "mstshash="
        guard cookie.hasPrefix(prefix) else { return cookie }
        return showNames ? String(cookie.dropFirst(prefix.count)) : "(hidden)"
    }

    func word(_ table: WireTable, _ value: some BinaryInteger) -> String? {
        Catalogue.current.wireName(table, value)
    }

    /// Seconds since the epoch with microseconds, as Zeek writes `time`.
    static func time(_ micros: Int64) -> String {
        let fraction = String(micros % 1_000_000)
        return "\(micros / 1_000_000)." + String(repeating: "0", count: 6 - fraction.count) + fraction
    }

    /// A stable connection id in Zeek's style ("C" and base62): the same capture
    /// gives the same ids, so records can be joined across runs.
    static func uid(_ connection: CapturedConnection) -> String {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in Array("\(connection.client)>\(connection.server)@\(connection.startMicros)".utf8) {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        }
        let digits = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
        var text = ""
        for _ in 0..<11 {  // 62^11 > 2^64
            text.append(digits[Int(hash % 62)])
            hash /= 62
        }
        return "C" + text
    }

    /// Zeek's `#open`/`#close` form: 2026-12-04-21-02-16.
    static func zeekDate(_ micros: Int64) -> String {
        String(CivilTime.iso8601(secondsSinceEpoch: micros / 1_000_000).prefix(19).map { $0 == "T" || $0 == ":" ? "-" : $0 })
    }

    /// Zeek escapes the separator and non-printable bytes as \xHH.
    static func escaped(_ value: String) -> String {
        var out = ""
        for scalar in value.unicodeScalars {
            if scalar == "\t" || scalar == "\\" || scalar.value < 0x20 || scalar.value == 0x7F {
                out += "\\x" + String(scalar.value, radix: 16).leftPadded(to: 2)
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}
