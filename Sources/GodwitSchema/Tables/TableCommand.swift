/// One thing a ``TableBuilder`` was asked to do, in the order asked.
enum TableCommand {
    /// Add the column, or change it when it is marked ``ColumnBuilder/alter()``.
    case column(ColumnBuilder)
    case dropColumns([String])
    case renameColumn(from: String, to: String)
    case index(columns: [String], name: String?, unique: Bool, predicate: String?, indexType: String?)
    case dropIndex(columns: [String], name: String?, unique: Bool)
    case foreign(ForeignKey)
    case dropForeign(columns: [String], name: String?)
    case primary(columns: [String], name: String?)
    case dropPrimary(name: String?)
    case setNullable(column: String, nullable: Bool)
    case check(expression: String, name: String?)
    case dropChecks([String])
    case comment(String)
}
