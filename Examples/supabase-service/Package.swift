// swift-tools-version: 6.1
import PackageDescription

// A Supabase-style service whose schema is migrated by Godwit: SQL files in migrations/, Swift
// migrations in Sources/ServiceMigrations/Migrations/, one sequence. Two executables share them:
// `migrate` (the godwit command line, for deploys and the container's entrypoint) and `app` (a
// Hummingbird server that migrates before it serves).
let package = Package(
    name: "supabase-service",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "migrate", targets: ["migrate"]),
        .executable(name: "app", targets: ["app"]),
    ],
    dependencies: [
        .package(name: "Godwit", path: "../.."),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
    ],
    targets: [
        .target(
            name: "ServiceMigrations",
            dependencies: [
                .product(name: "GodwitCore", package: "Godwit"),
                .product(name: "GodwitSchema", package: "Godwit"),
            ],
            plugins: [.plugin(name: "GodwitMigrationsPlugin", package: "Godwit")]),
        .executableTarget(
            name: "migrate",
            dependencies: [
                "ServiceMigrations",
                .product(name: "GodwitCLI", package: "Godwit"),
            ]),
        .executableTarget(
            name: "app",
            dependencies: [
                "ServiceMigrations",
                .product(name: "GodwitService", package: "Godwit"),
                .product(name: "GodwitConfiguration", package: "Godwit"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ]),
    ],
    swiftLanguageModes: [.v6]
)
