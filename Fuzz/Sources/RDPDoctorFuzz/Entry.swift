import CLibFuzzer
import Foundation

// libFuzzer's entry points. The binary holds every target (one link step
// instead of one per target, which matters on a 2-core machine); FUZZ_TARGET
// picks the one this run feeds. docs/FUZZING.md lists the targets.

/// A fuzz target: one entry point of rdpdoctor that reads untrusted input.
struct FuzzTarget: Sendable {
    let name: String
    /// What it feeds, for `FUZZ_TARGET=list`.
    let summary: String
    let run: @Sendable ([UInt8]) -> Void
}

enum Targets {
    static let all: [FuzzTarget] =
        WireTargets.all + SecurityTargets.all + MachineTargets.all + TextTargets.all
        + CaptureTargets.all + DecryptionTargets.all + GatewayTargets.all

    /// The target FUZZ_TARGET names; the process exits when it names none.
    static let selected: FuzzTarget = {
        let name = ProcessInfo.processInfo.environment["FUZZ_TARGET"] ?? ""
        if let target = all.first(where: { $0.name == name }) { return target }
        var message = name.isEmpty || name == "list" ? "" : "rdpdoctor-fuzz: no target named \(name)\n"
        message += "Set FUZZ_TARGET to one of:\n"
        for target in all { message += "  \(target.name.padding(toLength: 22, withPad: " ", startingAt: 0)) \(target.summary)\n" }
        FileHandle.standardError.write(Data(message.utf8))
        exit(name == "list" ? 0 : 2)
    }()
}

/// SwiftPM links this as the program's main; it hands the command line to libFuzzer.
@main
enum FuzzMain {
    static func main() {
        _ = Targets.selected
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, fuzzerTestOneInput))
    }
}

@_cdecl("LLVMFuzzerInitialize")
public func fuzzerInitialize(_ argc: UnsafeMutablePointer<CInt>?, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>?) -> CInt {
    _ = Targets.selected
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes: [UInt8] = if let data, size > 0 { Array(UnsafeBufferPointer(start: data, count: size)) } else { [] }
    Targets.selected.run(bytes)
    return 0
}

/// Stops the run with a message libFuzzer reports as a crash: an invariant of
/// rdpdoctor did not hold for this input (not a decoding error, which is fine).
func violated(_ what: String, _ detail: @autoclosure () -> String = "") -> Never {
    FileHandle.standardError.write(Data("INVARIANT VIOLATED: \(what) \(detail())\n".utf8))
    abort()
}

/// Reads structured choices out of the fuzzer's bytes; past the end it reads zeros.
struct Cursor {
    let bytes: [UInt8]
    var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var isAtEnd: Bool { offset >= bytes.count }
    var remaining: Int { max(0, bytes.count - offset) }

    mutating func byte() -> UInt8 {
        guard offset < bytes.count else { return 0 }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func uint16() -> Int { Int(byte()) << 8 | Int(byte()) }

    mutating func take(_ count: Int) -> [UInt8] {
        let end = min(bytes.count, offset + max(0, count))
        defer { offset = end }
        return offset < end ? Array(bytes[offset..<end]) : []
    }

    mutating func rest() -> [UInt8] { take(remaining) }
}

/// Runs an async function to completion from libFuzzer's synchronous callback.
func blocking<T: Sendable>(_ body: @escaping @Sendable () async -> T) -> T {
    let box = ResultBox<T>()
    let done = DispatchSemaphore(value: 0)
    Task {
        box.value = await body()
        done.signal()
    }
    done.wait()
    return box.value!
}

/// Written by the task before it signals, read after the wait: never at once.
final class ResultBox<T>: @unchecked Sendable {
    var value: T?
}
