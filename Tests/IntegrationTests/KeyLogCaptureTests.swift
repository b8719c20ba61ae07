import CaptureAnalysis
import Foundation
import TLSDecryption
import Testing

/// Debian's xfreerdp against the testbed, its TLS secrets written to a key
/// log, its traffic captured by dumpcap; `analyze --keylog` and tshark
/// (`tls.keylog_file`) decrypt the same file and must agree. The key log is
/// also put into the capture as a pcapng Decryption Secrets Block by
/// Wireshark's editcap, which analyze reads without --keylog.
///
/// FreeRDP 2 on OpenSSL 3.0 writes no key log by itself (OpenSSL reads
/// SSLKEYLOGFILE only from 3.5, when built for it), so a small preload
/// library, compiled here, hands OpenSSL's keylog callback lines to the file.
@Suite("key logs of real xfreerdp sessions, against tshark", .serialized)
struct KeyLogCaptureTests {
    @Test("NLA over TLS 1.3 (FreeRDP shadow): CredSSP, NTLM user and workstation decrypted as tshark decrypts them")
    func shadowNLA() async throws {
        try await run(
            port: try Testbed.port("SHADOW_NLA"), arguments: ["/u:tester", "/p:Correct-Horse-9", "/sec:nla"],
            expectUser: "tester")
    }

    @Test("TLS 1.0 with ECDHE and AES-CBC, encrypt-then-MAC (xrdp): the MCS Connect Response and licensing decrypted")
    func xrdpTLS10() async throws {
        try await run(
            port: try Testbed.port("XRDP_TLS10"), arguments: ["/u:nobody", "/p:x", "/sec:tls", "/tls-seclevel:0"],
            expectUser: nil)
    }

    func run(port: UInt16, arguments: [String], expectUser: String?) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rdpdoctor-keylog-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let shim = try KeyLogShim.build(in: directory)
        let keyLog = directory.appendingPathComponent("keys.log")
        let file = directory.appendingPathComponent("capture.pcapng")

        let capture = try Dumpcap.start(filter: "tcp port \(port)", file: file)
        let client = try RealClient.start(
            ["/v:127.0.0.1:\(port)", "/cert:ignore"] + arguments,
            environment: ["LD_PRELOAD": shim.path, "SSLKEYLOGFILE": keyLog.path])
        // The session is up once the server's Demand Active came; a few seconds is plenty on loopback.
        for _ in 0..<500 where client.isRunning { usleep(10_000) }
        client.stop()
        try capture.stop()
        let log = try [UInt8](Data(contentsOf: keyLog))
        #expect(!log.isEmpty, "the client wrote no key log")

        // Without keys: what could not be seen, and why.
        var plain = CaptureAnalyzer(trustAnchors: [])
        await plain.feed(try [UInt8](Data(contentsOf: file)))
        let withoutKeys = await plain.finish()
        let ours0 = try #require(withoutKeys.connections.first { $0.captured.serverHello != nil })
        #expect(ours0.captured.decryption?.method == nil)
        #expect(ours0.captured.decryption?.problem?.contains("no keys were given") == true)

