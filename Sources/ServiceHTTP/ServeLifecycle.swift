// `rdpdoctor serve` under swift-service-lifecycle: SIGTERM and SIGINT start a
// graceful shutdown (the listener closes, every request already taken is
// answered, then the process ends); SIGHUP reloads the configuration.

import Logging
import ServiceLifecycle
import UnixSignals

/// The HTTP listener and the probes it runs, as one lifecycle service.
public struct ProbeHTTPService: ServiceLifecycle.Service, CustomStringConvertible {
    let app: ServiceApp
    let server: HTTPServer

    public init(app: ServiceApp, server: HTTPServer) {
        self.app = app
        self.server = server
    }

    public var description: String { "rdpdoctor serve" }

    public func run() async throws {
        let app = app
        let server = server
        await withGracefulShutdownHandler {
            await server.waitUntilClosed()
        } onGracefulShutdown: {
            // No new connection from here on; requests on open connections get 503.
            app.beginDraining()
            Task { await server.close() }
        }
        app.beginDraining()
        // Answer what was taken, within the longest a probe may run.
        let answered = await app.drained(within: .seconds(app.drainLimitSeconds))
        app.log(
            answered
                ? "drained: every request in flight was answered"
                : "stopping with requests still in flight after \(Int(app.drainLimitSeconds)) s")
    }
}

/// SIGHUP: read the configuration again (the old one stays when the new one is bad).
public struct ReloadOnHangup: ServiceLifecycle.Service, CustomStringConvertible {
    let app: ServiceApp

    public init(app: ServiceApp) {
        self.app = app
    }

    public var description: String { "configuration reload on SIGHUP" }

    public func run() async throws {
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        for await _ in hangups.cancelOnGracefulShutdown() {
            app.reload()
        }
    }
}

public enum ServeLifecycle {
    /// Runs serve until SIGTERM or SIGINT, then drains.
    public static func run(app: ServiceApp, server: HTTPServer) async throws {
        var logger = Logger(label: "rdpdoctor.serve")
        logger.logLevel = .warning
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [
                    .init(service: ProbeHTTPService(app: app, server: server), successTerminationBehavior: .gracefullyShutdownGroup),
                    .init(service: ReloadOnHangup(app: app), successTerminationBehavior: .gracefullyShutdownGroup),
                ],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        try await group.run()
    }
}
