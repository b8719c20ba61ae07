import Capture
import Foundation
import Transport

/// `check --capture FILE`: where the recording goes, checked before the check
/// runs (nobody should wait for a check to learn the path was wrong), written
/// atomically after it.
struct CaptureDestination {
    let path: String

    /// Why `path` cannot take the capture, or nil when it can.
    static func problem(with path: String) -> String? {
        if path == "-" { return "--capture - is not supported: name a .pcapng file (the file holds TLS keys)" }
        if path.isEmpty { return "--capture needs a file name" }
        let url = URL(fileURLWithPath: path)
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            if isDirectory.boolValue { return "--capture \(path) is a directory" }
            if !FileManager.default.isWritableFile(atPath: path) { return "--capture \(path) cannot be written (permission denied)" }
        }
        let directory = url.deletingLastPathComponent().path
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            return "--capture \(path): the folder \(directory) does not exist"
        }
        if !FileManager.default.isWritableFile(atPath: directory) {
            return "--capture \(path): the folder \(directory) cannot be written (permission denied)"
        }
        return nil
    }

    /// Writes the recording through a temporary file and a rename; returns the line the report ends with.
    func write(_ recorder: TrafficRecorder) throws -> String {
        let recording = recorder.recording()
        let bytes = recording.pcapng(application: "rdpdoctor")
        try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
        // Only this user may read it: it holds TLS keys.
        try? FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        let tcp = recording.flows.filter { $0.kind == .tcp }.count
        let udp = recording.flows.count - tcp
        var line = "Capture: wrote \(path) (\(tcp) TCP connection\(tcp == 1 ? "" : "s")"
        if udp > 0 { line += ", \(udp) UDP exchange\(udp == 1 ? "" : "s")" }
        line += ", \(bytes.count) bytes; "
        line += recording.keyLog.isEmpty ? "no TLS keys to put in it)." : "TLS keys inside: Wireshark and tshark decrypt it as it is)."
        // The notes after the first (which says how the file was made): keys left out, caps.
        for note in recording.notes.dropFirst() { line += "\n  " + note }
        return line + "\n"
    }
}
