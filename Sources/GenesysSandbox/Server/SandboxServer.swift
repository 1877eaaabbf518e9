//
// SandboxServer.swift — GenesysSandbox
// The public entry point: build the sandbox from a configuration and run it, as a Service or scoped.
//

import Hummingbird
import HummingbirdTLS
import Logging
import NIOCore
import ServiceLifecycle

/// A local HTTP server that behaves like Genesys Cloud (OAuth, Open Messaging inbound,
/// conversations, webhooks) plus a `/sandbox` admin API for fault injection and observation.
///
/// Run it in-process on a free port:
/// ```swift
/// try await SandboxServer.withRunning(configuration) { sandbox in
///     // talk to sandbox.baseURL, inspect sandbox.control.received()
/// }
/// ```
/// or as a `Service` in a `ServiceGroup` (what the `genesys-sandbox` executable does).
public struct SandboxServer: Service {
    let engine: SandboxEngine
    private let logger: Logger
    /// The handshake's settings when the configuration asks for HTTPS (its files read at init).
    private let tlsConfiguration: TLSConfiguration?

    /// The in-process admin interface.
    public var control: SandboxControl { SandboxControl(engine: engine) }

    /// - Parameters:
    ///   - configuration: orgs, clients, integrations, defaults, faults.
    ///   - clock: time source for token expiry, rate windows and outages; `SystemClock()` by default.
    ///   - logger: where the sandbox logs (`genesys-sandbox` label by default).
    /// - Throws: `SandboxError` if the configuration, the models file or a TLS file is unusable.
    public init(
        configuration: SandboxConfiguration, clock: any SandboxClock = SystemClock(),
        logger: Logger = Logger(label: "genesys-sandbox")
    ) throws {
        self.engine = try SandboxEngine(configuration: configuration, clock: clock, logger: logger)
        self.logger = logger
        tlsConfiguration = try configuration.tls?.serverConfiguration()
    }

    /// Runs the HTTP server until the task is cancelled or the service group shuts down.
    public func run() async throws {
        try await makeApplication { _ in }.run()
    }

    /// `http` or `https`, as the configuration asks.
    var scheme: String { tlsConfiguration == nil ? "http" : "https" }

    /// Starts the sandbox (use port 0 for a free port), runs `body` with its address, then stops it.
    /// - Parameters:
    ///   - configuration: what to serve.
    ///   - clock: time source (pass a `ManualClock` to move time in tests).
    ///   - logger: where to log.
    ///   - body: the work to do while the sandbox runs.
    public static func withRunning<Result: Sendable>(
        _ configuration: SandboxConfiguration, clock: any SandboxClock = SystemClock(),
        logger: Logger = Logger(label: "genesys-sandbox"),
        _ body: (RunningSandbox) async throws -> Result
    ) async throws -> Result {
        let server = try SandboxServer(configuration: configuration, clock: clock, logger: logger)
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let application = try server.makeApplication { port in continuation.yield(port) }
        // Stopped by graceful shutdown rather than cancellation, so open keep-alive connections
        // are closed quietly.
        let group = ServiceGroup(services: [application], logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask {
                defer { continuation.finish() }
                try await group.run()
            }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else {
                try await tasks.next()
                throw SandboxError.serverDidNotStart("the server stopped before binding \(configuration.host)")
            }
            let running = RunningSandbox(host: configuration.host, port: port, control: server.control, scheme: server.scheme)
            let result: Swift.Result<Result, any Error>
            do {
                result = .success(try await body(running))
            } catch {
                result = .failure(error)
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return try result.get()
        }
    }

    func makeApplication(onRunning: @escaping @Sendable (Int) -> Void) throws -> some ApplicationProtocol {
        let router = Router(context: SandboxRequestContext.self)
        router.add(middleware: EnvelopeMiddleware(engine: engine))
        OAuthRoutes(engine: engine).register(on: router)
        AdminRoutes(control: control).register(on: router)
        let api = router.group("api/v2").add(middleware: ApiGateMiddleware(engine: engine))
        InboundRoutes(engine: engine).register(on: api)
        ConversationRoutes(engine: engine).register(on: api)
        let configuration = engine.configuration
        let logger = self.logger
        let scheme = self.scheme
        let address = ApplicationConfiguration(
            address: .hostname(configuration.host, port: configuration.port), serverName: "genesys-sandbox")
        let onServerRunning: @Sendable (any Channel) async -> Void = { channel in
            let port = channel.localAddress?.port ?? configuration.port
            logger.info("genesys-sandbox listening", metadata: ["address": "\(scheme)://\(configuration.host):\(port)"])
            onRunning(port)
        }
        if let tlsConfiguration {
            return Application(
                router: router, server: try .tls(.http1(), tlsConfiguration: tlsConfiguration), configuration: address,
                services: [engine.webhooks], onServerRunning: onServerRunning, logger: logger)
        }
        return Application(
            router: router, configuration: address, services: [engine.webhooks], onServerRunning: onServerRunning, logger: logger)
    }
}

/// A sandbox started by `SandboxServer.withRunning`.
public struct RunningSandbox: Sendable {
    /// The bound host.
    public let host: String
    /// The bound port (the real one when the configuration asked for 0).
    public let port: Int
    /// In-process admin: faults, revocation, received messages, stats, deliveries.
    public let control: SandboxControl
    /// `https` when the sandbox serves TLS (``SandboxConfiguration/tls``), else `http`.
    public let scheme: String

    /// `http://host:port` (`https://` with TLS), the base URL for both the API (`/api/v2/...`) and login (`/oauth/token`).
    public var baseURL: String { "\(scheme)://\(host):\(port)" }
}
