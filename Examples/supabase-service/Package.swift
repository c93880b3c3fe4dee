// swift-tools-version: 6.1
import PackageDescription

// A Supabase-style service whose schema is migrated by Godwit: SQL files in migrations/, Swift
// migrations in Sources/migrate/Migrations/, one sequence, run by the `migrate` executable.
let package = Package(
    name: "supabase-service",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "migrate", targets: ["migrate"]),
    ],
    dependencies: [
        .package(name: "Godwit", path: "../.."),
    ],
    targets: [
        .executableTarget(
            name: "migrate",
            dependencies: [
                .product(name: "GodwitCLI", package: "Godwit"),
                .product(name: "GodwitSchema", package: "Godwit"),
            ],
            plugins: [.plugin(name: "GodwitMigrationsPlugin", package: "Godwit")]),
    ],
    swiftLanguageModes: [.v6]
)
