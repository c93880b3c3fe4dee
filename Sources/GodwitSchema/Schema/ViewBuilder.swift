/// The view being created: Knex's `view` argument of `createView`.
///
/// ```swift
/// try await db.schema.createView("active_users") { view in
///     view.columns(["id", "email"])
///     view.as(#"select "id", "email" from "users" where "active""#)
/// }
/// ```
public final class ViewBuilder {
    private(set) var columnNames: [String] = []
    private(set) var query: String?

    init() {}

    /// Names the view's columns.
    public func columns(_ names: [String]) { columnNames = names }

    /// The query the view shows, in SQL.
    public func `as`(_ sql: String) { query = sql }
}
