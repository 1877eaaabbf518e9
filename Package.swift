// swift-tools-version:6.0
import PackageDescription

/// Shipped plugins: each is a dynamic library the host `dlopen`s from its plugins directory.
/// Product names start with `GenesysPlugin` so the build script can stage exactly these.
let shippedPlugins: [(product: String, target: String, path: String, isC: Bool)] = [
    ("GenesysPluginText", "TextSenderPlugin", "Plugins/TextSender", false),
    ("GenesysPluginMedia", "MediaSenderPlugin", "Plugins/MediaSender", false),
    ("GenesysPluginDefaultPolicy", "DefaultErrorPolicyPlugin", "Plugins/DefaultErrorPolicy", false),
    ("GenesysPluginTyping", "TypingEventSenderPlugin", "Plugins/TypingEventSender", true),
    ("GenesysPluginReceipt", "ReceiptSenderPlugin", "Plugins/ReceiptSender", false),
    ("GenesysPluginButtonResponse", "ButtonResponseSenderPlugin", "Plugins/ButtonResponseSender", false),
]

/// Deliberately broken plugins the loader tests `dlopen` (built as real `.so` files, never shipped).
let testPlugins: [(product: String, target: String, path: String)] = [
    ("TestPluginNoEntry", "TestPluginNoEntry", "Tests/Fixtures/Plugins/NoEntry"),
    ("TestPluginWrongMajor", "TestPluginWrongMajor", "Tests/Fixtures/Plugins/WrongMajor"),
    ("TestPluginSmallStruct", "TestPluginSmallStruct", "Tests/Fixtures/Plugins/SmallStruct"),
    ("TestPluginDuplicateText", "TestPluginDuplicateText", "Tests/Fixtures/Plugins/DuplicateText"),
]

