import CSQLite
import GodwitCore

/// The row a stepped sqlite3 statement is on, read with each column's own storage class.
struct SQLiteRowReader: SQLRowReader {
    let statement: OpaquePointer
    let columnCount: Int

    func value(_ column: Int) -> SQLValue {
        let column = Int32(column)
        switch sqlite3_column_type(statement, column) {
        case SQLITE_NULL: return .null
        case SQLITE_INTEGER: return .integer(sqlite3_column_int64(statement, column))
        case SQLITE_FLOAT: return .double(sqlite3_column_double(statement, column))
        default: return .text(sqlite3_column_text(statement, column).map { String(cString: $0) } ?? "")
        }
    }
}
