#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The few process-level operations the CLI needs: writing, reading standard
/// input within a bound, and terminal detection.
enum Output {
    static func standardOutput(_ text: String) { write(1, text) }
    static func standardError(_ text: String) { write(2, text) }

    static func exit(_ code: Int32) -> Never {
        #if canImport(Glibc)
            Glibc.exit(code)
        #elseif canImport(Musl)
            Musl.exit(code)
        #else
            Darwin.exit(code)
        #endif
    }

    private static func write(_ descriptor: Int32, _ text: String) {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeMutableBytes { buffer in
                systemWrite(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                return  // a closed pipe: nothing more can be said
            }
            offset += written
        }
        bytes.removeAll()
    }

    /// True when `descriptor` is a terminal and `NO_COLOR` is unset.
    static func wantsColour(_ descriptor: Int32 = 1) -> Bool {
        guard isatty(descriptor) == 1 else { return false }
        if let noColour = getenv("NO_COLOR"), noColour.pointee != 0 { return false }
        if let term = getenv("TERM"), String(cString: term) == "dumb" { return false }
        return true
    }

    /// A reader that went away (`rdpdoctor … | head`) ends output quietly
    /// instead of killing the process with SIGPIPE.
    static func ignoreBrokenPipes() {
        signal(SIGPIPE, SIG_IGN)
    }

    static func isTerminal(_ descriptor: Int32) -> Bool { isatty(descriptor) == 1 }

    /// Reads all of standard input, refusing more than `limit` bytes.
    static func readStandardInput(limit: Int) -> Result<[UInt8], StandardInputError> {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { systemRead(0, $0.baseAddress!, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                return .failure(.unreadable)
            }
            if count == 0 { return .success(bytes) }
            bytes += chunk[0..<count]
            if bytes.count > limit { return .failure(.tooLarge(limit: limit)) }
        }
    }
}

enum StandardInputError: Error {
    case unreadable
    case tooLarge(limit: Int)
}

#if canImport(Glibc)
    private let systemWrite = Glibc.write
    private let systemRead = Glibc.read
#elseif canImport(Musl)
    private let systemWrite = Musl.write
    private let systemRead = Musl.read
#else
    private let systemWrite = Darwin.write
    private let systemRead = Darwin.read
#endif
