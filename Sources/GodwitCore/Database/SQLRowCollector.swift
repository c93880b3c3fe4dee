/// What a query's rows go into, one at a time, as the driver reads them: how a large result (10,000
/// `knex_migrations` rows) becomes its records with no array of ``SQLValue``s and no second copy.
///
/// The collector travels to the driver by value and comes back filled.
///
/// ```swift
/// struct IDs: SQLRowCollector {
///     var ids: [Int64] = []
///     mutating func collect(_ row: some SQLRowReader) { ids.append(row.integer(0) ?? 0) }
/// }
/// let ids = try await connection.query("SELECT id FROM t", [], into: IDs()).ids
/// ```
public protocol SQLRowCollector: Sendable {
    /// Takes in the next row; the reader is valid only during the call.
    mutating func collect(_ row: some SQLRowReader)
}

/// Rows collected whole, as arrays of ``SQLValue``s: for small results.
struct SQLRowArray: SQLRowCollector {
    var rows: [SQLRow] = []

    mutating func collect(_ row: some SQLRowReader) {
        rows.append(row.row)
    }
}
