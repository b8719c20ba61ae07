/// What rdpdoctor knows about .rdp settings: each name with its type letter,
/// the values its documentation allows, where that is written, and whether the
/// Windows App on macOS is documented to ignore it. This is a table of facts
/// read by the lint rules; no rule switches over setting names.
public struct RDPSettingFact: Sendable, Equatable {
    public enum ValueType: String, Sendable, Codable {
        case integer = "i"
        case string = "s"
        case binary = "b"
    }

    /// The values a documented integer setting takes.
    public enum Values: Sendable, Equatable {
        case any
        case oneOf([Int])
        case range(ClosedRange<Int>)

        public func allows(_ value: Int) -> Bool {
            switch self {
            case .any: true
            case .oneOf(let values): values.contains(value)
            case .range(let range): range.contains(value)
            }
        }

        /// "0, 1, 2" or "200 to 8192", for a finding's text.
        public var text: String {
            switch self {
            case .any: "any whole number"
            case .oneOf(let values): values.map(String.init).joined(separator: ", ")
            case .range(let range): "\(range.lowerBound) to \(range.upperBound)"
            }
        }
    }

    /// A documented statement that the Windows App on macOS does not act on a setting.
    public struct MacOSGap: Sendable, Equatable {
        /// Nil: any value that turns the setting on (a non-empty string, a non-zero
        /// integer); otherwise only these integer values.
        public let values: [Int]?
        /// The sentence of the source that says so, in our words.
        public let statement: String
        public let source: RDPSettingSource
    }

    /// Lower case, as clients compare names.
    public let name: String
    public let type: ValueType
    public let values: Values
    public let source: RDPSettingSource
    public let macOS: MacOSGap?

    init(
        _ name: String, _ type: ValueType, _ values: Values = .any, _ source: RDPSettingSource,
        macOS: MacOSGap? = nil
    ) {
        self.name = name
        self.type = type
        self.values = values
        self.source = source
        self.macOS = macOS
    }

    /// The line that sets `value` with the right type letter.
    public func line(_ value: String) -> String { "\(name):\(type.rawValue):\(value)" }
}

/// Where a fact about a setting is written.
public enum RDPSettingSource: String, Sendable, Codable, CaseIterable {
    case microsoftRDPProperties = "microsoft-rdp-properties"
    case microsoftRDPFileSettings = "microsoft-rdp-file-settings"
    case freeRDPFileParser = "freerdp-file-parser"
    case mstscSavedFile = "mstsc-saved-file"
    case rdpsign = "rdpsign"
    case microsoftMacClient = "microsoft-mac-client"

    public var citation: String {
        switch self {
        case .microsoftRDPProperties:
            "Microsoft Learn, \"Supported RDP properties\" (2025-03-06), https://learn.microsoft.com/azure/virtual-desktop/rdp-properties"
        case .microsoftRDPFileSettings:
            "Microsoft Docs, \"Supported Remote Desktop RDP file settings\" (2019-2020), https://learn.microsoft.com/windows-server/remote/remote-desktop-services/clients/rdp-files"
        case .freeRDPFileParser:
            "FreeRDP, client/common/file.c (the names and types FreeRDP reads from .rdp files), https://github.com/FreeRDP/FreeRDP/blob/master/client/common/file.c"
        case .mstscSavedFile:
            "an .rdp file saved by mstsc (Windows 7 RemoteApp, shared/captures/windows/firefox.rdp)"
        case .rdpsign:
            "Microsoft Learn, \"rdpsign\" (signing adds these lines), https://learn.microsoft.com/windows-server/administration/windows-commands/rdpsign"
        case .microsoftMacClient:
            "Microsoft Learn, \"Get started with the macOS client\" (user names for Microsoft Entra joined PCs), https://learn.microsoft.com/windows-server/remote/remote-desktop-services/clients/remote-desktop-mac"
        }
    }
}

/// The table itself. Types and values come from Microsoft's property pages where
/// those list the setting, otherwise from FreeRDP's parser, which reads the
/// settings mstsc writes.
public enum RDPSettingFacts {
    static let onOff = RDPSettingFact.Values.oneOf([0, 1])
    static let ms = RDPSettingSource.microsoftRDPProperties
    static let msOld = RDPSettingSource.microsoftRDPFileSettings
    static let freeRDP = RDPSettingSource.freeRDPFileParser

