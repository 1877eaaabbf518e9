import Testing
@testable import AMQPTransport

/// When the AMQP thread stops its 2 ms waits and sleeps, and until when.
@Suite struct IdleScheduleTests {
    let start = ContinuousClock.now

    /// Quiet turns at each of `turns` (milliseconds from the start): what each would sleep (nil: a 2 ms wait).
    func sleeps(_ idle: inout IdleSchedule, turns: [Int], depthReadAt depthRead: Int, buffered: Bool = false) -> [Duration?] {
        var sleeps: [Duration?] = []
        for turn in turns {
            sleeps.append(idle.idleTurn(now: start + .milliseconds(turn), nextDepthRead: start + .milliseconds(depthRead), buffered: buffered))
        }
        return sleeps
    }

    @Test func itSleepsOnlyOnceNothingHasHappenedForIdleAfterThenUntilTheNextDepthRead() {
        var idle = IdleSchedule(heartbeatSeconds: 30)
        let slept = sleeps(&idle, turns: [0, 50, 99, 100], depthReadAt: 2_000)
        #expect(slept == [nil, nil, nil, .milliseconds(1_900)], "the first quiet turn starts the count")
    }

    /// The busy path: a delivery or an ack at least every 100 ms keeps the 2 ms waits (and their batched acks).
    @Test func anyActivityStartsTheIdleTimeOver() {
        var idle = IdleSchedule(heartbeatSeconds: 30)
        _ = sleeps(&idle, turns: [0, 90], depthReadAt: 2_000)
        idle.active()
        let slept = sleeps(&idle, turns: [150, 200, 250], depthReadAt: 2_000)
        #expect(slept == [nil, nil, .milliseconds(1_750)])
    }

    /// rabbitmq-c sends heartbeats only inside its calls: with a 10 s heartbeat it is called at least every 5 s.
    @Test func aSleepIsNoLongerThanHalfTheHeartbeat() {
        var idle = IdleSchedule(heartbeatSeconds: 10)
        #expect(sleeps(&idle, turns: [0, 100], depthReadAt: 60_000) == [nil, .seconds(5)])
        var withoutHeartbeat = IdleSchedule(heartbeatSeconds: 0)
        #expect(sleeps(&withoutHeartbeat, turns: [0, 100], depthReadAt: 60_000) == [nil, .milliseconds(59_900)])
    }

    /// What rabbitmq-c has read already would never make the socket readable: no sleep while it holds any.
    @Test func itDoesNotSleepWhileRabbitMQCHoldsInputAlreadyRead() {
        var idle = IdleSchedule(heartbeatSeconds: 30)
        #expect(sleeps(&idle, turns: [0, 100, 150], depthReadAt: 2_000, buffered: true) == [nil, nil, nil])
        #expect(sleeps(&idle, turns: [160], depthReadAt: 2_000) == [.milliseconds(1_840)])
    }

    @Test func aDepthReadDueNowOrAlmostIsNotSleptFor() {
        var idle = IdleSchedule(heartbeatSeconds: 30)
        #expect(sleeps(&idle, turns: [0, 100], depthReadAt: 101) == [nil, nil], "1 ms: the 2 ms wait does as well")
        #expect(sleeps(&idle, turns: [100], depthReadAt: 50) == [nil], "overdue: read first")
    }

    /// Whoever hands work to a sleeping thread wakes it, and only the first of them signals.
    @Test func onlyTheFirstHandOverToASleepingThreadWakesIt() {
        var inbox = AMQPInbox()
        let whileAwake = inbox.wakeSleeper()
        #expect(!whileAwake, "awake: no signal, no system call")
        inbox.sleeping = true
        let first = inbox.wakeSleeper()
        let second = inbox.wakeSleeper()
        #expect(first && !second)
    }
}
