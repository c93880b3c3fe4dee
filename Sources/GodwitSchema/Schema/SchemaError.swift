/// A schema change that cannot be made as asked: the table, what was asked, and what to do instead.
///
/// Failures the database reports come as `GodwitError` with the database's own message; this
/// is for what the builder finds before or between statements.
public struct SchemaError: Error, Sendable, CustomStringConvertible {
    /// What went wrong and what to do.
    public let message: String

    init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
