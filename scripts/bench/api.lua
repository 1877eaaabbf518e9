-- wrk script for scripts/bench-api.sh. Configured through the environment (wrk passes it on):
--   BENCH_MODE    send    POST /v1/messages          (our message contract, Bearer API key)
--                 async   POST /v1/messages/async    (same body)
--                 health  GET  /health               (static request: wrk's fast path, no Lua per request)
--                 sandbox POST straight to the sandbox's Open Messaging inbound endpoint (Bearer token),
--                         the body the gateway's text plugin would send, as a no-gateway baseline
--   BENCH_PREFIX  message-id prefix; with the thread number and a per-thread counter every id is unique,
--                 so the gateway's idempotency record never answers without sending
--   BENCH_AUTH    the Authorization header value (API key or sandbox token)
--   BENCH_INTEGRATION  integration id (sandbox mode)
--   BENCH_CUSTOMERS    distinct senders (default 500; the sandbox keeps one conversation per sender)
-- done() prints one "BENCH key=value ..." line that the shell script parses.
local mode = os.getenv("BENCH_MODE") or "send"
local prefix = os.getenv("BENCH_PREFIX") or "bench"
local auth = os.getenv("BENCH_AUTH") or ""
local integration = os.getenv("BENCH_INTEGRATION") or "bench-integration"
local customers = tonumber(os.getenv("BENCH_CUSTOMERS") or "500")

local next_thread = 0
function setup(thread)
    thread:set("thread_id", next_thread)
    next_thread = next_thread + 1
end

if mode == "health" then
    wrk.method = "GET"
    wrk.path = "/health"
else
    local counter = 0
    local path, headers
    if mode == "sandbox" then
        path = "/api/v2/conversations/messages/" .. integration .. "/inbound/open/message?prefetchConversationId=true"
    elseif mode == "async" then
        path = "/v1/messages/async"
    else
        path = "/v1/messages"
    end
    headers = { ["Authorization"] = auth, ["Content-Type"] = "application/json" }

    function request()
        counter = counter + 1
        local id = string.format("%s-%d-%d", prefix, thread_id or 0, counter)
        local customer = counter % customers
        local body
        if mode == "sandbox" then
            body = string.format(
                '{"channel":{"from":{"id":"customer-%d","idType":"Opaque"},"messageId":"%s",' ..
                '"time":"2026-01-01T00:00:00.000Z"},"text":"benchmark message %d"}',
                customer, id, counter)
        else
            body = string.format(
                '{"id":"%s","type":"text","textBody":"benchmark message %d",' ..
                '"sender":{"id":"customer-%d","idType":"Opaque"},"createdAt":"2026-01-01T00:00:00.000Z"}',
                id, counter, customer)
        end
        return wrk.format("POST", path, headers, body)
    end
end

function done(summary, latency, requests)
    local e = summary.errors
    io.write(string.format(
        "BENCH requests=%d duration_us=%d rps=%.1f non2xx=%d connect=%d read=%d write=%d timeout=%d " ..
        "p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f mean_ms=%.3f\n",
        summary.requests, summary.duration, summary.requests / (summary.duration / 1e6), e.status,
        e.connect, e.read, e.write, e.timeout,
        latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
        latency.max / 1000, latency.mean / 1000))
end
