#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where a password may come from: an interactive prompt without echo,
/// standard input, or RDPDOCTOR_PASSWORD — never a command-line value, which
/// every user of the machine could read in `ps`.
enum PasswordSource {
    static let environmentVariable = "RDPDOCTOR_PASSWORD"
    /// The gateway account's password (--gateway-user).
    static let gatewayEnvironmentVariable = "RDPDOCTOR_GATEWAY_PASSWORD"
    static let maximumLength = 1024

    enum Failure: Error, CustomStringConvertible {
        /// Nowhere to read it from; names the account and its own flag and variable.
        case none(account: String, flag: String, variable: String)
        case tooLong
        case notText

        var description: String {
            switch self {
            case let .none(account, flag, variable):
                "no password for \(account): type it at the prompt (on a terminal), pipe it with \(flag), or set \(variable)"
            case .tooLong: "the password is longer than \(PasswordSource.maximumLength) bytes"
            case .notText: "the password is not UTF-8 text"
            }
        }
    }

    static func read(
        fromStandardInput: Bool, account: String,
        flag: String = "--password-stdin", variable: String = environmentVariable
    ) throws(Failure) -> String {
        if fromStandardInput {
            return try line(from: 0)
        }
        if let value = getenv(variable) {
            return String(cString: value)
        }
        let tty = open("/dev/tty", O_RDWR)
        guard tty >= 0 else { throw .none(account: account, flag: flag, variable: variable) }
        defer { close(tty) }
        let prompt = Array("Password for \(account): ".utf8)
        _ = write(tty, prompt, prompt.count)
        var saved = termios()
        let canHideEcho = tcgetattr(tty, &saved) == 0
        if canHideEcho {
            var quiet = saved
            quiet.c_lflag &= ~tcflag_t(ECHO)
            tcsetattr(tty, TCSAFLUSH, &quiet)
        }
        defer {
            if canHideEcho { tcsetattr(tty, TCSAFLUSH, &saved) }
            _ = write(tty, "\n", 1)
        }
        return try line(from: tty)
    }

    /// One line, without its line ending, read byte by byte so nothing after it is consumed.
    private static func line(from descriptor: Int32) throws(Failure) -> String {
        var bytes: [UInt8] = []
        var byte: UInt8 = 0
        while systemRead(descriptor, &byte, 1) == 1 {
            if byte == 0x0A { break }
            bytes.append(byte)
            if bytes.count > maximumLength { throw .tooLong }
        }
        if bytes.last == 0x0D { bytes.removeLast() }
        guard let text = String(validating: bytes, as: UTF8.self) else { throw .notText }
        return text
    }
}

#if canImport(Glibc)
    private let systemRead = Glibc.read
#else
    private let systemRead = Darwin.read
#endif
