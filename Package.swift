// swift-tools-version: 6.1
import PackageDescription

/// Settings every Godwit target shares: Swift 6 mode plus upcoming features that keep the API honest.
let strictSettings: [SwiftSetting] = [
    // SE-0335: `any` spelled out for existentials.
    .enableUpcomingFeature("ExistentialAny"),
    // SE-0444: a file sees only the members of modules it imports itself.
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "Godwit",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "godwit", targets: ["godwit"]),
        .library(name: "GodwitCore", targets: ["GodwitCore"]),
        .library(name: "GodwitSchema", targets: ["GodwitSchema"]),
        .library(name: "GodwitPostgres", targets: ["GodwitPostgres"]),
        .library(name: "GodwitSQLite", targets: ["GodwitSQLite"]),
        .library(name: "GodwitConfiguration", targets: ["GodwitConfiguration"]),
        .library(name: "GodwitCLI", targets: ["GodwitCLI"]),
        .library(name: "GodwitService", targets: ["GodwitService"]),
        .plugin(name: "GodwitMigrationsPlugin", targets: ["GodwitMigrationsPlugin"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        // `swift package generate-documentation`: the DocC catalogs of Sources/*/*.docc.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        // OpenSSL's libcrypto (SHA-256 for migration checksums); libpq-dev already depends on libssl-dev.
        .systemLibrary(name: "CCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .target(
            name: "GodwitCore",
            dependencies: ["CCrypto", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strictSettings),
        .target(
            name: "GodwitSchema",
            dependencies: ["GodwitCore"],
            swiftSettings: strictSettings),
        .target(
            name: "GodwitPostgres",
            dependencies: ["GodwitCore", "CLibPQ"],
            swiftSettings: strictSettings),
        .target(
            name: "GodwitSQLite",
            dependencies: ["GodwitCore", "CSQLite"],
            swiftSettings: strictSettings),
        .target(
            name: "GodwitConfiguration",
            dependencies: ["GodwitCore", "GodwitPostgres", "GodwitSQLite"],
            swiftSettings: strictSettings),
        .target(
            name: "GodwitCLI",
            dependencies: [
                "GodwitCore", "GodwitConfiguration", "GodwitPostgres", "GodwitSQLite",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings),
        .target(
            name: "GodwitService",
            dependencies: [
                "GodwitCore", "GodwitConfiguration",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings),
        .executableTarget(
            name: "GodwitRegistryGenerator",
            dependencies: ["GodwitCore"],
            swiftSettings: strictSettings),
        .plugin(
            name: "GodwitMigrationsPlugin",
            capability: .buildTool(),
            dependencies: ["GodwitRegistryGenerator"]),
        .executableTarget(
            name: "godwit",
            dependencies: ["GodwitCLI"],
            swiftSettings: strictSettings),
        .target(
            name: "GodwitTestSupport",
            dependencies: ["GodwitCore", "GodwitPostgres", "GodwitSQLite"],
            path: "Tests/GodwitTestSupport",
            swiftSettings: strictSettings),
        .testTarget(
            name: "GodwitCoreTests",
            dependencies: ["GodwitCore", "GodwitPostgres", "GodwitSQLite", "GodwitTestSupport"],
            swiftSettings: strictSettings),
        .testTarget(
            name: "GodwitSchemaTests",
            dependencies: ["GodwitCore", "GodwitSchema", "GodwitPostgres", "GodwitSQLite", "GodwitTestSupport"],
            swiftSettings: strictSettings),
        .testTarget(
            name: "GodwitCLITests",
            dependencies: ["GodwitCore", "GodwitConfiguration", "GodwitPostgres", "GodwitTestSupport"],
            swiftSettings: strictSettings),
        .testTarget(
            name: "GodwitServiceTests",
            dependencies: [
                "GodwitCore", "GodwitConfiguration", "GodwitService", "GodwitTestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings),
    ],
    swiftLanguageModes: [.v6]
)
