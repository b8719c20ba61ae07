import ProbeCore

/// One judgement about an .rdp file, made by a lint rule from the file's lines.
public struct RDPFileFinding: Codable, Sendable, Equatable {
    /// Report groups, in the order the text report prints them.
    public enum Topic: String, Codable, Sendable, CaseIterable {
        case syntax = "File syntax"
        case settings = "Setting names and values"
        case address = "Address and port"
        case authentication = "Authentication"
        case gateway = "RD Gateway"
        case entra = "Microsoft Entra ID"
        case macOS = "Windows App on macOS"
    }

    /// A stable identifier (`rdpfile.unknown-key`), for scripts and tests.
    public let id: String
    public let level: Finding.Level
    public let topic: Topic
    public let title: String
    /// The evidence, in a sentence or two.
    public let detail: String
    /// What to do: each names the exact line to write (or to delete).
    public let fixes: [String]
    /// The line of the file it is about (1 is the first), when it is about one.
    public let line: Int?
    /// The setting's name, lower case, when it is about one.
    public let setting: String?

    public init(
        id: String, level: Finding.Level, topic: Topic, title: String, detail: String,
        fixes: [String] = [], line: Int? = nil, setting: String? = nil
    ) {
        self.id = id
        self.level = level
        self.topic = topic
        self.title = title
        self.detail = detail
        self.fixes = fixes
        self.line = line
        self.setting = setting
    }
}

/// The result of linting one file.
public struct RDPFileLintReport: Codable, Sendable {
    /// How many `name:type:value` lines the file holds.
    public let settingCount: Int
    public let findings: [RDPFileFinding]

    public init(settingCount: Int, findings: [RDPFileFinding]) {
        self.settingCount = settingCount
        self.findings = findings
    }

    /// 0 clean (good and info only), 1 warnings, 2 a setting that breaks the connection.
    public var exitStatus: Int32 {
        if findings.contains(where: { $0.level == .fail }) { return 2 }
        if findings.contains(where: { $0.level == .warn }) { return 1 }
        return 0
    }
}

/// The lint rules. Facts about names, types and values come from
/// `RDPSettingFacts`; the rules here only compare the file against them and
/// against each other.
public enum RDPFileLinter {
    /// Line-by-line findings beyond this many are summed up in one finding.
    public static let maximumLineFindings = 100
    /// Names longer than this get no spelling suggestion (bounds the work).
    static let maximumSuggestedNameLength = 64

    public static func lint(_ lines: [RDPFileLine]) -> RDPFileLintReport {
        var perLine: [RDPFileFinding] = []
        var settings: [String: (line: RDPFileLine, setting: RDPFileLine.Setting)] = [:]
        var firstSeen: [String: RDPFileLine] = [:]
        for line in lines {
            perLine += lineFindings(line, firstSeen: &firstSeen, budgetLeft: maximumLineFindings - perLine.count)
            if let setting = line.setting, settings[setting.key] == nil {
                settings[setting.key] = (line, setting)
            }
        }
        var findings = Array(perLine.prefix(maximumLineFindings))
        if perLine.count > maximumLineFindings {
            // As grave as the gravest one left out, so the exit status does not hide it.
            let left = perLine.dropFirst(maximumLineFindings)
            findings.append(
                RDPFileFinding(
                    id: "rdpfile.more-findings", level: left.map(\.level).max() ?? .info, topic: .syntax,
                    title: "\(left.count) more line finding\(left.count == 1 ? "" : "s") not listed",
                    detail: "Only the first \(maximumLineFindings) line findings are listed; fix those and run lint again to see the rest."))
        }
        let view = SettingsView(settings: settings)
        findings += addressFindings(view)
        findings += authenticationFindings(view)
        findings += gatewayFindings(view)
        findings += entraFindings(view)
        findings += macOSFindings(view)
        let ordered = RDPFileFinding.Topic.allCases.flatMap { topic in findings.filter { $0.topic == topic } }
        return RDPFileLintReport(settingCount: lines.filter { $0.setting != nil }.count, findings: ordered)
    }

