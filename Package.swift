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

/// The gateway's modules, lowest first (docs/architecture.md): the `GatewayHost` product bundles them for the fuzz
/// and tools packages.
let hostModules = [
    "GatewayCore", "Broker", "AMQPTransport", "CurlHTTP", "GatewayYAML", "PluginHost", "GatewayConfig", "OrgServices", "GatewayDelivery",
    "QueuePipeline", "Telemetry", "HTTPAPI", "GatewayApp",
]

let log = Target.Dependency.product(name: "Logging", package: "swift-log")
let crypto = Target.Dependency.product(name: "Crypto", package: "swift-crypto")
let lifecycle = Target.Dependency.product(name: "ServiceLifecycle", package: "swift-service-lifecycle")
let hummingbird = Target.Dependency.product(name: "Hummingbird", package: "hummingbird")
let nioSSL = Target.Dependency.product(name: "NIOSSL", package: "swift-nio-ssl")

/// The language settings of the gateway's own modules (those Hummingbird 2 uses): `any` spelled out, a member used
/// only where its module is imported, and imports internal unless a file says `public import`.
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

func hostModule(_ name: String, _ dependencies: [Target.Dependency]) -> Target {
    .target(name: name, dependencies: dependencies, path: "Sources/\(name)", swiftSettings: strictSettings)
}

/// One test target per module (Tests/<Module>Tests), each depending on the modules its tests use.
let moduleTests: [Target] = [
    moduleTest("PluginKit", ["PluginKit"]),
    moduleTest("GatewayCore", ["GatewayCore"]),
    moduleTest("AMQPTransport", ["GatewayCore", "AMQPTransport"]),
    moduleTest("CurlHTTP", ["GatewayCore", "CurlHTTP"]),
    moduleTest("GatewayYAML", ["GatewayYAML"]),
    moduleTest("PluginHost", ["PluginHost"]),
    moduleTest("GatewayConfig", ["GatewayCore", "AMQPTransport", "GatewayYAML", "GatewayConfig"]),
    moduleTest("OrgServices", ["GatewayCore", "GatewayConfig", "OrgServices"]),
    moduleTest("GatewayDelivery", ["GatewayCore", "GatewayConfig", "OrgServices", "GatewayDelivery"]),
    moduleTest("QueuePipeline", ["GatewayCore", "AMQPTransport", "GatewayConfig", "OrgServices", "GatewayDelivery", "QueuePipeline"]),
    moduleTest("Telemetry", ["GatewayCore", "CurlHTTP", "GatewayConfig", "OrgServices", "GatewayDelivery", "QueuePipeline", "Telemetry"]),
    moduleTest("HTTPAPI", ["GatewayCore", "Broker", "AMQPTransport", "GatewayConfig", "OrgServices", "GatewayDelivery", "Telemetry", "HTTPAPI"]),
    moduleTest("GatewayApp", ["GatewayCore", "AMQPTransport", "CurlHTTP", "GatewayYAML", "PluginHost", "GatewayConfig", "OrgServices", "GatewayDelivery", "Telemetry", "HTTPAPI", "GatewayApp"]),
    moduleTest("GatewayMain", ["GatewayCore", "GatewayConfig", "GatewayMain"]),
]

func moduleTest(_ module: String, _ modules: [String]) -> Target {
    .testTarget(
        name: "\(module)Tests",
        dependencies: modules.filter { !["PluginKit", "PluginAPI"].contains($0) }.map { .target(name: $0) } + [
            .product(name: "HummingbirdTesting", package: "hummingbird"), .product(name: "HTTPTypes", package: "swift-http-types"),
            "GatewayTestSupport", "BrokerTesting", "GenesysSandbox", "PluginKit", "PluginAPI", "RedisClient", "RedisTestSupport", log, hummingbird,
            lifecycle, crypto,
        ],
        path: "Tests/\(module)Tests")
}

