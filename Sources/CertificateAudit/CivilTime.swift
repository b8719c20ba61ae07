// Calendar arithmetic for UTC timestamps without Foundation's Calendar: the
// audit must be deterministic and clock-free, and certificate times are UTC.

public enum CivilTime {
    static let secondsPerDay: Int64 = 86_400

    /// Days since 1970-01-01 for a proleptic Gregorian date (H. Hinnant's algorithm).
    static func days(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let shiftedMonth = (month + 9) % 12  // March = 0, so leap days come last
        let dayOfYear = (153 * shiftedMonth + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The inverse of `days(year:month:day:)`.
    static func date(days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    static func seconds(year: Int, month: Int, day: Int, hours: Int, minutes: Int, seconds: Int) -> Int64 {
        days(year: Int64(year), month: Int64(month), day: Int64(day)) * secondsPerDay
            + Int64(hours) * 3600 + Int64(minutes) * 60 + Int64(seconds)
    }

    /// "YYYY-MM-DDTHH:MM:SSZ".
    public static func iso8601(secondsSinceEpoch: Int64) -> String {
        let dayNumber = floorDiv(secondsSinceEpoch, secondsPerDay)
        let secondOfDay = secondsSinceEpoch - dayNumber * secondsPerDay
        let (y, m, d) = date(days: dayNumber)
        return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))T"
            + "\(pad(secondOfDay / 3600, 2)):\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2))Z"
    }

    /// Division rounding toward negative infinity (days left must be -1, not 0,
    /// an hour after expiry).
    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(value.magnitude)
        let padded = String(repeating: "0", count: max(0, width - digits.count)) + digits
        return value < 0 ? "-" + padded : padded
    }
}
