/// The view being created: Knex's `view` argument of `createView`.
///
/// ```swift
/// try await db.schema.createView("active_users") { view in
///     view.columns(["id", "email"])
///     view.as(#"select "id", "email" from "users" where "active""#)
///     view.localCheckOption()
/// }
/// ```
public final class ViewBuilder {
    /// Which rows a write through the view must keep visible (PostgreSQL's `with … check option`).
    enum CheckOption: String {
        case plain = "with check option"
        case local = "with local check option"
        case cascaded = "with cascaded check option"
    }

    private(set) var columnNames: [String] = []
    private(set) var query: String?
    private(set) var requiredCheck: CheckOption?

    init() {}

    /// Names the view's columns.
    public func columns(_ names: [String]) { columnNames = names }

    /// The query the view shows, in SQL.
    public func `as`(_ sql: String) { query = sql }

    /// `with check option`: a row written through the view must be one the view shows (PostgreSQL).
    public func checkOption() { requiredCheck = .plain }
    /// `with local check option`: the view's own condition only (PostgreSQL).
    public func localCheckOption() { requiredCheck = .local }
    /// `with cascaded check option`: this view's condition and those of the views below it (PostgreSQL).
    public func cascadedCheckOption() { requiredCheck = .cascaded }
}

/// The view being changed: Knex's `view` argument of `alterView`.
///
/// ```swift
/// try await db.schema.alterView("active_users") { view in
///     view.column("email").rename("address")
///     view.column("active").defaultTo(true)
/// }
/// ```
public final class ViewAlteration {
    /// One change to a column of the view.
    enum Change {
        case rename(from: String, to: String)
        case setDefault(column: String, value: DefaultValue)
        case dropDefault(column: String)
    }

    private(set) var changes: [Change] = []

    init() {}

    /// The view's column `name`, to rename it or set its default.
    public func column(_ name: String) -> ViewColumn { ViewColumn(name: name, view: self) }

    func append(_ change: Change) { changes.append(change) }
}

/// A column of a view being changed (``ViewAlteration/column(_:)``).
public struct ViewColumn {
    let name: String
    let view: ViewAlteration

    /// Renames the column (`alter view "v" rename "a" to "b"`, as Knex writes it).
    public func rename(_ newName: String) { view.append(.rename(from: name, to: newName)) }
    /// Sets the default an insert through the view gets (`alter view … alter column … set default …`);
    /// `nil` drops it.
    public func defaultTo(_ value: DefaultValue?) {
        view.append(value.map { .setDefault(column: name, value: $0) } ?? .dropDefault(column: name))
    }
}
