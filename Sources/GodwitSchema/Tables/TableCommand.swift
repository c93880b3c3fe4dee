/// One thing a ``TableBuilder`` was asked to do, in the order asked (Knex's statements of a table).
enum TableCommand {
    /// Add the column, or change it when it is marked ``ColumnBuilder/alter(alterNullable:alterType:)``.
    case column(ColumnBuilder)
    case dropColumns([String])
    case renameColumn(from: String, to: String)
    /// `create [unique] index`.
    case index(IndexDefinition)
    /// A unique constraint, or a unique index when it may not be a constraint.
    case unique(UniqueDefinition)
    case dropIndex(columns: [String], name: String?, ifExists: Bool)
    case dropUnique(columns: [String], name: String?, ifExists: Bool)
    case foreign(ForeignKey)
    case dropForeign(columns: [String], name: String?, ifExists: Bool)
    case primary(columns: [String], name: String?, deferrable: Deferrable?)
    case dropPrimary(name: String?, ifExists: Bool)
    case setNullable(column: String, nullable: Bool)
    case check(expression: String, name: String?)
    case dropChecks([String])
}

/// An index asked for by `index(…)`.
struct IndexDefinition {
    var columns: [String]
    var name: String?
    /// Knex's `indexType: "unique"`.
    var isUnique: Bool
    /// `where …`: a partial index.
    var predicate: String?
    /// The access method (`gin`, `hash`): Knex's `storageEngineIndexType`.
    var method: String?
    /// The end of Knex's implicit name: `index` for `index(…)`, even a unique one; `unique` for `unique(…)`.
    var nameSuffix = "index"
}

/// A unique key asked for by `unique(…)`.
struct UniqueDefinition {
    var columns: [String]
    var name: String?
    var deferrable: Deferrable?
    /// Whether it is a constraint (`add constraint … unique`) rather than a unique index.
    var isConstraint: Bool
    var predicate: String?
    var method: String?

    /// The unique index with the same name and columns.
    var asIndex: IndexDefinition {
        IndexDefinition(columns: columns, name: name, isUnique: true, predicate: predicate, method: method, nameSuffix: "unique")
    }
}
