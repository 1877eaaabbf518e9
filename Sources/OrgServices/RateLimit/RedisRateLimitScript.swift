import RedisClient

/// The Lua side of ``RedisRateLimiter``: GCRA for one org, run atomically inside Redis with `EVALSHA`.
///
/// One hash per org holds the state every replica shares: `tat` (theoretical arrival time), `paused` (end of
/// a Retry-After pause), `rrate`/`rat` (the reduced rate after a 429 and when its recovery starts) and
/// `throttled` (429s seen). Times are microseconds of Redis' own clock (`TIME`), so replicas' clocks never
/// meet. The script never sleeps: it reserves a slot and returns the wait; the caller sleeps locally.
///
/// Numbers cross into Redis as `%.17g` strings: Redis turns a bare Lua number into a 14-digit string, which
/// would round microsecond timestamps (16 digits).
enum RedisRateLimitScript {
    /// Arguments: KEYS[1] = the org's key; ARGV = op, configured rate (per second), burst, time override in
    /// µs ("" = Redis TIME; only tests pass one), then per op: acquire: max wait µs or "" (unbounded), and it
    /// answers granted, wait, reserved tat, previous tat, slot;
    /// throttle: pause µs; release: reserved tat, previous tat; check: the slot µs acquire returned.
    ///
    /// `check` (asked by a caller waking at its slot) reads one field and no clock: a pause ending after the
    /// slot is one a 429 started while the caller slept. Fields are deleted only when present, so a message
    /// of an org that was never throttled costs the script four commands (`TIME`, `HMGET`, `HSET`, `PEXPIRE`).
    static let source = """
        local key = KEYS[1]
        local op = ARGV[1]
        if op == 'check' then
          local paused = tonumber(redis.call('HGET', key, 'paused')) or 0
          return {math.max(0, math.ceil(paused - tonumber(ARGV[5])))}
        end
        local configured = tonumber(ARGV[2])
        local burst = tonumber(ARGV[3])
        local now
        if ARGV[4] ~= '' then
          now = tonumber(ARGV[4])
        else
          local t = redis.call('TIME')
          now = tonumber(t[1]) * 1000000 + tonumber(t[2])
        end
        local s = redis.call('HMGET', key, 'tat', 'paused', 'rrate', 'rat', 'throttled')
        local tat = tonumber(s[1]) or 0
        local paused = tonumber(s[2]) or 0
        local rrate = tonumber(s[3])
        local rat = tonumber(s[4]) or 0
        local throttled = tonumber(s[5]) or 0
        local function fmt(x) return string.format('%.17g', x) end
        local function rate_at(t)
          if not rrate then return configured end
          local r = rrate + configured * 0.05 * math.max(0, (t - rat) / 1e6)
          if r >= configured then return configured end
          return r
        end
        local function save()
          local last = math.max(tat, paused)
          if rrate and rate_at(now) < configured then
            redis.call('HSET', key, 'rrate', fmt(rrate), 'rat', fmt(rat))
            last = math.max(last, rat + (configured - rrate) / (configured * 0.05) * 1e6)
          elseif s[3] or s[4] then
            redis.call('HDEL', key, 'rrate', 'rat')
          end
          redis.call('HSET', key, 'tat', fmt(tat), 'paused', fmt(paused), 'throttled', throttled)
          redis.call('PEXPIRE', key, math.max(0, math.ceil((last - now) / 1000)) + 60000)
        end
        if op == 'acquire' then
          local interval = 1e6 / rate_at(now)
          local slot = math.max(now, tat - interval * (burst - 1), paused)
          local wait = slot - now
          if ARGV[5] ~= '' and wait > tonumber(ARGV[5]) then
            return {0, math.ceil(wait), '', '', ''}
          end
          local previous = tat
          tat = math.max(tat, slot) + interval
          save()
          return {1, math.ceil(wait), fmt(tat), fmt(previous), fmt(slot)}
        elseif op == 'release' then
          if tat == tonumber(ARGV[5]) then
            tat = tonumber(ARGV[6])
            save()
          end
          return {1}
        elseif op == 'throttle' then
          throttled = throttled + 1
          paused = math.max(paused, now + tonumber(ARGV[5]))
          rrate = math.max(rate_at(now) * 0.5, configured * 0.1)
          rat = paused
          tat = math.max(tat, paused + 1e6 / rrate * (burst - 1))
          save()
          return {1}
        elseif op == 'state' then
          return {fmt(rate_at(now)), throttled, math.max(0, math.ceil(paused - now))}
        end
        return redis.error_reply('unknown rate limit op ' .. tostring(op))
        """

    /// The script with its SHA1, so the first `EVALSHA` needs no `SCRIPT LOAD` round trip of its own
    /// (a `NOSCRIPT` answer loads it, once per Redis start).
    static let script = RedisScript(source: source, sha1: RedisScript.sha1Hex(of: source))
}
