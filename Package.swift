// swift-tools-version:6.0
// rdpdoctor: explains Remote Desktop connection failures and replays the
// connection layer by layer. ARCHITECTURE.md describes the module tiers.
import PackageDescription

let nio: [Target.Dependency] = [
    .product(name: "NIOCore", package: "swift-nio"),
    .product(name: "NIOPosix", package: "swift-nio"),
    .product(name: "NIOSSL", package: "swift-nio-ssl"),
    .product(name: "NIOTLS", package: "swift-nio"),
    .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
]
let crypto: Target.Dependency = .product(name: "Crypto", package: "swift-crypto")
let asn1: Target.Dependency = .product(name: "SwiftASN1", package: "swift-asn1")
let x509: Target.Dependency = .product(name: "X509", package: "swift-certificates")

let package = Package(
    name: "rdpdoctor",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "rdpdoctor", targets: ["rdpdoctor"]),
        .library(name: "RDPDoctorKit", targets: ["RDPDoctorKit"]),
        // The sans-IO modules as one product, for harnesses outside this package:
        // the libFuzzer targets of Fuzz/ (docs/FUZZING.md) depend on it by path.
        // It adds no build work here: the targets are built anyway.
        .library(
            name: "RDPDoctorCore",
            targets: [
                "RDPWire", "RDPProtocol", "LegacyCrypto", "NTLM", "CredSSP", "CertificateAudit",
                "ProbeCore", "Catalogue", "Explain", "Diagnosis", "Capture", "CaptureAnalysis", "TLSDecryption",
            ]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.30.0"),
        .package(url: "https://github.com/apple/swift-asn1", from: "1.3.0"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.10.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.10.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        // serve's graceful shutdown: SIGTERM closes the listener and drains the probes in flight.
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.14.0"),
    ],
    targets: [
        // Core tier: no I/O.
        .target(name: "RDPWire"),
        .target(name: "RDPProtocol", dependencies: ["RDPWire"], exclude: ["README.md"]),
        .target(name: "LegacyCrypto"),
        .target(name: "NTLM", dependencies: ["RDPWire", "LegacyCrypto", crypto]),
        .target(name: "CredSSP", dependencies: ["RDPWire", "NTLM", asn1, crypto]),
        .target(name: "RDPSecurity", dependencies: ["RDPProtocol", "RDPWire", "LegacyCrypto", crypto]),
        .target(
            name: "CertificateAudit",
            dependencies: [
                "RDPWire", "LegacyCrypto", x509, asn1, crypto, .product(name: "_CryptoExtras", package: "swift-crypto"),
            ]),
        .target(name: "Capture", dependencies: ["RDPWire"]),
        // TLS records of a capture decrypted with the server's RSA key or a key log.
        .target(
            name: "TLSDecryption",
            dependencies: [
                "RDPWire", "LegacyCrypto", crypto, .product(name: "_CryptoExtras", package: "swift-crypto"),
            ]),
        // MS-TSGU's HTTP transport: HTTP heads, WebSocket frames, the tunnel packets.
        .target(name: "TSGU", dependencies: ["RDPWire", crypto]),
        .target(
            name: "CaptureAnalysis",
            dependencies: ["Capture", "TLSDecryption", "NTLM", "CredSSP", "ProbeCore", "RDPProtocol", "RDPWire", "Diagnosis", "CertificateAudit"]),
        .target(name: "ProbeCore", dependencies: ["RDPWire", "RDPProtocol", "RDPSecurity", "NTLM", "CredSSP", "CertificateAudit", "TSGU"]),
        // The JSON files are the catalogue's source; the binary carries them as
        // EmbeddedCatalogue.swift (scripts/embed-catalogue.py), so it has no bundle.
        .target(name: "Catalogue", exclude: ["Resources"]),
        .target(name: "Explain", dependencies: ["Catalogue"]),
        .target(name: "Diagnosis", dependencies: ["ProbeCore", "RDPProtocol", "CertificateAudit", "Catalogue", "TSGU"]),
        .target(name: "Reporting", dependencies: ["Catalogue", "Explain", "Diagnosis", "ProbeCore", "CertificateAudit", "Capture", "CaptureAnalysis"]),
        // I/O tier: the only module that touches sockets.
        .target(
            name: "Transport",
            dependencies: [
                "ProbeCore", "RDPWire", "NTLM", "Capture", .product(name: "NIOEmbedded", package: "swift-nio"),
            ] + nio),
        // The library: explain and check for Swift callers (README "Use it from Swift").
        .target(
            name: "RDPDoctorKit",
            dependencies: [
                "Catalogue", "Explain", "Reporting", "Diagnosis", "Transport", "ProbeCore", "CertificateAudit",
            ]),
        // serve and scan, the logic: config, allow-list, timeouts, metrics text, target lists (no I/O).
        .target(
            name: "Service",
            dependencies: [
                "Diagnosis", "ProbeCore", "RDPProtocol", "CertificateAudit", "Catalogue", "TSGU", .product(name: "Yams", package: "Yams"),
            ]),
        // serve's HTTP front (NIOHTTP1) over RDPDoctorKit.check: the only I/O of the service.
        .target(
            name: "ServiceHTTP",
            dependencies: [
                "Service", "RDPDoctorKit", "Transport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        // The command line, thin.
        .executableTarget(
            name: "rdpdoctor",
            dependencies: [
                "Catalogue", "Explain", "Reporting", "Diagnosis", "Transport", "ProbeCore", "CertificateAudit", "RDPDoctorKit", "Capture", "CaptureAnalysis",
                "TLSDecryption", "Service", "ServiceHTTP",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "RDPWireTests", dependencies: ["RDPWire"]),
        .testTarget(name: "TSGUTests", dependencies: ["TSGU", "RDPWire"]),
        .testTarget(name: "CaptureTests", dependencies: ["Capture", "CaptureAnalysis", "ProbeCore", "RDPProtocol", "RDPWire", "TLSDecryption", "Reporting"]),
        .testTarget(name: "TLSDecryptionTests", dependencies: ["TLSDecryption", "LegacyCrypto", crypto]),
        .testTarget(name: "RDPProtocolTests", dependencies: ["RDPProtocol", "RDPWire"]),
        .testTarget(name: "LegacyCryptoTests", dependencies: ["LegacyCrypto"]),
        .testTarget(name: "RDPSecurityTests", dependencies: ["RDPSecurity", "RDPProtocol", "RDPWire", "LegacyCrypto"]),
        .testTarget(name: "NTLMTests", dependencies: ["NTLM", "LegacyCrypto"]),
        .testTarget(name: "CredSSPTests", dependencies: ["CredSSP", "NTLM", asn1]),
        .testTarget(name: "CertificateAuditTests", dependencies: ["CertificateAudit", x509, asn1, crypto]),
        .testTarget(
            name: "ProbeCoreTests", dependencies: ["ProbeCore", "RDPProtocol", "RDPWire", "RDPSecurity", "LegacyCrypto", "CertificateAudit", "NTLM", "TSGU"]),
        .testTarget(name: "CatalogueTests", dependencies: ["Catalogue"]),
        .testTarget(name: "ExplainTests", dependencies: ["Explain", "Catalogue", "Reporting"]),
        .testTarget(name: "DiagnosisTests", dependencies: ["Diagnosis", "ProbeCore", "RDPProtocol", "CredSSP", "CertificateAudit", "Catalogue", "TSGU"]),
        .testTarget(name: "RDPDoctorKitTests", dependencies: ["RDPDoctorKit"]),
        .testTarget(name: "ServiceTests", dependencies: ["Service", "ServiceHTTP", "Diagnosis", "ProbeCore", "CertificateAudit", "Catalogue"]),
        .testTarget(name: "CLITests", dependencies: ["rdpdoctor"]),
        // Inputs the fuzzer (Fuzz/, docs/FUZZING.md) found, each named for what it is.
        .testTarget(
            name: "FuzzRegressionTests",
            dependencies: [
                "RDPWire", "RDPProtocol", "LegacyCrypto", "NTLM", "CredSSP", "CertificateAudit", "ProbeCore", "Catalogue", "Explain",
                "Diagnosis", asn1,
            ]),
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "Transport", "ProbeCore", "Diagnosis", "RDPProtocol", "CertificateAudit", "Reporting", "Catalogue", "Capture", "CaptureAnalysis", "TSGU",
                "NTLM", "TLSDecryption",
            ] + nio,
            exclude: ["Snapshots"]),
    ]
)