let package = Package(
    name: "genesys-gateway",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "genesys-gateway", targets: ["GatewayMain"]),
        .executable(name: "genesys-sandbox", targets: ["SandboxMain"]),
        // For the libFuzzer package in Fuzz/ (a separate package can only depend on products).
        .library(name: "GatewayHost", targets: hostModules + ["PluginKit"]),
        // For the tools package in Tools/ (benchmarks, the fault matrix).
        .library(name: "GatewayTestSupport", targets: ["GatewayTestSupport"]),
        .library(name: "GenesysSandbox", targets: ["GenesysSandbox"]),
        .library(name: "RedisClient", targets: ["RedisClient"]),
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
        // Already in the graph through async-http-client; named here because the HTTPS listener and the sandbox's
        // webhook client use its types themselves.
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
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
        // OpenSSL 3 for rediss:// (hiredis 0.14 has no TLS): the client owns the socket and the SSL session.
        .systemLibrary(name: "COpenSSL", path: "Sources/CBindings/COpenSSL", pkgConfig: "openssl",
                       providers: [.apt(["libssl-dev"])]),

        // The Redis client for shared mode: hiredis' parser over a socket (plain or TLS) of its own, behind one owning
        // thread, async API, no gateway types.
        .target(
            name: "RedisClient",
            dependencies: ["CHiredis", "CRedisShims", "COpenSSL", .product(name: "Logging", package: "swift-log")],
            path: "Sources/RedisClient"),

        // The plugin ABI: one C header, plus a thin Swift layer for plugins written in Swift.
        .target(name: "PluginAPI", path: "Sources/PluginAPI"),
        .target(name: "PluginKit", dependencies: ["PluginAPI"], path: "Sources/PluginKit"),

        // The gateway, as modules along the data flow (docs/architecture.md has the map). Each depends only on
        // the ones above it here; the compiler refuses an import of a module that is not a declared dependency.
        hostModule("GatewayCore", ["PluginKit", log]),
        hostModule("Broker", ["GatewayCore"]),
        hostModule("AMQPTransport", ["GatewayCore", "Broker", "CRabbitMQ", "CGatewayShims", log]),
        hostModule("CurlHTTP", ["GatewayCore", "CCurl", "CGatewayShims"]),
        hostModule("GatewayYAML", ["CYAML"]),
        hostModule("PluginHost", ["PluginAPI", "PluginKit", log]),
        hostModule("GatewayConfig", ["GatewayCore", "GatewayYAML", "PluginHost", "PluginKit", log]),
        hostModule("OrgServices", [
            "GatewayCore", "Broker", "PluginHost", "GatewayConfig", "PluginKit", "RedisClient", log, crypto, lifecycle,
        ]),
        hostModule("GatewayDelivery", ["GatewayCore", "PluginHost", "GatewayConfig", "OrgServices", "PluginKit", log]),
        hostModule("QueuePipeline", [
            "GatewayCore", "Broker", "GatewayConfig", "OrgServices", "GatewayDelivery", "PluginKit", "RedisClient", log,
            lifecycle,
        ]),
        hostModule("Telemetry", [
            "GatewayCore", "GatewayConfig", "OrgServices", "GatewayDelivery", "QueuePipeline", hummingbird,
            .product(name: "Prometheus", package: "swift-prometheus"),
        ]),
        // HTTPS on the listeners: HummingbirdTLS (swift-nio-ssl's BoringSSL) serves, OpenSSL 3 reads the files first
        // for its error messages.
        hostModule("HTTPAPI", [
            "GatewayCore", "Broker", "GatewayConfig", "OrgServices", "GatewayDelivery", "QueuePipeline", "Telemetry",
            "PluginKit", "COpenSSL", log, crypto, lifecycle, hummingbird, .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "NIOCore", package: "swift-nio"), .product(name: "HummingbirdCore", package: "hummingbird"),
            .product(name: "HummingbirdTLS", package: "hummingbird"), nioSSL,
        ]),
        hostModule("GatewayApp", [
            "GatewayCore", "Broker", "AMQPTransport", "CurlHTTP", "GatewayConfig", "OrgServices", "GatewayDelivery",
            "QueuePipeline", "Telemetry", "HTTPAPI", "PluginKit", "RedisClient", log, lifecycle, .product(name: "UnixSignals", package: "swift-service-lifecycle"),
        ]),
        // The executable: the command line, the service group and its signals.
        .executableTarget(
            name: "GatewayMain",
            dependencies: [
                "GatewayCore", "Broker", "AMQPTransport", "CurlHTTP", "PluginHost", "GatewayConfig", "OrgServices", "QueuePipeline",
                "GatewayApp", "RedisClient", "CGatewayShims", log, lifecycle,
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            path: "Sources/GatewayMain",
            swiftSettings: strictSettings),

        // The local stand-in for Genesys Cloud.
        .target(
            name: "GenesysSandbox",
            dependencies: [
                hummingbird,
                // HTTPS for the sandbox (--tls-cert-file), so the gateway's TLS settings are tried against it; swift-nio-ssl
                // is in the graph already through AsyncHTTPClient.
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                crypto, log,
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                nioSSL,
                lifecycle,
            ],
            path: "Sources/GenesysSandbox",
            resources: [.copy("Resources/open_messaging_models.json")]
        ),
        .executableTarget(
            name: "SandboxMain",
            dependencies: [
                "GenesysSandbox", log, lifecycle,
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/SandboxMain"
        ),

        // Helpers shared by the test targets and the tools package: built plugins, temporary folders, a manual clock,
        // the gateway as a process.
        .target(
            name: "GatewayTestSupport",
            dependencies: hostModules.map { .target(name: $0) } + ["GenesysSandbox", "PluginKit", hummingbird, lifecycle, log],
            path: "Sources/GatewayTestSupport"),
        // The broker double the pipeline's unit tests drive (in the spirit of NIOEmbedded): queues, prefetch,
        // confirms, acks and redeliveries in memory, with the broker's failures on demand.
        .target(name: "BrokerTesting", dependencies: ["Broker", "GatewayCore"], path: "Sources/BrokerTesting",
                swiftSettings: strictSettings),
        // A redis-server of a test's own, for the Redis client's and shared mode's tests.
        .target(name: "RedisTestSupport", dependencies: ["RedisClient", log], path: "Sources/RedisTestSupport"),
        // Against a real redis-server: GGW_REDIS_URL comes from scripts/with-redis.sh.
        .testTarget(
            name: "RedisClientTests",
            dependencies: ["RedisClient", "RedisTestSupport", log],
            path: "Tests/RedisClientTests"),
        // Integration: the gateway against the real sandbox, RabbitMQ and redis-server over loopback.
        .testTarget(
            name: "IntegrationTests",
            dependencies: hostModules.map { .target(name: $0) } + [
                "GenesysSandbox", "GatewayTestSupport", "PluginKit", "RedisClient", "RedisTestSupport", log, hummingbird, lifecycle,
                .product(name: "AsyncHTTPClient", package: "async-http-client"), .product(name: "HTTPTypes", package: "swift-http-types"),
                crypto, nioSSL, .product(name: "NIOCore", package: "swift-nio"),
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
        + moduleTests
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