    /// The first occurrence of each setting, read with the types the table gives.
    struct SettingsView {
        let settings: [String: (line: RDPFileLine, setting: RDPFileLine.Setting)]

        /// The value of a setting written with its documented type letter.
        func string(_ name: String) -> String? {
            guard let entry = settings[name], let fact = RDPSettingFacts.fact(name),
                entry.setting.type.lowercased() == fact.type.rawValue
            else { return nil }
            return entry.setting.value
        }

        func integer(_ name: String) -> Int? { string(name).flatMap { Int($0) } }

        func line(_ name: String) -> Int? { settings[name]?.line.number }
    }

    // MARK: - One line at a time

    static func lineFindings(
        _ line: RDPFileLine, firstSeen: inout [String: RDPFileLine],
        budgetLeft: Int
    ) -> [RDPFileFinding] {
        guard let setting = line.setting else {
            return [
                RDPFileFinding(
                    id: "rdpfile.malformed-line", level: .warn, topic: .syntax,
                    title: "Line \(line.number) is not a setting",
                    detail: "`\(shortened(line.text))` is not `name:type:value`; clients skip it.",
                    fixes: ["delete line \(line.number), or write it as `name:type:value` (for example `full address:s:host.example.com`)"],
                    line: line.number)
            ]
        }
        var findings: [RDPFileFinding] = []
        if let earlier = firstSeen[setting.key] {
            let same = earlier.setting?.value == setting.value && earlier.setting?.type == setting.type
            findings.append(
                RDPFileFinding(
                    id: "rdpfile.duplicate-key", level: same ? .info : .warn, topic: .syntax,
                    title: "`\(setting.name)` is set twice (lines \(earlier.number) and \(line.number))",
                    detail: same
                        ? "Both lines say the same; the second is redundant."
                        : "The lines disagree (`\(shortened(earlier.text))` and `\(shortened(line.text))`); which one a client takes is not documented.",
                    fixes: [
                        same
                            ? "delete line \(line.number)"
                            : "keep the line with the value you mean and delete the other (line \(earlier.number) or \(line.number))"
                    ],
                    line: line.number, setting: setting.key))
        } else {
            firstSeen[setting.key] = line
        }
        guard let fact = RDPSettingFacts.fact(setting.name) else {
            // Spelling suggestions cost an edit distance per known name: only while the budget lasts.
            let suggestion = budgetLeft > findings.count ? nearestKnownName(setting.key) : nil
            if let suggestion {
                let fact = RDPSettingFacts.fact(suggestion)!
                return findings + [
                    RDPFileFinding(
                        id: "rdpfile.misspelled-key", level: .warn, topic: .settings,
                        title: "Unknown setting `\(setting.name)`: did you mean `\(suggestion)`?",
                        detail:
                            "Line \(line.number): clients ignore names they do not know, so this setting has no effect. `\(suggestion)` is \(article(fact.type)) \(typeName(fact.type)) setting (\(fact.source.citation)).",
                        fixes: ["write `\(fact.line(setting.value))`"],
                        line: line.number, setting: setting.key)
                ]
            }
            return findings + [
                RDPFileFinding(
                    id: "rdpfile.unknown-key", level: .info, topic: .settings,
                    title: "Unknown setting `\(setting.name)`",
                    detail:
                        "Line \(line.number): the setting is in none of the documents rdpdoctor's table follows (Microsoft's property pages, FreeRDP's parser); a client that does not know it ignores it.",
                    fixes: ["delete line \(line.number) if no client you use reads it"],
                    line: line.number, setting: setting.key)
            ]
        }
        let letter = setting.type.lowercased()
        guard ["i", "s", "b"].contains(letter) else {
            return findings + [
                RDPFileFinding(
                    id: "rdpfile.unknown-type", level: .warn, topic: .settings,
                    title: "`\(setting.name)` has the type letter `\(setting.type)`",
                    detail:
                        "Line \(line.number): the type letter is `i` (integer), `s` (string) or `b` (binary); `\(fact.name)` is \(article(fact.type)) \(typeName(fact.type)) setting, and a client does not read it as written.",
                    fixes: [fixLine(fact, setting.value)],
                    line: line.number, setting: fact.name)
            ]
        }
        guard letter == fact.type.rawValue else {
            return findings + [
                RDPFileFinding(
                    id: "rdpfile.wrong-type", level: .warn, topic: .settings,
                    title: "`\(setting.name)` is written as \(typeName(letter)), but it is \(article(fact.type)) \(typeName(fact.type))",
                    detail:
                        "Line \(line.number): `\(shortened(line.text))`. `\(fact.name)` is \(article(fact.type)) \(typeName(fact.type)) setting (\(fact.source.citation)); FreeRDP's parser and rdpdoctor read a setting only under its own type letter, so for them this line does not set it, and what mstsc does with it is not documented.",
                    fixes: [fixLine(fact, setting.value)],
                    line: line.number, setting: fact.name)
            ]
        }
        guard fact.type == .integer else { return findings }
        guard let number = Int(setting.value) else {
            return findings + [
                RDPFileFinding(
                    id: "rdpfile.not-a-number", level: .warn, topic: .settings,
                    title: "`\(fact.name)` is not a whole number",
                    detail:
                        "Line \(line.number): `\(shortened(setting.value))` cannot be read as an integer, so the setting does not take effect\(fact.values == .any ? "" : " (documented values: \(fact.values.text))").",
                    fixes: [fixLine(fact, nil)],
                    line: line.number, setting: fact.name)
            ]
        }
        guard fact.values.allows(number) else {
            return findings + [
                RDPFileFinding(
                    id: "rdpfile.value-out-of-range", level: .warn, topic: .settings,
                    title: "`\(fact.name):i:\(number)` is not a documented value",
                    detail:
                        "Line \(line.number): the documented values are \(fact.values.text) (\(fact.source.citation)); what a client does with \(number) is not documented.",
                    fixes: [fixLine(fact, nil)],
                    line: line.number, setting: fact.name)
            ]
        }
        return findings
    }

