/// The typed model of the catalogue's JSON files (docs/CATALOGUE-FORMAT.md).
/// Everything here is plain data; meaning lives in the files, not in code.

/// The step of the connection a code belongs to.
public enum Layer: String, Codable, Sendable, CaseIterable {
    case dns, tcp, negotiation, tls
    case rdpSecurity = "rdp-security"
    case credssp, authentication, licensing, mcs, session, policy, broker, gateway
    case `protocol`, client
    case transportUDP = "transport-udp"
    case disconnect
}

/// How sure the catalogue is of an entry's meaning.
public enum Certainty: String, Codable, Sendable, CaseIterable {
    /// A Microsoft specification or reference page defines it.
    case documented
    /// It follows from a documented structure, or is derived.
    case inferred
    /// Only release notes or field reports mention it.
    case reported
}

/// The rdpdoctor check step that can confirm an entry.
public enum CheckStep: String, Codable, Sendable, CaseIterable {
    case dns, tcp, negotiation, tls, certificate
    case rdpSecurity = "rdp-security"
    case credssp, logon, licensing, session, udp, path
}

/// A family's identifier and key prefix (`errinfo`, `disconnect`, ...).
/// Open: a family the code does not know by name still loads.
public struct FamilyID: RawRepresentable, Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
    public var description: String { rawValue }
    public static func < (lhs: FamilyID, rhs: FamilyID) -> Bool { lhs.rawValue < rhs.rawValue }

    public static let disconnect = FamilyID("disconnect")
    public static let extended = FamilyID("extended")
    public static let errinfo = FamilyID("errinfo")
    public static let negfailure = FamilyID("negfailure")
    public static let license = FamilyID("license")
    public static let licensestate = FamilyID("licensestate")
    public static let ntstatus = FamilyID("ntstatus")
    public static let sspi = FamilyID("sspi")
    public static let gateway = FamilyID("gateway")
    public static let newclient = FamilyID("newclient")
    public static let freerdp = FamilyID("freerdp")
    public static let hresult = FamilyID("hresult")
}

/// A number as the catalogue files write it: `"0x904"` or `"5"`.
public struct WrittenCode: Codable, Sendable, Hashable {
    public let value: UInt64
    public init(_ value: UInt64) { self.value = value }
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let parsed = CodeNumber.parse(text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "\"\(text)\" is not a 0x-hex or decimal number")
        }
        value = parsed.value
    }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(CodeNumber.hex(value))
    }
}

public struct Fixes: Codable, Sendable, Hashable {
    public let client: [String]
    public let server: [String]
    public init(client: [String], server: [String]) {
        self.client = client
        self.server = server
    }
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        client = try container.decodeIfPresent([String].self, forKey: .client) ?? []
        server = try container.decodeIfPresent([String].self, forKey: .server) ?? []
    }
}

/// One code of one family.
public struct CatalogueEntry: Codable, Sendable, Hashable {
    public let code: WrittenCode
    public let altCodes: [WrittenCode]
    public let name: String
    public let aliases: [String]
    public let layer: Layer
    public let summary: String
    public let meaning: String
    public let causes: [String]
    public let confirm: [String]
    public let fixes: Fixes
    public let check: CheckStep?
    public let certainty: Certainty
    public let source: String
    public let related: [CatalogueKey]

    enum CodingKeys: String, CodingKey {
        case code, altCodes, name, aliases, layer, summary, meaning, causes, confirm
        case fixes, check, certainty, source, related
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        code = try c.decode(WrittenCode.self, forKey: .code)
        altCodes = try c.decodeIfPresent([WrittenCode].self, forKey: .altCodes) ?? []
        name = try c.decode(String.self, forKey: .name)
        aliases = try c.decodeIfPresent([String].self, forKey: .aliases) ?? []
        layer = try c.decode(Layer.self, forKey: .layer)
        summary = try c.decode(String.self, forKey: .summary)
        meaning = try c.decode(String.self, forKey: .meaning)
        causes = try c.decode([String].self, forKey: .causes)
        confirm = try c.decode([String].self, forKey: .confirm)
        fixes = try c.decode(Fixes.self, forKey: .fixes)
        check = try c.decodeIfPresent(CheckStep.self, forKey: .check)
        certainty = try c.decode(Certainty.self, forKey: .certainty)
        source = try c.decode(String.self, forKey: .source)
        related = try c.decodeIfPresent([CatalogueKey].self, forKey: .related) ?? []
    }
}