    static func windowsOnly(_ what: String, values: [Int]? = nil) -> RDPSettingFact.MacOSGap {
        RDPSettingFact.MacOSGap(values: values, statement: what, source: .microsoftRDPProperties)
    }

    public static let all: [RDPSettingFact] = [
        // Connections
        .init("full address", .string, .any, ms),
        .init("alternate full address", .string, .any, ms),
        .init("server port", .integer, .range(1...65535), freeRDP),
        .init("username", .string, .any, ms),
        .init("domain", .string, .any, ms),
        .init("password", .string, .any, freeRDP),
        .init("password 51", .binary, .any, freeRDP),
        .init("alternate shell", .string, .any, ms),
        .init("shell working directory", .string, .any, freeRDP),
        .init("authentication level", .integer, .oneOf([0, 1, 2, 3]), ms),
        .init("enablecredsspsupport", .integer, onOff, ms),
        .init("enablerdsaadauth", .integer, onOff, ms),
        .init("targetisaadjoined", .integer, onOff, ms),
        .init("negotiate security layer", .integer, onOff, freeRDP),
        .init("prompt for credentials", .integer, onOff, freeRDP),
        .init("prompt for credentials on client", .integer, onOff, .mstscSavedFile),
        .init("promptcredentialonce", .integer, onOff, ms),
        .init("disableconnectionsharing", .integer, onOff, ms),
        .init("kdcproxyname", .string, .any, ms),
        .init("rdgiskdcproxy", .integer, onOff, freeRDP),
        .init("public mode", .integer, onOff, freeRDP),
        .init("connect to console", .integer, onOff, freeRDP),
        .init("administrative session", .integer, onOff, freeRDP),
        .init("loadbalanceinfo", .string, .any, freeRDP),
        .init("use redirection server name", .integer, onOff, freeRDP),
        .init("pcb", .string, .any, freeRDP),
        // RD Gateway
        .init("gatewayhostname", .string, .any, ms),
        .init("gatewayusagemethod", .integer, .oneOf([0, 1, 2, 3, 4]), ms),
        .init("gatewayprofileusagemethod", .integer, onOff, ms),
        .init("gatewaycredentialssource", .integer, .oneOf([0, 1, 2, 3, 4, 5]), ms),
        .init("gatewayaccesstoken", .string, .any, freeRDP),
        // Session behaviour
        .init("autoreconnection enabled", .integer, onOff, ms),
        .init("autoreconnect max retries", .integer, .any, freeRDP),
        .init("bandwidthautodetect", .integer, onOff, ms),
        .init("networkautodetect", .integer, onOff, ms),
        .init("connection type", .integer, .any, freeRDP),
        .init("compression", .integer, onOff, ms),
        .init("videoplaybackmode", .integer, onOff, ms),
        .init("enableworkspacereconnect", .integer, onOff, freeRDP),
        .init("workspaceid", .string, .any, msOld),
        .init("displayconnectionbar", .integer, onOff, freeRDP),
        .init("pinconnectionbar", .integer, onOff, freeRDP),
        .init("disable ctrl+alt+del", .integer, onOff, freeRDP),
        .init(
            "keyboardhook", .integer, .oneOf([0, 1, 2, 3]), ms,
            macOS: windowsOnly("the value 3 (Windows key combinations go to the RemoteApp) is only supported by the Windows client", values: [3])),
        .init("winposstr", .string, .any, freeRDP),
        // Device redirection
        .init("audiocapturemode", .integer, onOff, ms),
        .init("audiomode", .integer, .oneOf([0, 1, 2]), ms),
        .init("audioqualitymode", .integer, .any, freeRDP),
        .init("camerastoredirect", .string, .any, ms),
        .init(
            "devicestoredirect", .string, .any, ms,
            macOS: windowsOnly("MTP and PTP devices are redirected from a local Windows device")),
        .init("drivestoredirect", .string, .any, ms),
        .init("redirectdrives", .integer, onOff, freeRDP),
        .init("encode redirected video capture", .integer, onOff, ms),
        .init("redirected video capture encoding quality", .integer, .oneOf([0, 1, 2]), ms),
        .init("redirectclipboard", .integer, onOff, ms),
        .init("redirectcomports", .integer, onOff, ms),
        .init("redirectlocation", .integer, onOff, ms),
        .init("redirectprinters", .integer, onOff, ms),
        .init("redirectsmartcards", .integer, onOff, ms),
        .init("redirectwebauthn", .integer, onOff, ms),
        .init("redirectposdevices", .integer, onOff, freeRDP),
        .init("redirectdirectx", .integer, onOff, freeRDP),
        .init("disableclipboardredirection", .integer, onOff, freeRDP),
        .init("disableprinterredirection", .integer, onOff, freeRDP),
        .init(
            "usbdevicestoredirect", .string, .any, ms,
            macOS: windowsOnly("opaque USB redirection is configured for Windows only (\"Configure USB redirection on Windows\")")),
        // Display
        .init("desktop size id", .integer, .oneOf([0, 1, 2, 3, 4]), ms),
        .init("desktopheight", .integer, .range(200...8192), ms),
        .init("desktopwidth", .integer, .range(200...8192), ms),
        .init("desktopscalefactor", .integer, .oneOf([100, 125, 150, 175, 200, 250, 300, 400, 500]), ms),
        .init("dynamic resolution", .integer, onOff, ms),
        .init(
            "maximizetocurrentdisplays", .integer, onOff, ms,
            macOS: windowsOnly("only available on Windows App for Windows and the Remote Desktop app for Windows")),
        .init("screen mode id", .integer, .oneOf([1, 2]), ms),
        .init(
            "selectedmonitors", .string, .any, ms,
            macOS: windowsOnly("only available on Windows App for Windows, the Remote Desktop app for Windows and mstsc")),
        .init(
            "singlemoninwindowedmode", .integer, onOff, ms,
            macOS: windowsOnly("only available on Windows App for Windows and the Remote Desktop app for Windows")),
        .init("smart sizing", .integer, onOff, ms),
        .init("use multimon", .integer, onOff, ms),
        .init("span monitors", .integer, onOff, freeRDP),
        .init("session bpp", .integer, .any, freeRDP),
        .init("enablesuperpan", .integer, onOff, freeRDP),
        .init("superpanaccelerationfactor", .integer, .any, freeRDP),
        .init("disable wallpaper", .integer, onOff, freeRDP),
        .init("allow font smoothing", .integer, onOff, freeRDP),
        .init("allow desktop composition", .integer, onOff, freeRDP),
        .init("disable full window drag", .integer, onOff, freeRDP),
        .init("disable menu anims", .integer, onOff, freeRDP),
        .init("disable themes", .integer, onOff, freeRDP),
        .init("disable cursor setting", .integer, onOff, freeRDP),
        .init("bitmapcachesize", .integer, .any, freeRDP),
        .init("bitmapcachepersistenable", .integer, onOff, freeRDP),
        // RemoteApp
        .init("remoteapplicationcmdline", .string, .any, ms),
        .init("remoteapplicationexpandcmdline", .integer, onOff, ms),
        .init("remoteapplicationexpandworkingdir", .integer, onOff, ms),
        .init("remoteapplicationfile", .string, .any, ms),
        .init("remoteapplicationicon", .string, .any, ms),
        .init("remoteapplicationmode", .integer, onOff, ms),
        .init("remoteapplicationname", .string, .any, ms),
        .init("remoteapplicationprogram", .string, .any, ms),
        .init("remoteapplicationguid", .string, .any, freeRDP),
        .init("disableremoteappcapscheck", .integer, onOff, freeRDP),
        // Azure Virtual Desktop feed files
        .init("resourceprovider", .string, .any, freeRDP),
        .init("wvd endpoint pool", .string, .any, freeRDP),
        .init("geo", .string, .any, freeRDP),
        .init("armpath", .string, .any, freeRDP),
        .init("aadtenantid", .string, .any, freeRDP),
        .init("diagnosticserviceurl", .string, .any, freeRDP),
        .init("hubdiscoverygeourl", .string, .any, freeRDP),
        .init("activityhint", .string, .any, freeRDP),
        // Signed files
        .init("signscope", .string, .any, .rdpsign),
        .init("signature", .string, .any, .rdpsign),
    ]

    static let byName: [String: RDPSettingFact] = Dictionary(all.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })

    /// The fact for a name as written (any case, spaces around it removed).
    public static func fact(_ name: String) -> RDPSettingFact? { byName[name.lowercased()] }
}
