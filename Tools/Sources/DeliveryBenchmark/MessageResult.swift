import GatewayDelivery

/// What happened to one benchmark message, with the times the benchmark saw (monotonic clock of the
/// gateway under test).
struct MessageResult: Sendable {
    /// How a message ended.
    enum Ending: Sendable, Equatable {
        case delivered
        case retry(String)
        case deadLetter(String)
        case parked(String)
        /// Still running at the deadline; its task was cancelled.
        case timedOut
    }

    /// Index of the org in the run.
    let org: Int
    /// The message's number within its org (the order it was created in, not the order it was served).
    let number: Int
    let id: String
    var ending: Ending
    /// When `deliver` was called.
    let calledAt: Duration
    /// When `deliver` returned.
    let returnedAt: Duration
    /// libcurl's total time for the Genesys call (`DeliveryReceipt.genesysDuration`); zero unless delivered.
    let genesysDuration: Duration
    /// The decorators' stamps; empty when probes are off.
    let marks: MessageProbe.Marks
    /// Whether it was handed over in the initial batch (all messages, unless a lead was given).
    let admittedAtStart: Bool

    init(
        org: Int, number: Int, id: String, outcome: DeliveryOutcome, calledAt: Duration, returnedAt: Duration,
        marks: MessageProbe.Marks, admittedAtStart: Bool
    ) {
        self.org = org
        self.number = number
        self.id = id
        self.calledAt = calledAt
        self.returnedAt = returnedAt
        self.marks = marks
        self.admittedAtStart = admittedAtStart
        switch outcome {
        case .delivered(let receipt):
            ending = .delivered
            genesysDuration = receipt.genesysDuration
        case .retry(_, let reason, _), .throttled(_, let reason, _):
            ending = .retry(reason)
            genesysDuration = .zero
        case .notSent(let refusal):
            ending = .retry(refusal.reason)
            genesysDuration = .zero
        case .deadLetter(let reason, _):
            ending = .deadLetter(reason)
            genesysDuration = .zero
        case .parked(let reason):
            ending = .parked(reason)
            genesysDuration = .zero
        case .expired:
            ending = .deadLetter("expired")
            genesysDuration = .zero
        case .alreadyDelivered:
            // Not sent in this run, so not one of its deliveries (benchmark ids are new, so it does not come).
            ending = .deadLetter("already delivered")
            genesysDuration = .zero
        }
    }

    var isDelivered: Bool { ending == .delivered }
}