/// Meaning for numbers of a family that have no entry of their own.
public struct RangeRule: Codable, Sendable, Hashable {
    public let from: WrittenCode
    public let to: WrittenCode
    public let layer: Layer
    public let meaning: String

    public func contains(_ value: UInt64) -> Bool { (from.value...to.value).contains(value) }
}

/// The disconnect reasons' structure: the low byte names a class.
public struct ClassRule: Codable, Sendable, Hashable {
    public let lowByte: WrittenCode
    public let layer: Layer
    public let meaning: String
}

public struct Family: Codable, Sendable {
    public let family: FamilyID
    public let title: String
    public let description: String
    public let source: String
    public let numberFormat: CodeNumber.Notation
    public let ranges: [RangeRule]
    public let classes: [ClassRule]
    public let entries: [CatalogueEntry]

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        family = try c.decode(FamilyID.self, forKey: .family)
        title = try c.decode(String.self, forKey: .title)
        description = try c.decode(String.self, forKey: .description)
        source = try c.decode(String.self, forKey: .source)
        numberFormat = try c.decode(CodeNumber.Notation.self, forKey: .numberFormat)
        ranges = try c.decodeIfPresent([RangeRule].self, forKey: .ranges) ?? []
        classes = try c.decodeIfPresent([ClassRule].self, forKey: .classes) ?? []
        entries = try c.decode([CatalogueEntry].self, forKey: .entries)
    }

    /// The key of a number in this family: `errinfo:0x7`, `negfailure:0x5`.
    public func key(for value: UInt64) -> CatalogueKey {
        CatalogueKey(family, value)
    }
}

/// A story told for a pair of codes shown together (error code + extended code).
public struct PairStory: Codable, Sendable {
    public struct Step: Codable, Sendable, Hashable {
        public let step: String
        public let culprits: [String]
    }
    /// What the first screen of `explain` shows: the story in a few lines,
    /// the likeliest causes with the one check that tells each apart, and
    /// the first fix on each side.
    public struct FirstScreen: Codable, Sendable, Hashable {
        public struct Cause: Codable, Sendable, Hashable {
            public let cause: String
            /// The one command or look that tells this cause from the others.
            public let tell: String
            public let certainty: Certainty
            public let source: String
        }
        public struct TopFix: Codable, Sendable, Hashable {
            public let client: String?
            public let server: String?
        }
        public let summary: String
        /// Most likely first.
        public let likely: [Cause]
        public let fix: TopFix
    }
    /// Popular advice from the web, answered: when it can help, when it
    /// cannot and why, and the check that tells which.
    public struct Myth: Codable, Sendable, Hashable {
        public let advice: String
        public let helps: String
        public let cannotHelp: String
        public let tell: String
        public let certainty: Certainty
        public let source: String
    }
    public let error: WrittenCode
    public let extended: WrittenCode
    public let title: String
    public let story: [String]
    public let firstScreen: FirstScreen?
    public let steps: [Step]
    public let myths: [Myth]?
    public let next: String
}

struct PairStoryFile: Codable, Sendable {
    let pairs: [PairStory]
}

/// How a connection failed, in the terms the client-code table uses
/// (clientcodes.json): the rules name the way, the catalogue the codes.
public enum ClientFailure: String, Codable, Sendable, CaseIterable {
    case nameNotResolved = "name-not-resolved"
    case tcpRefused = "tcp-refused"
    case tcpUnanswered = "tcp-unanswered"
    case setupClosed = "setup-closed"
    case setupUndecodable = "setup-undecodable"
    case notRDP = "not-rdp"
    case tlsFailed = "tls-failed"
    case pathStall = "path-stall"
    case stepTimeout = "step-timeout"
    case negotiationRefused = "negotiation-refused"
    case serverErrorInfo = "server-error-info"
    case licensingError = "licensing-error"
    case credentialsRefused = "credentials-refused"
    case credentialsClosed = "credentials-closed"
    // Through an RD Gateway
    case gatewayUnreachable = "gateway-unreachable"
    case gatewayCertificateUntrusted = "gateway-certificate-untrusted"
    case gatewayAuthRefused = "gateway-auth-refused"
    /// Any E_PROXY result; the number is the result.
    case gatewayRefused = "gateway-refused"
    case gatewayRAPDenied = "gateway-rap-denied"
    case gatewayCAPDenied = "gateway-cap-denied"
    case gatewayTargetUnreachable = "gateway-target-unreachable"
}

