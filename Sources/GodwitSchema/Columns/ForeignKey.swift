/// A foreign key, described by ``ColumnBuilder/references(_:)`` or `TableBuilder.foreign(_:name:)`.
///
/// ```swift
/// table.integer("user_id").references("id").inTable("users").onDelete(.cascade)
/// table.foreign("user_id").references("users.id")
/// ```
public final class ForeignKey {
    /// The referencing columns.
    public let columns: [String]
    /// The constraint's name; `nil`: Knex's `<table>_<columns>_foreign`.
    public internal(set) var name: String?
    /// The referenced table.
    public internal(set) var table: String?
    /// The referenced columns.
    public internal(set) var referencedColumns: [String] = []
    /// Its `ON DELETE` action.
    public internal(set) var deleteAction: ReferentialAction?
    /// Its `ON UPDATE` action.
    public internal(set) var updateAction: ReferentialAction?
    /// Whether checking waits until the transaction commits (`deferrable initially deferred`).
    public internal(set) var deferred = false

    init(columns: [String], name: String?) {
        self.columns = columns
        self.name = name
    }

    /// The referenced column; `"users.id"` also names the table, as in Knex.
    @discardableResult
    public func references(_ column: String) -> ForeignKey {
        if let dot = column.lastIndex(of: ".") {
            table = String(column[..<dot])
            referencedColumns = [String(column[column.index(after: dot)...])]
        } else {
            referencedColumns = [column]
        }
        return self
    }

    /// The referenced columns, for a key of several columns.
    @discardableResult
    public func references(_ columns: [String]) -> ForeignKey {
        referencedColumns = columns
        return self
    }

    /// The referenced table.
    @discardableResult
    public func inTable(_ table: String) -> ForeignKey {
        self.table = table
        return self
    }

    /// What happens to referencing rows when the referenced row is deleted.
    @discardableResult
    public func onDelete(_ action: ReferentialAction) -> ForeignKey {
        deleteAction = action
        return self
    }

    /// What happens to referencing rows when the referenced key changes.
    @discardableResult
    public func onUpdate(_ action: ReferentialAction) -> ForeignKey {
        updateAction = action
        return self
    }

    /// Names the constraint (Knex's `withKeyName`).
    @discardableResult
    public func withKeyName(_ name: String) -> ForeignKey {
        self.name = name
        return self
    }

    /// Checks the key at commit rather than at each statement (Knex's `deferrable('deferred')`).
    @discardableResult
    public func deferrable() -> ForeignKey {
        deferred = true
        return self
    }
}
