// swift-tools-version:6.0
import Foundation
import PackageDescription

// libFuzzer targets for the gateway's parsers of outside data (docs/fuzzing.md). Built only by
// scripts/fuzz.sh, with `-sanitize=fuzzer,address -enable-testing`; never by the normal build.

// A path dependency's identity is the last component of its path, and a fresh clone may be in any folder.
let rootPackage = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent

let fuzzTargets = ["FuzzTenantYAML", "FuzzQueuedMessage", "FuzzQueueHeaders", "FuzzWebhook"]

let package = Package(
    name: "gateway-fuzz",
    platforms: [.macOS(.v14)],
    products: fuzzTargets.map { .executable(name: $0, targets: [$0]) },
    dependencies: [.package(path: "..")],
    targets: [
        // libFuzzer's driver entry point, declared for Swift (header only; the runtime comes with -sanitize=fuzzer).
        .systemLibrary(name: "CLibFuzzer", path: "Sources/CLibFuzzer"),
    ]
        + fuzzTargets.map { name in
            .executableTarget(
                name: name,
                dependencies: ["CLibFuzzer", .product(name: "GatewayHost", package: rootPackage)],
                path: "Sources/\(name)")
        }
)