/// The codes a Microsoft client shows for one way of failing.
public struct ClientCodes: Sendable, Hashable {
    /// The disconnect code (or the family's own code) the dialog shows first.
    public let error: CatalogueKey?
    /// The extended code shown beside it.
    public let extended: CatalogueKey?
    /// Other codes a client may show instead.
    public let also: [CatalogueKey]

    /// Every key, the pair first.
    public var keys: [CatalogueKey] { [error, extended].compactMap { $0 } + also }
}

/// One row of clientcodes.json. `{value}` in a key stands for the number
/// the server sent.
struct ClientCodeShape: Codable, Sendable {
    let shape: ClientFailure
    let when: String
    let error: String?
    let extended: String?
    let also: [CatalogueKey]?
    let certainty: Certainty
    let source: String

    /// The written keys read once, when the catalogue loads (the rules ask
    /// for codes for every connection of a capture).
    var template: ClientCodeTemplate {
        ClientCodeTemplate(error: error.flatMap(KeyTemplate.init), extended: extended.flatMap(KeyTemplate.init), also: also ?? [])
    }
}

/// A client code shape's keys, read.
struct ClientCodeTemplate: Sendable {
    let error: KeyTemplate?
    let extended: KeyTemplate?
    let also: [CatalogueKey]

    func codes(value: UInt64?) -> ClientCodes {
        ClientCodes(error: error?.key(value), extended: extended?.key(value), also: also)
    }
}

/// A written key of clientcodes.json: `family:0xHEX`, or `family:{value}`
/// for the number the server sent.
enum KeyTemplate: Sendable {
    case fixed(CatalogueKey)
    case valued(FamilyID)

    /// nil for text that is neither form.
    init?(_ written: String) {
        if written.hasSuffix(":{value}") {
            let family = written.dropLast(":{value}".count)
            guard !family.isEmpty, !family.contains(":") else { return nil }
            self = .valued(FamilyID(String(family)))
        } else {
            guard let key = CatalogueKey(parsing: written) else { return nil }
            self = .fixed(key)
        }
    }

    /// The key, with the value filled in; nil when the value is needed but missing.
    func key(_ value: UInt64?) -> CatalogueKey? {
        switch self {
        case .fixed(let key): key
        case .valued(let family): value.map { CatalogueKey(family, $0) }
        }
    }
}

struct ClientCodeFile: Codable, Sendable {
    let description: String
    let shapes: [ClientCodeShape]
}

/// The tables of wirenames.json: words for values a server selects or
/// announces (not error codes).
public enum WireTable: String, Codable, Sendable, CaseIterable {
    case securityProtocol = "security-protocol"
    case negotiationFlag = "negotiation-flag"
    case encryptionMethod = "encryption-method"
    case encryptionLevel = "encryption-level"
    case rdpVersion = "rdp-version"
    case osMajor = "os-major"
    case osMinor = "os-minor"
    /// The words of Zeek's rdp.log, for `analyze --zeek`.
    case zeekSecurityProtocol = "zeek-security-protocol"
    case zeekFailureCode = "zeek-failure-code"
    case zeekGCCResult = "zeek-gcc-result"
    case zeekEncryptionMethod = "zeek-encryption-method"
    case zeekEncryptionLevel = "zeek-encryption-level"
    case zeekCertType = "zeek-cert-type"
    case zeekClientBuild = "zeek-client-build"
    case zeekHighColorDepth = "zeek-high-color-depth"
    case zeekKeyboardLayout = "zeek-keyboard-layout"
}

struct WireNameTable: Codable, Sendable {
    let table: WireTable
    let source: String
    let certainty: Certainty
    /// Written numbers (`0x80004`) to words.
    let names: [String: String]
}

struct WireNameFile: Codable, Sendable {
    let description: String
    let tables: [WireNameTable]
}
