import ArgumentParser
import Foundation
import Service
import ServiceHTTP

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Answer Prometheus probes over HTTP: /probe?target=HOST:PORT&module=NAME runs a check (docs/serve.md).",
        discussion: """
            Endpoints: /probe (the check's metrics; &debug=true for the report),
            /metrics (the service's own), /-/healthy, /-/reload (POST; SIGHUP does
            the same), / (modules and last probes).

            Only targets the configuration's allow-list admits are probed (403
            otherwise, with no connection); probes beyond its concurrency are
            answered 503.
            """
    )

    @Option(name: .long, help: "The YAML configuration (docs/serve.md).")
    var config: String

    @Option(name: .long, help: "ADDR:PORT to listen on (ADDR defaults to 127.0.0.1; port 0 picks a free port).")
    var listen: String = "127.0.0.1:\(ListenAddress.defaultPort)"

    func run() async throws {
        guard let address = ListenAddress(listen) else {
            Output.standardError("rdpdoctor: --listen must be ADDR:PORT, [IPv6]:PORT or :PORT, not \(listen)\n")
            throw Reported(status: .couldNotRun)
        }
        let app: ServiceApp
        do {
            app = try ServiceApp(configPath: config, log: { Output.standardError("rdpdoctor serve: \($0)\n") })
        } catch {
            Output.standardError("rdpdoctor: \(error.description)\n")
            throw Reported(status: .couldNotRun)
        }
        let server: HTTPServer
        do {
            server = try await HTTPServer.start(app, listen: address)
        } catch {
            Output.standardError("rdpdoctor: cannot listen on \(address): \(error)\n")
            throw Reported(status: .couldNotRun)
        }
        Output.standardError("rdpdoctor serve: listening on http://\(server.localAddress?.description ?? address.description)/\n")
        // SIGTERM/SIGINT: close the listener, answer the requests in flight, stop. SIGHUP: reload.
        do {
            try await ServeLifecycle.run(app: app, server: server)
        } catch {
            Output.standardError("rdpdoctor serve: \(error)\n")
        }
        Output.standardError("rdpdoctor serve: stopped\n")
    }
}
