/// The statements a dry run would send, in order.
actor StatementCollector {
    private(set) var statements: [String] = []

    func add(_ sql: String, _ bindings: [SQLValue]) {
        guard !bindings.isEmpty else { return statements.append(sql) }
        let values = bindings.enumerated().map { index, value in "\(index + 1) = \(value.sqlLiteral)" }
        statements.append("-- bound values: " + values.joined(separator: ", ") + "\n" + sql)
    }
}