    /// The line to write: the value kept when it fits the type, else the documented choices.
    static func fixLine(_ fact: RDPSettingFact, _ value: String?) -> String {
        if let value {
            switch fact.type {
            case .integer where Int(value).map(fact.values.allows) == true: return "write `\(fact.line(value))`"
            case .string, .binary: return "write `\(fact.line(value))`"
            case .integer: break
            }
        }
        if case .oneOf(let values) = fact.values, let first = values.first {
            return "write `\(fact.line(String(first)))` with one of \(fact.values.text) in place of \(first)"
        }
        if case .range(let range) = fact.values {
            return "write `\(fact.line(String(range.lowerBound)))` with a number from \(fact.values.text)"
        }
        return "write `\(fact.line("0"))` with the whole number you mean in place of 0"
    }

    static func typeName(_ type: RDPSettingFact.ValueType) -> String { typeName(type.rawValue) }

    static func typeName(_ letter: String) -> String {
        switch letter {
        case "i": "integer (`i`)"
        case "s": "string (`s`)"
        case "b": "binary (`b`)"
        default: "`\(letter)`"
        }
    }

    static func article(_ type: RDPSettingFact.ValueType) -> String { type == .integer ? "an" : "a" }

    static func shortened(_ text: String) -> String {
        text.count <= 80 ? text : String(text.prefix(77)) + "…"
    }

    // MARK: - Names

    /// The known names as the spelling check compares them, prepared once:
    /// squeezing and splitting every name again for each unknown setting was
    /// half of a lint's time on a file full of unknown names.
    struct SpellingEntry: Sendable {
        let name: String
        let squeezed: String
        let scalars: [Unicode.Scalar]
    }

    static let spellingTable: [SpellingEntry] = RDPSettingFacts.all.map {
        SpellingEntry(name: $0.name, squeezed: squeeze($0.name), scalars: Array($0.name.unicodeScalars))
    }

