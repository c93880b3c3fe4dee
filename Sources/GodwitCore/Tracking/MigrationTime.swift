#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// How Godwit writes a `migration_time` as text: ISO 8601 in UTC with milliseconds.
public enum MigrationTime {
    /// `2026-11-25T09:30:00.123Z` for epoch milliseconds.
    public static func iso8601(epochMilliseconds: Int64) -> String {
        Date(timeIntervalSince1970: Double(epochMilliseconds) / 1000)
            .formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}
