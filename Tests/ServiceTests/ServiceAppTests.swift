import Foundation
import Testing

@testable import Service
@testable import ServiceHTTP

/// serve's routes in process, for requests that never reach the network.
@Suite struct ServiceAppTests {
    static func app(
        _ yaml: String = """
        concurrency: 2
        allow: {networks: [127.0.0.1/32], hosts: [localhost], ports: [33890-33940]}
        modules:
          q: {quick: true, timeout: 2s}
          account:
            quick: true
            credentials: {user: 'LAB\\monitor', password_env: SERVE_TEST_PASSWORD}
        """, environment: [String: String] = [:]
    ) throws -> ServiceApp {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("serve-\(UUID().uuidString).yml").path
        try Data(yaml.utf8).write(to: URL(fileURLWithPath: path))
        return try ServiceApp(configPath: path, environment: { environment[$0] }, log: { _ in })
    }

    @Test func listenAddresses() {
        #expect(ListenAddress("127.0.0.1:9389") == ListenAddress(host: "127.0.0.1", port: 9389))
        #expect(ListenAddress(":9000") == ListenAddress(host: "127.0.0.1", port: 9000))
        #expect(ListenAddress("[::1]:9000") == ListenAddress(host: "::1", port: 9000))
        #expect(ListenAddress("localhost") == ListenAddress(host: "localhost", port: ListenAddress.defaultPort))
        #expect(ListenAddress("127.0.0.1:70000") == nil)
        #expect(ListenAddress("[::1]9000") == nil)
    }

    @Test func queryStrings() {
        let request = ServiceRequest(method: "GET", uri: "/probe?target=%5B%3A%3A1%5D%3A3389&module=a+b&module=second&debug")
        #expect(request.path == "/probe")
        #expect(request.query == ["target": "[::1]:3389", "module": "a b", "debug": ""])
    }

    @Test func routesThatNeedNoNetwork() async throws {
        let app = try Self.app()
        func status(_ method: String, _ uri: String) async -> Int {
            await app.handle(ServiceRequest(method: method, uri: uri)).status
        }
        #expect(await status("GET", "/-/healthy") == 200)
        #expect(await status("GET", "/nothing") == 404)
        #expect(await status("GET", "/-/reload") == 405)
        #expect(await status("POST", "/-/reload") == 200)
        #expect(await status("GET", "/probe") == 400)
        #expect(await status("GET", "/probe?target=127.0.0.1:33910") == 400)
        #expect(await status("GET", "/probe?target=127.0.0.1:33910&module=nope") == 400)
        #expect(await status("GET", "/probe?target=127.0.0.1:99999&module=q") == 400)
        // Refused before any connection: the port, the network, the name.
        #expect(await status("GET", "/probe?target=127.0.0.1:22&module=q") == 403)
        #expect(await status("GET", "/probe?target=192.0.2.1:33910&module=q") == 403)
        #expect(await status("GET", "/probe?target=example.invalid:33910&module=q") == 403)
        let metrics = await app.handle(ServiceRequest(method: "GET", uri: "/metrics")).body
        #expect(metrics.contains("rdpdoctor_serve_requests_refused_total{reason=\"allow_list\"} 3"))
        #expect(metrics.contains("rdpdoctor_serve_requests_refused_total{reason=\"bad_request\"} 4"))
        let index = await app.handle(ServiceRequest(method: "GET", uri: "/")).body
        #expect(index.contains("<td>q</td>") && index.contains("LAB\\monitor (password from $SERVE_TEST_PASSWORD)"))
    }

    @Test func aMissingPasswordIsNamedNotShown() async throws {
        let app = try Self.app()
        let response = await app.handle(ServiceRequest(method: "GET", uri: "/probe?target=127.0.0.1:33910&module=account"))
        #expect(response.status == 500)
        #expect(response.body.contains("SERVE_TEST_PASSWORD"))
    }

    @Test func aBadConfigurationIsATypedError() {
        #expect(throws: ConfigError.self) { try Self.app("modules: {}") }
        #expect(throws: ConfigError.self) {
            try ServiceApp(configPath: "/nonexistent/serve.yml", log: { _ in })
        }
    }
}