    /// The known name an unknown one most likely meant: the same letters without
    /// spaces, `_` or `-`, or at most two edits away (three for long names).
    public static func nearestKnownName(_ name: String) -> String? {
        // Compared as Unicode scalars: the known names are ASCII, and comparing
        // Characters (grapheme clusters) cost most of a lint's time.
        let written = Array(name.lowercased().unicodeScalars)
        guard written.count <= maximumSuggestedNameLength else { return nil }
        let squeezed = squeeze(String(String.UnicodeScalarView(written)))
        if let same = spellingTable.first(where: { $0.squeezed == squeezed }) { return same.name }
        let limit = written.count >= 12 ? 3 : 2
        var best: (name: String, distance: Int)?
        for known in spellingTable {
            guard abs(known.scalars.count - written.count) <= limit else { continue }
            let distance = editDistance(written, known.scalars, limit: limit)
            if distance <= limit, distance < (best?.distance ?? .max) { best = (known.name, distance) }
        }
        return best?.name
    }

    static func squeeze(_ name: String) -> String { name.filter { $0 != " " && $0 != "_" && $0 != "-" } }

    /// Levenshtein distance, giving up (returning `limit + 1`) once every path
    /// exceeds `limit`. Only the cells within `limit` of the diagonal are
    /// computed: any path through another one already costs more than `limit`.
    static func editDistance<Element: Equatable>(_ a: [Element], _ b: [Element], limit: Int) -> Int {
        let beyond = limit + 1
        guard abs(a.count - b.count) <= limit else { return beyond }
        if a.isEmpty || b.isEmpty { return max(a.count, b.count) }
        // Two rows on the stack: the check runs against every known name, and
        // two heap arrays for each were most of its cost.
        return withUnsafeTemporaryAllocation(of: Int.self, capacity: 2 * (b.count + 1)) { cells in
            var previous = UnsafeMutableBufferPointer(rebasing: cells[0...b.count])
            var current = UnsafeMutableBufferPointer(rebasing: cells[(b.count + 1)...])
            for j in 0...b.count {
                previous[j] = min(j, beyond)
                current[j] = beyond
            }
            for i in 1...a.count {
                let low = max(1, i - limit)
                let high = min(b.count, i + limit)
                // The cell left of the band was inside it two rows ago: reset it. The
                // cells right of it were never written and hold `beyond`.
                current[low - 1] = low == 1 ? min(i, beyond) : beyond
                var rowBest = current[low - 1]
                for j in low...high {
                    let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                    current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
                    rowBest = min(rowBest, current[j])
                }
                if rowBest > limit { return beyond }
                swap(&previous, &current)
            }
            return min(previous[b.count], beyond)
        }
    }

    // MARK: - Across settings

