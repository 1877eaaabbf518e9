// swift-tools-version:6.0
import Foundation
import PackageDescription

// The benchmarks and the fault matrix: executables that scripts/bench-*.sh and scripts/chaos.sh build and run to
// print figures. A package of their own so that the product build (`swift build` at the root) never compiles them.

// A path dependency's identity is the last component of its path, and a fresh clone may be in any folder.
let rootPackage = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent

func gateway(_ product: String) -> Target.Dependency { .product(name: product, package: rootPackage) }
let argumentParser = Target.Dependency.product(name: "ArgumentParser", package: "swift-argument-parser")

let package = Package(
    name: "gateway-tools",
    platforms: [.macOS(.v14)],
    products: ["DeliveryBenchmark", "PipelineBenchmark", "FairnessBenchmark", "RecordBenchmark", "ChaosMatrix"].map {
        .executable(name: $0, targets: [$0])
    },
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        // Benchmarks: they print figures (never timed unit tests).
        .executableTarget(
            name: "DeliveryBenchmark",
            dependencies: [gateway("GatewayHost"), gateway("GenesysSandbox"), gateway("GatewayTestSupport"), argumentParser],
            path: "Sources/DeliveryBenchmark"),
        .executableTarget(
            name: "PipelineBenchmark",
            dependencies: [
                gateway("GatewayHost"), gateway("GenesysSandbox"), gateway("GatewayTestSupport"), gateway("RedisClient"),
                argumentParser,
            ],
            path: "Sources/PipelineBenchmark"),
        .executableTarget(name: "RecordBenchmark", dependencies: [gateway("GatewayHost"), argumentParser], path: "Sources/RecordBenchmark"),
        .executableTarget(
            name: "FairnessBenchmark",
            dependencies: [gateway("GatewayHost"), gateway("GenesysSandbox"), gateway("GatewayTestSupport"), argumentParser],
            path: "Sources/FairnessBenchmark"),
        // The fault matrix: run by scripts/chaos.sh (short in `scripts/test.sh --full`, whole by hand).
        .executableTarget(
            name: "ChaosMatrix",
            dependencies: [
                gateway("GatewayHost"), gateway("GenesysSandbox"), gateway("GatewayTestSupport"), argumentParser,
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/ChaosMatrix"),
    ]
)