        // With the key log.
        var analyzer = CaptureAnalyzer(trustAnchors: [], keys: DecryptionKeys(keyLog: KeyLog(text: log)))
        await analyzer.feed(try [UInt8](Data(contentsOf: file)))
        let report = await analyzer.finish()
        // Other clients of the shared testbed may have used the same server meanwhile:
        // the client's own connection is the one its key log opens, and tshark reads that stream.
        let connection = try #require(report.connections.first { $0.captured.serverHello != nil && $0.captured.decryption?.method == .keyLog })
        let stream = "tcp.port==\(connection.captured.client.port)"
        let decryption = try #require(connection.captured.decryption)
        #expect(decryption.method == .keyLog)
        #expect(decryption.problem == nil)
        // What a live check would see of the same server, from the capture.
        #expect(connection.captured.record.serverData != nil)
        #expect(connection.captured.record.session?.licensing != nil)
        if let expectUser { #expect(decryption.client?.user == expectUser) }

        // tshark with the same key log.
        let options = ["tls.keylog_file:\(keyLog.path)"]
        let decodeAs = "tcp.port==\(port),tls"
        var theirs: [String: String] = [:]
        for line in try Tshark.fields(
            file, options: options, decodeAs: decodeAs, filter: "tls.handshake.type==2 && \(stream)",
            fields: ["tls.handshake.ciphersuite", "tls.handshake.extensions.supported_version", "tls.handshake.version"])
        {
            let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard f.count >= 3 else { continue }
            theirs["suite"] = String(UInt16(f[0].dropFirst(2), radix: 16) ?? 0)
            theirs["version"] = String(UInt16((f[1].isEmpty ? f[2] : f[1]).dropFirst(2), radix: 16) ?? 0)
        }
        for line in try Tshark.fields(
            file, options: options, decodeAs: decodeAs, filter: "ntlmssp.messagetype == 3 && \(stream)",
            fields: ["ntlmssp.auth.username", "ntlmssp.auth.domain", "ntlmssp.auth.hostname", "credssp.version"])
        {
            let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard f.count >= 4 else { continue }
            // tshark prints an empty NTLM string as NULL.
            theirs["user"] = f[0] == "NULL" ? "" : f[0]
            theirs["domain"] = f[1] == "NULL" ? "" : f[1]
            theirs["workstation"] = f[2] == "NULL" ? "" : f[2]
            theirs["credssp"] = f[3]
        }
        // The decrypted bytes handed to Wireshark's TPKT/T.125 dissectors.
        theirs["mcs"] =
            try Tshark.fields(
                file, options: options, decodeAs: decodeAs, alsoDecodeAs: ["tls.port==\(port),tpkt"],
                filter: "t125.connect_response_element && \(stream)",
                fields: ["frame.number"]
            ).isEmpty ? "no" : "yes"
        var ours: [String: String] = [:]
        ours["suite"] = connection.captured.serverHello.map { String($0.cipherSuite) }
        ours["version"] = connection.captured.serverHello.map { String($0.version) }
        if let client = decryption.client {
            ours["user"] = client.user
            ours["domain"] = client.domain
            ours["workstation"] = client.workstation
            ours["credssp"] = client.credSSPVersion.map(String.init)
        }
        ours["mcs"] = connection.captured.record.serverData == nil ? "no" : "yes"
        #expect(ours == theirs, "ours \(ours.sorted { $0.key < $1.key }), tshark \(theirs.sorted { $0.key < $1.key })")

        // The key log inside the capture (editcap --inject-secrets): read with no --keylog.
        let withSecrets = directory.appendingPathComponent("with-secrets.pcapng")
        try KeyLogShim.runTool("/usr/bin/editcap", ["--inject-secrets", "tls,\(keyLog.path)", file.path, withSecrets.path])
        var fromBlock = CaptureAnalyzer(trustAnchors: [])
        await fromBlock.feed(try [UInt8](Data(contentsOf: withSecrets)))
        let blockReport = await fromBlock.finish()
        #expect(blockReport.hasKeyLog)
        let blockConnection = try #require(blockReport.connections.first { $0.captured.client == connection.captured.client })
        #expect(blockConnection.captured.decryption?.method == .keyLog)
        #expect(blockConnection.captured.decryption?.client == decryption.client)
    }
}

/// The preload library: OpenSSL's keylog callback set on every SSL_CTX the
/// client uses, appending each line to $SSLKEYLOGFILE.
enum KeyLogShim {
    static let source = """
        #define _GNU_SOURCE
        #include <dlfcn.h>
        #include <stdio.h>
        #include <stdlib.h>
        #include <openssl/ssl.h>
        static void append_line(const SSL *ssl, const char *line) {
            (void)ssl;
            const char *path = getenv("SSLKEYLOGFILE");
            FILE *file = path ? fopen(path, "a") : NULL;
            if (!file) return;
            fprintf(file, "%s\\n", line);
            fclose(file);
        }
        SSL *SSL_new(SSL_CTX *ctx) {
            static SSL *(*next)(SSL_CTX *) = NULL;
            if (!next) next = (SSL *(*)(SSL_CTX *))dlsym(RTLD_NEXT, "SSL_new");
            SSL_CTX_set_keylog_callback(ctx, append_line);
            return next(ctx);
        }
        """

    static func build(in directory: URL) throws -> URL {
        let sourceFile = directory.appendingPathComponent("keylog.c")
        let library = directory.appendingPathComponent("keylog.so")
        try source.write(to: sourceFile, atomically: true, encoding: .utf8)
        try runTool("/usr/bin/cc", ["-shared", "-fPIC", "-o", library.path, sourceFile.path, "-ldl", "-lssl"])
        return library
    }

    static func runTool(_ path: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        for _ in 0..<3000 where process.isRunning { usleep(10_000) }
        guard !process.isRunning, process.terminationStatus == 0 else {
            if process.isRunning { process.terminate() }
            throw TestbedError("\(path) \(arguments.joined(separator: " ")) failed")
        }
    }
}
