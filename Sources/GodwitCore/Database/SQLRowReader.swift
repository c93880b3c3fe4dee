/// The current row of a result, read column by column by a ``SQLRowCollector``.
public protocol SQLRowReader {
    /// How many columns the row has.
    var columnCount: Int { get }

    /// The value of a column, counted from 0.
    func value(_ column: Int) -> SQLValue

    /// The column as an integer (see ``SQLValue/integer``). Defaults to converting ``value(_:)``.
    func integer(_ column: Int) -> Int64?

    /// The column as text (see ``SQLValue/text``). Defaults to converting ``value(_:)``.
    func text(_ column: Int) -> String?
    /// The column as a floating-point number (see ``SQLValue/double``). Defaults to converting ``value(_:)``.
    func double(_ column: Int) -> Double?
}

extension SQLRowReader {
    public func integer(_ column: Int) -> Int64? { value(column).integer }

    public func text(_ column: Int) -> String? { value(column).text }
    public func double(_ column: Int) -> Double? { value(column).double }

    /// The whole row.
    public var row: SQLRow { (0..<columnCount).map(value) }
}
