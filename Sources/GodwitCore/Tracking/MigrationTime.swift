#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// How Godwit writes a `migration_time` as text: ISO 8601 in UTC with milliseconds.
public enum MigrationTime {
    /// `2026-11-25T09:30:00.123Z` for epoch milliseconds.
    ///
    /// The milliseconds are written from the integer: through a `Date` (a `Double` of seconds) `.895` came
    /// out `.894`, as the formatter truncates what the double holds (`…59.894999…`).
    public static func iso8601(epochMilliseconds: Int64) -> String {
        let (seconds, milliseconds) = epochMilliseconds.floorDividedWithRemainder(by: 1000)
        let whole = Date(timeIntervalSince1970: Double(seconds)).formatted(Date.ISO8601FormatStyle())
        let digits = String(milliseconds)
        return whole.dropLast() + "." + String(repeating: "0", count: 3 - digits.count) + digits + "Z"
    }

    /// The epoch milliseconds of a time read as epoch seconds (PostgreSQL's `date_part('epoch', …)`, a
    /// `double`): the stored microseconds, then the whole milliseconds they fall in, so that what is shown
    /// is what is stored, never a millisecond early or late.
    public static func epochMilliseconds(epochSeconds: Double) -> Int64 {
        Int64((epochSeconds * 1_000_000).rounded()).floorDividedWithRemainder(by: 1000).quotient
    }
}

extension Int64 {
    /// The quotient rounded down (towards minus infinity) and the remainder, which is then never negative.
    fileprivate func floorDividedWithRemainder(by divisor: Int64) -> (quotient: Int64, remainder: Int64) {
        let quotient = self / divisor - (self % divisor < 0 ? 1 : 0)
        return (quotient, self - quotient * divisor)
    }
}
