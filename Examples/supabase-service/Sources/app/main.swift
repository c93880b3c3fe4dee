import Foundation
import GodwitService
import Hummingbird
import Logging
import ServiceMigrations

// The service: migrates the database before it serves (Hummingbird's beforeServerStarts), then answers
// /health and /users. Configured like the migrate tool: DATABASE_URL or SUPABASE_DB_*, .env files,
// GODWIT_ENV, GODWIT_WAIT_TIMEOUT; PORT (default 8080); LOG_LEVEL (default info).
LoggingSystem.bootstrap { label in
    var handler = StreamLogHandler.standardError(label: label)
    handler.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0.lowercased()) } ?? .info
    return handler
}
let logger = Logger(label: "supabase-service")

do {
    let runner = try MigrationRunner(migrations: GodwitMigrations.all, logger: logger)
    let store = UserStore(configuration: runner.configuration)

    let router = Router()
    router.get("health") { _, _ -> Response in
        let healthy = await store.isReachable()
        return Response(status: healthy ? .ok : .serviceUnavailable, body: .init(byteBuffer: ByteBuffer(string: healthy ? "ok\n" : "database unreachable\n")))
    }
    router.get("users") { _, _ -> [User] in
        try await store.users()
    }

    let port = ProcessInfo.processInfo.environment["PORT"].flatMap(Int.init) ?? 8080
    var app = Application(
        router: router, configuration: .init(address: .hostname("0.0.0.0", port: port)), logger: logger)
    app.beforeServerStarts {
        // The schema first: a failure here stops the app before it takes a request.
        try await runner.latest()
        try await store.open()
    }
    try await app.runService()
} catch {
    logger.critical("\(error)")
    exit(1)
}
