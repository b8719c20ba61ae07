// swift-tools-version:6.0
// The libFuzzer harness of rdpdoctor: one executable, `rdpdoctor-fuzz`, whose
// target is chosen with FUZZ_TARGET (docs/FUZZING.md). Its own package, so the
// main package's `swift build` never builds it and never needs sanitizer flags.
// Build it through scripts/fuzz.sh, which adds `-sanitize=fuzzer,address`:
//   swift build --package-path Fuzz --scratch-path .build-fuzz -c release \
//       -Xswiftc -sanitize=fuzzer,address
import PackageDescription

let package = Package(
    name: "rdpdoctor-fuzz",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(name: "rdpdoctor", path: ".."),
    ],
    targets: [
        .executableTarget(
            name: "rdpdoctor-fuzz",
            dependencies: ["CLibFuzzer", .product(name: "RDPDoctorCore", package: "rdpdoctor")],
            path: "Sources/RDPDoctorFuzz"
        ),
        .target(name: "CLibFuzzer"),
    ]
)
