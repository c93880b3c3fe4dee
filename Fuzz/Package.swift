// swift-tools-version: 6.1
import PackageDescription

// Coverage-guided fuzz targets for Godwit's parsers (libFuzzer, from the toolchain). Built and run by
// scripts/fuzz.sh, which passes -sanitize=fuzzer,address: each target's main hands its property check to
// libFuzzer's driver. Not part of the main package, whose builds stay plain.

/// A fuzz target: an executable named `fuzz-<name>` from `Sources/<Name>`.
func fuzzTarget(_ name: String, _ directory: String, _ dependencies: [Target.Dependency]) -> Target {
    .executableTarget(
        name: "fuzz-\(name)", dependencies: ["FuzzCheck"] + dependencies, path: "Sources/\(directory)",
        swiftSettings: [.swiftLanguageMode(.v6)])
}

let package = Package(
    name: "GodwitFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "Godwit", path: "..")],
    targets: [
        // libpg_query (Debian's libpg-query-dev): the PostgreSQL server's own scanner, for the differential target.
        .systemLibrary(name: "CPgQuery", path: "Sources/CPgQuery", providers: [.apt(["libpg-query-dev"])]),
        .systemLibrary(name: "CSQLiteFuzz", path: "Sources/CSQLiteFuzz", providers: [.apt(["libsqlite3-dev"])]),
        // libFuzzer's driver, called from each target's main.
        .systemLibrary(name: "CFuzzerDriver", path: "Sources/CFuzzerDriver"),
        .target(
            name: "FuzzCheck", dependencies: ["CFuzzerDriver", .product(name: "GodwitCore", package: "Godwit")],
            path: "Sources/FuzzCheck"),
        fuzzTarget("dbmate-file", "DbmateFile", [.product(name: "GodwitCore", package: "Godwit")]),
        fuzzTarget("postgres-splitter", "PostgresSplitter", [
            .product(name: "GodwitCore", package: "Godwit"), .product(name: "GodwitPostgres", package: "Godwit"),
        ]),
        fuzzTarget("sqlite-splitter", "SQLiteSplitter", [
            "CSQLiteFuzz", .product(name: "GodwitCore", package: "Godwit"), .product(name: "GodwitSQLite", package: "Godwit"),
        ]),
        fuzzTarget("dotenv", "DotEnv", [
            .product(name: "GodwitCore", package: "Godwit"), .product(name: "GodwitConfiguration", package: "Godwit"),
        ]),
        fuzzTarget("connection-settings", "ConnectionSettings", [
            .product(name: "GodwitCore", package: "Godwit"), .product(name: "GodwitPostgres", package: "Godwit"),
            .product(name: "GodwitConfiguration", package: "Godwit"),
        ]),
        fuzzTarget("checksum", "Checksum", [.product(name: "GodwitCore", package: "Godwit")]),
        fuzzTarget("splitter-vs-libpg-query", "SplitterVsLibpgQuery", [
            "CPgQuery", .product(name: "GodwitCore", package: "Godwit"), .product(name: "GodwitPostgres", package: "Godwit"),
        ]),
    ]
)
