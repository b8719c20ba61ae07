import CaptureAnalysis
import Foundation
import Reporting
import Testing

/// `analyze --zeek` on a real capture: the rdp.log layout Zeek writes, with
/// values that agree with what tshark decodes from the same file.
@Suite("Zeek rdp.log records", .serialized)
struct ZeekLogTests {
    @Test("standard RDP security in clear: security protocol, GCC result, certificate and encryption as tshark reads them")
    func standardSecurity() async throws {
        let port = try Testbed.port("XRDP_RDP_HIGH")
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("rdpdoctor-zeek-\(UUID().uuidString).pcapng")
        defer { try? FileManager.default.removeItem(at: file) }
        let capture = try Dumpcap.start(filter: "tcp port \(port)", file: file)
        _ = try await Testbed.check("XRDP_RDP_HIGH") { $0.defaultClientOnly = true }
        try capture.stop()

        var analyzer = CaptureAnalyzer(trustAnchors: [])
        await analyzer.feed(try [UInt8](Data(contentsOf: file)))
        let log = ZeekLogRenderer(showNames: false).render(await analyzer.finish())
        let lines = log.split(separator: "\n").map(String.init)
        let header = try #require(lines.first { $0.hasPrefix("#fields\t") })
        let names = header.split(separator: "\t").dropFirst().map(String.init)
        #expect(
            names == [
                "ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "cookie", "result",
                "security_protocol", "client_channels", "keyboard_layout", "client_build", "client_name",
                "client_dig_product_id", "desktop_width", "desktop_height", "requested_color_depth",
                "cert_type", "cert_count", "cert_permanent", "encryption_level", "encryption_method",
            ])
        let rows = lines.filter { !$0.hasPrefix("#") }.map { row in
            Dictionary(uniqueKeysWithValues: zip(names, row.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)))
        }
        // The connection that read the server's security data (the others are refused or encrypted).
        let walked = try #require(rows.first { $0["encryption_method"] != "-" }, "rows: \(rows)")
        #expect(walked["security_protocol"] == "RDP")
        #expect(walked["result"] == "Success")
        #expect(walked["cookie"] == "(hidden)", "the user name is shown only with --show-names")
        #expect(Set(rows.map { $0["uid"] ?? "" }).count == rows.count, "one uid per connection")

        // tshark's reading of the same Server Security Data.
        let decoded = try Tshark.fields(
            file, decodeAs: "tcp.port==\(port),tpkt", filter: "rdp.encryptionMethod",
            fields: ["rdp.encryptionMethod", "rdp.encryptionLevel"])
        let first = try #require(decoded.first { !$0.isEmpty }, "tshark found no Server Security Data")
        let parts = first.split(separator: "\t").map { UInt32($0.hasPrefix("0x") ? String($0.dropFirst(2)) : String($0), radix: $0.hasPrefix("0x") ? 16 : 10) }
        let methodWords: [UInt32: String] = [0: "None", 1: "40bit", 2: "128bit", 8: "56bit", 0x10: "FIPS"]
        let levelWords: [UInt32: String] = [0: "None", 1: "Low", 2: "Client compatible", 3: "High", 4: "FIPS"]
        #expect(walked["encryption_method"] == parts.first.flatMap { $0 }.flatMap { methodWords[$0] }, "tshark: \(first)")
        #expect(walked["encryption_level"] == (parts.count > 1 ? parts[1].flatMap { levelWords[$0] } : nil), "tshark: \(first)")
        #expect(["RSA", "X.509"].contains(walked["cert_type"] ?? ""))
        #expect(Int(walked["cert_count"] ?? "") ?? 0 >= 1)
    }
}
