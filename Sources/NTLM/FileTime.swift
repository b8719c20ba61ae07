// Windows FILETIME: 100-nanosecond intervals since 1601-01-01 UTC. The
// server's MsvAvTimestamp is one, and comparing it with our clock shows skew.

/// A Windows FILETIME value.
public struct FileTime: RawRepresentable, Sendable, Hashable, Comparable, CustomStringConvertible {
    public var rawValue: UInt64
    public init(rawValue: UInt64) { self.rawValue = rawValue }

    /// Seconds from 1601-01-01 to 1970-01-01.
    static let unixEpochSeconds: Int64 = 11_644_473_600
    static let ticksPerSecond: UInt64 = 10_000_000

    /// From seconds (and nanoseconds, 0 to 999 999 999) since 1970. Times
    /// before 1601 clamp to 0, times past the FILETIME range to its maximum.
    public init(unixSeconds: Int64, nanoseconds: Int64 = 0) {
        let (seconds, overflow) = unixSeconds.addingReportingOverflow(Self.unixEpochSeconds)
        guard !overflow, seconds >= 0 else {
            rawValue = overflow ? .max : 0
            return
        }
        let (ticks, tooLarge) = UInt64(seconds).multipliedReportingOverflow(by: Self.ticksPerSecond)
        let (total, tooLargeToo) = ticks.addingReportingOverflow(UInt64(max(0, nanoseconds)) / 100)
        rawValue = tooLarge || tooLargeToo ? .max : total
    }

    /// Whole seconds since 1970 (negative before it), rounded down.
    public var unixSeconds: Int64 {
        Int64(rawValue / Self.ticksPerSecond) - Self.unixEpochSeconds
    }

    public static func < (lhs: FileTime, rhs: FileTime) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String { "FILETIME \(rawValue) (Unix \(unixSeconds))" }
}