    static func addressFindings(_ view: SettingsView) -> [RDPFileFinding] {
        guard let address = view.string("full address"), !address.isEmpty else {
            let alternate = view.string("alternate full address").flatMap { $0.isEmpty ? nil : $0 }
            return [
                RDPFileFinding(
                    id: "rdpfile.no-address", level: .fail, topic: .address,
                    title: "No `full address`",
                    detail:
                        "`full address:s:` names the computer to connect to and is the only setting an .rdp file must have (Microsoft, \"Supported RDP properties\")\(view.line("full address").map { "; line \($0) leaves it empty or gives it the wrong type" } ?? "")\(alternate.map { "; `alternate full address` (\($0)) does not replace it" } ?? "").",
                    fixes: ["write `full address:s:\(alternate ?? "HOST")`\(alternate == nil ? " with the computer's name or address in place of HOST" : "")"],
                    line: view.line("full address"), setting: "full address")
            ]
        }
        let target: Target
        do {
            target = try Target.parse(address)
        } catch {
            return [
                RDPFileFinding(
                    id: "rdpfile.bad-address", level: .fail, topic: .address,
                    title: "`full address` cannot be read",
                    detail: "Line \(view.line("full address") ?? 0): `\(shortened(address))`: \(error.description).",
                    fixes: ["write `full address:s:HOST` or `full address:s:HOST:PORT` (IPv6 as `[ADDRESS]:PORT`)"],
                    line: view.line("full address"), setting: "full address")
            ]
        }
        guard let ownPort = RDPFile.ownPort(of: address), let serverPort = view.integer("server port"),
            (1...65535).contains(serverPort), serverPort != Int(ownPort)
        else { return [] }
        let host = address.hasPrefix("[") ? "[\(target.host)]" : target.host
        return [
            RDPFileFinding(
                id: "rdpfile.port-mismatch", level: .warn, topic: .address,
                title: "`full address` says port \(ownPort), `server port` says \(serverPort)",
                detail:
                    "A port written in `full address` is the one the client connects to; `server port` (line \(view.line("server port") ?? 0)) applies only to an address without one, so \(serverPort) is not used. rdpdoctor check reads the file the same way.",
                fixes: [
                    "if \(ownPort) is right: write `server port:i:\(ownPort)` (or delete line \(view.line("server port") ?? 0))",
                    "if \(serverPort) is right: write `full address:s:\(host):\(serverPort)`",
                ],
                line: view.line("server port"), setting: "server port")
        ]
    }

    static func authenticationFindings(_ view: SettingsView) -> [RDPFileFinding] {
        guard view.integer("enablecredsspsupport") == 0 else { return [] }
        var findings = [
            RDPFileFinding(
                id: "rdpfile.credssp-off", level: .warn, topic: .authentication,
                title: "CredSSP (Network Level Authentication) is turned off",
                detail:
                    "`enablecredsspsupport:i:0` (line \(view.line("enablecredsspsupport") ?? 0)): the client will not offer NLA, so a server that requires it refuses the connection during negotiation (HYBRID_REQUIRED_BY_SERVER; `rdpdoctor explain negfailure:5`). `rdpdoctor check` shows whether the server requires it.",
                fixes: ["write `enablecredsspsupport:i:1`"],
                line: view.line("enablecredsspsupport"), setting: "enablecredsspsupport")
        ]
        if let level = view.integer("authentication level"), level == 1 || level == 2 {
            findings.append(
                RDPFileFinding(
                    id: "rdpfile.credssp-off-server-auth", level: .warn, topic: .authentication,
                    title: "Server authentication is asked for with CredSSP turned off",
                    detail:
                        "`authentication level:i:\(level)` (line \(view.line("authentication level") ?? 0)) asks the client to \(level == 1 ? "refuse" : "warn about") a server it cannot authenticate, while `enablecredsspsupport:i:0` removes the NLA exchange in which a domain server proves itself with Kerberos; only the TLS certificate is left, so a server with a self-signed certificate \(level == 1 ? "is refused" : "brings the warning on every connection").",
                    fixes: [
                        "write `enablecredsspsupport:i:1`",
                        "or give the server a certificate the client trusts (see `rdpdoctor check`)",
                    ],
                    line: view.line("authentication level"), setting: "authentication level"))
        }
        return findings
    }

    static func gatewayFindings(_ view: SettingsView) -> [RDPFileFinding] {
        let host = view.string("gatewayhostname").flatMap { $0.isEmpty ? nil : $0 }
        let usage = view.integer("gatewayusagemethod")
        let explicitProfile = view.integer("gatewayprofileusagemethod") == 1
        if host == nil, let usage, usage == 1 || usage == 2 {
            let level: Finding.Level = usage == 2 ? .info : (explicitProfile ? .fail : .warn)
            let what =
                usage == 1
                ? "`gatewayusagemethod:i:1` sends every connection through an RD Gateway"
                : "`gatewayusagemethod:i:2` falls back to an RD Gateway when a direct connection fails"
            let consequence =
                usage == 2
                ? "so there is nothing to fall back to."
                : explicitProfile
                    ? "and `gatewayprofileusagemethod:i:1` says to use this file's settings, so the client has no gateway to connect through."
                    : "and unless an administrator's default gateway applies (`gatewayprofileusagemethod` is not 1), the client has no gateway to connect through."
            return [
                RDPFileFinding(
                    id: "rdpfile.gateway-without-host", level: level, topic: .gateway,
                    title: usage == 1 ? "A gateway is required but none is named" : "Gateway fallback without a gateway",
                    detail:
                        "\(what) (line \(view.line("gatewayusagemethod") ?? 0)), but `gatewayhostname` is \(view.line("gatewayhostname") == nil ? "missing" : "empty") \(consequence)",
                    fixes: [
                        "write `gatewayhostname:s:GATEWAY` with the RD Gateway's name in place of GATEWAY",
                        "or, to connect directly: write `gatewayusagemethod:i:4`",
                    ],
                    line: view.line("gatewayusagemethod"), setting: "gatewayusagemethod")
            ]
        }
        if let host, let usage, usage == 0 || usage == 4 {
            return [
                RDPFileFinding(
                    id: "rdpfile.gateway-unused", level: .info, topic: .gateway,
                    title: "A gateway is named but not used",
                    detail:
                        "`gatewayhostname` is \(host) (line \(view.line("gatewayhostname") ?? 0)), but `gatewayusagemethod:i:\(usage)` says not to use a gateway; the client connects directly.",
                    fixes: ["to go through \(host): write `gatewayusagemethod:i:1` and `gatewayprofileusagemethod:i:1`"],
                    line: view.line("gatewayusagemethod"), setting: "gatewayusagemethod")
            ]
        }
        return []
    }

    static func entraFindings(_ view: SettingsView) -> [RDPFileFinding] {
        let rdsAAD = view.integer("enablerdsaadauth") == 1
        let targetJoined = view.integer("targetisaadjoined") == 1
        var findings: [RDPFileFinding] = []
        if rdsAAD && targetJoined {
            findings.append(
                RDPFileFinding(
                    id: "rdpfile.entra-both", level: .warn, topic: .entra,
                    title: "`enablerdsaadauth:i:1` and `targetisaadjoined:i:1` together",
                    detail:
                        "They are two ways to reach a Microsoft Entra joined computer: `enablerdsaadauth` signs in with Microsoft Entra ID, `targetisaadjoined` allows only a user name and password, and Microsoft documents that `enablerdsaadauth` replaces it (\(RDPSettingSource.microsoftRDPProperties.citation)). Which one a client follows with both set is not documented.",
                    fixes: ["delete line \(view.line("targetisaadjoined") ?? 0) (`targetisaadjoined:i:1`)"],
                    line: view.line("targetisaadjoined"), setting: "targetisaadjoined"))
        }
        if let user = view.string("username"), user.lowercased().hasPrefix("azuread\\"), !rdsAAD, !targetJoined {
            findings.append(
                RDPFileFinding(
                    id: "rdpfile.entra-target-without-auth", level: .warn, topic: .entra,
                    title: "An Entra ID account without `enablerdsaadauth` or `targetisaadjoined`",
                    detail:
                        "`username:s:\(user)` (line \(view.line("username") ?? 0)) is the AzureAD\\ form used for Microsoft Entra joined computers (\(RDPSettingSource.microsoftMacClient.citation)). With `targetisaadjoined` 0 or missing, only Windows devices that meet the Entra join requirements connect and other connections fail; `enablerdsaadauth:i:1` signs in with Microsoft Entra ID instead (\(RDPSettingSource.microsoftRDPProperties.citation)).",
                    fixes: [
                        "write `enablerdsaadauth:i:1`",
                        "or, for a user name and password from a device not joined to Entra ID: write `targetisaadjoined:i:1`",
                    ],
                    line: view.line("username"), setting: "username"))
        }
        return findings
    }

    static func macOSFindings(_ view: SettingsView) -> [RDPFileFinding] {
        RDPSettingFacts.all.compactMap { fact -> RDPFileFinding? in
            guard let gap = fact.macOS, let value = view.string(fact.name) else { return nil }
            let active: Bool
            switch fact.type {
            case .integer:
                guard let number = Int(value) else { return nil }
                active = gap.values.map { $0.contains(number) } ?? (number != 0)
            case .string, .binary:
                active = !value.isEmpty
            }
            guard active else { return nil }
            return RDPFileFinding(
                id: "rdpfile.macos-ignored", level: .info, topic: .macOS,
                title: "`\(fact.name)` has no effect in the Windows App on macOS",
                detail:
                    "Line \(view.line(fact.name) ?? 0) (`\(fact.line(shortened(value)))`): \(gap.statement) (\(gap.source.citation)). Windows clients still use it.",
                fixes: ["nothing to change for Windows clients; on a Mac, set the equivalent in the Windows App's own settings, where it has one"],
                line: view.line(fact.name), setting: fact.name)
        }
    }
}