let package = Package(
    name: "genesys-gateway",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "genesys-gateway", targets: ["GatewayMain"]),
        .executable(name: "genesys-sandbox", targets: ["SandboxMain"]),
        // For the libFuzzer package in Fuzz/ (a separate package can only depend on products).
        .library(name: "GatewayHost", targets: ["GatewayHost", "PluginKit"]),
    ]
        + shippedPlugins.map { .library(name: $0.product, type: .dynamic, targets: [$0.target]) }
        + testPlugins.map { .library(name: $0.product, type: .dynamic, targets: [$0.target]) },
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.3"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // C libraries the design names, and the wrappers Swift needs for their variadic calls.
        .systemLibrary(name: "CCurl", path: "Sources/CBindings/CCurl", pkgConfig: "libcurl",
                       providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CRabbitMQ", path: "Sources/CBindings/CRabbitMQ", pkgConfig: "librabbitmq",
                       providers: [.apt(["librabbitmq-dev"])]),
        .systemLibrary(name: "CYAML", path: "Sources/CBindings/CYAML", pkgConfig: "yaml-0.1",
                       providers: [.apt(["libyaml-dev"])]),
        .target(name: "CGatewayShims", dependencies: ["CCurl", "CRabbitMQ"], path: "Sources/CBindings/CGatewayShims"),
        .systemLibrary(name: "CHiredis", path: "Sources/CBindings/CHiredis", pkgConfig: "hiredis",
                       providers: [.apt(["libhiredis-dev"])]),
        .target(name: "CRedisShims", dependencies: ["CHiredis"], path: "Sources/CBindings/CRedisShims"),

        // The Redis client for shared mode: hiredis behind one owning thread, async API, no gateway types.
        .target(
            name: "RedisClient",
            dependencies: ["CHiredis", "CRedisShims", .product(name: "Logging", package: "swift-log")],
            path: "Sources/RedisClient"),

        // The plugin ABI: one C header, plus a thin Swift layer for plugins written in Swift.
        .target(name: "PluginAPI", path: "Sources/PluginAPI"),
        .target(name: "PluginKit", dependencies: ["PluginAPI"], path: "Sources/PluginKit"),

        // The gateway library and its thin executable.
        .target(
            name: "GatewayHost",
            dependencies: [
                "CCurl", "CRabbitMQ", "CYAML", "CGatewayShims", "PluginAPI", "PluginKit", "RedisClient",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            path: "Sources/Host"
        ),
        .executableTarget(
            name: "GatewayMain",
            dependencies: ["GatewayHost", .product(name: "Logging", package: "swift-log")],
            path: "Sources/GatewayMain"),

        // The local stand-in for Genesys Cloud.
        .target(
            name: "GenesysSandbox",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Sources/GenesysSandbox",
            resources: [.copy("Resources/open_messaging_models.json")]
        ),
        .executableTarget(
            name: "SandboxMain",
            dependencies: [
                "GenesysSandbox",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Sources/SandboxMain"
        ),

        // Helpers shared by the test targets: built plugins, temporary folders, a manual clock.
        .target(
            name: "GatewayTestSupport",
            dependencies: [
                "GatewayHost", "GenesysSandbox",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Sources/GatewayTestSupport"),
        .testTarget(
            name: "HostTests",
            dependencies: [
                "GatewayHost", "PluginAPI", "PluginKit", "GatewayTestSupport", "RedisClient", "RedisTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Tests/HostTests"),
        // A redis-server of a test's own, for the Redis client's and shared mode's tests.
        .target(name: "RedisTestSupport", dependencies: ["RedisClient"], path: "Sources/RedisTestSupport"),
        // Against a real redis-server: GGW_REDIS_URL comes from scripts/with-redis.sh.
        .testTarget(
            name: "RedisClientTests",
            dependencies: ["RedisClient", "RedisTestSupport", .product(name: "Logging", package: "swift-log")],
            path: "Tests/RedisClientTests"),
        // Benchmarks: executables run by scripts/bench-*.sh, printing figures (never timed unit tests).
        .executableTarget(
            name: "DeliveryBenchmark",
            dependencies: [
                "GatewayHost", "GenesysSandbox", "GatewayTestSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/Benchmarks/DeliveryBenchmark"),
        .executableTarget(
            name: "PipelineBenchmark",
            dependencies: [
                "GatewayHost", "GenesysSandbox", "GatewayTestSupport", "RedisClient",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/Benchmarks/PipelineBenchmark"),
        .executableTarget(
            name: "FairnessBenchmark",
            dependencies: [
                "GatewayHost", "GenesysSandbox", "GatewayTestSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/Benchmarks/FairnessBenchmark"),
        // The fault matrix: an executable run by scripts/chaos.sh (short in the test command, full by hand).
        .executableTarget(
            name: "ChaosMatrix",
            dependencies: [
                "GatewayHost", "GenesysSandbox", "GatewayTestSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/Tools/ChaosMatrix"),
        // Integration: the gateway against the real sandbox over loopback (and, later, a real RabbitMQ).
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "GatewayHost", "GenesysSandbox", "GatewayTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Tests/IntegrationTests"),
        .testTarget(
            name: "GenesysSandboxTests",
            dependencies: [
                "GenesysSandbox",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Tests/GenesysSandboxTests"
        ),
    ]
        + shippedPlugins.map { plugin in
            plugin.isC
                ? .target(name: plugin.target, dependencies: ["PluginAPI"], path: plugin.path, publicHeadersPath: ".")
                : .target(name: plugin.target, dependencies: ["PluginKit"], path: plugin.path)
        }
        // The valid sender each broken fixture starts from (linked into each fixture library, never shipped).
        + [.target(name: "TestPluginFixtureSender", dependencies: ["PluginAPI"], path: "Tests/Fixtures/Plugins/FixtureSender")]
        + testPlugins.map {
            .target(name: $0.target, dependencies: ["PluginAPI", "TestPluginFixtureSender"], path: $0.path, publicHeadersPath: ".")
        }
)
