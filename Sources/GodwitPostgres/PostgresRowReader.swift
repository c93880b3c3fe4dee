import CLibPQ
import GodwitCore

/// A row of a libpq result, read in place: integer and floating-point columns become numbers, any other
/// column text (libpq's text format).
struct PostgresRowReader: SQLRowReader {
    let result: OpaquePointer
    let rowIndex: Int32
    let types: [Oid]

    var columnCount: Int { types.count }

    func value(_ column: Int) -> SQLValue {
        guard let text = text(column) else { return .null }
        switch types[column] {
        case 20, 21, 23: return Int64(text).map(SQLValue.integer) ?? .text(text)  // int8, int2, int4
        case 700, 701: return Double(text).map(SQLValue.double) ?? .text(text)  // float4, float8
        default: return .text(text)
        }
    }

    func text(_ column: Int) -> String? {
        guard PQgetisnull(result, rowIndex, Int32(column)) == 0 else { return nil }
        return String(cString: PQgetvalue(result, rowIndex, Int32(column)))
    }

    /// The type of each column of `result`.
    static func types(of result: OpaquePointer) -> [Oid] {
        (0..<PQnfields(result)).map { PQftype(result, $0) }
    }
}
