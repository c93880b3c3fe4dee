/// A foreign key, described by ``ColumnBuilder/references(_:)`` or `TableBuilder.foreign(_:_:)`.
///
/// ```swift
/// table.integer("user_id").references("id").inTable("users").onDelete(.cascade)
/// table.uuid("owner_id").references("auth.users.id")          // the table users of the schema auth
/// table.foreign("user_id").references("users.id").deferrable(.deferred)
/// ```
///
/// The referenced table is named as written (`auth.users` is the table `users` of the schema `auth`):
/// as in Knex, `withSchema` does not move it, so a table of another schema is named with its schema.
public final class ForeignKey {
    /// The referencing columns.
    public let columns: [String]
    /// The constraint's name; `nil`: Knex's `<table>_<columns>_foreign` (on SQLite, Knex leaves it unnamed).
    public internal(set) var name: String?
    /// The referenced table, as written (`users`, `auth.users`).
    public internal(set) var table: String?
    /// The referenced columns.
    public internal(set) var referencedColumns: [String] = []
    /// Its `ON DELETE` action.
    public internal(set) var deleteAction: ReferentialAction?
    /// Its `ON UPDATE` action.
    public internal(set) var updateAction: ReferentialAction?
    /// When it is checked; `nil`: the database's default (at each statement).
    public internal(set) var deferrable: Deferrable?

    init(columns: [String], name: String?) {
        self.columns = columns
        self.name = name
    }

    /// The referenced column; `"users.id"` also names the table, and `"auth.users.id"` its schema, as in Knex.
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

    /// The referenced table (`"users"`, or `"auth.users"` in another schema).
    @discardableResult
    public func inTable(_ table: String) -> ForeignKey {
        self.table = table
        return self
    }

    /// Knex's other name for ``inTable(_:)``.
    @discardableResult
    public func on(_ table: String) -> ForeignKey { inTable(table) }

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

    /// When the key is checked (Knex's `deferrable('deferred')`); `.deferred` unless said.
    @discardableResult
    public func deferrable(_ when: Deferrable = .deferred) -> ForeignKey {
        deferrable = when
        return self
    }
}
