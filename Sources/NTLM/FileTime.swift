// Windows FILETIME: 100-nanosecond intervals since 1601-01-01 UTC. The
// server's MsvAvTimestamp is one, and comparing it with our clock shows skew.

/// A Windows FILETIME value.
public struct FileTime: RawRepresentable, Sendable, Hashable, Comparable, CustomStringConvertible {
    public var rawValue: UInt64
    public init(rawValue: UInt64) { self.rawValue = rawValue }

    /// FILETIME of 1970-01-01T00:00:00Z.
    static let unixEpoch: UInt64 = 116_444_736_000_000_000

    /// From seconds (and nanoseconds) since 1970; earlier than 1601 clamps to 0.
    public init(unixSeconds: Int64, nanoseconds: Int64 = 0) {
        let ticks = Int128(unixSeconds) * 10_000_000 + Int128(nanoseconds / 100) + Int128(Self.unixEpoch)
        rawValue = UInt64(clamping: ticks)
    }

    /// Whole seconds since 1970 (negative before it), rounded down.
    public var unixSeconds: Int64 {
        let ticks = Int128(rawValue) - Int128(Self.unixEpoch)
        let seconds = ticks >= 0 ? ticks / 10_000_000 : (ticks - 9_999_999) / 10_000_000
        return Int64(seconds)
    }

    public static func < (lhs: FileTime, rhs: FileTime) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String { "FILETIME \(rawValue) (Unix \(unixSeconds))" }
}
