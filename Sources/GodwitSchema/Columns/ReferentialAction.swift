/// What a foreign key does when the row it refers to is deleted or its key changes (Knex's `onDelete` /
/// `onUpdate`). Any other action can be written as a string: `.init(rawValue: "SET DEFAULT")`.
public struct ReferentialAction: RawRepresentable, Sendable, Hashable, ExpressibleByStringLiteral {
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue.uppercased() }
    public init(stringLiteral value: String) { self.init(rawValue: value) }

    public static let cascade = ReferentialAction(rawValue: "CASCADE")
    public static let setNull = ReferentialAction(rawValue: "SET NULL")
    public static let setDefault = ReferentialAction(rawValue: "SET DEFAULT")
    public static let restrict = ReferentialAction(rawValue: "RESTRICT")
    public static let noAction = ReferentialAction(rawValue: "NO ACTION")
}
