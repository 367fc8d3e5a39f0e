-- wrk script of B4 and B6 (bench/b4_http.py, bench/b6_memory.py): each wrk thread sends the
-- requests of its own plan file, counts the responses by status class, and the run ends with one
-- line "GONGWEN_WRK {json}" holding the counts and the latency distribution.
--
--   wrk ... -s bench/b4_requests.lua URL -- PLAN_PREFIX MODE LIMIT
--
-- PLAN_PREFIX<n>.txt is thread n's plan (n = 1, 2, ...), one request a line:
-- METHOD <tab> PATH <tab> COOKIE <tab> BODY (the body of a POST, form-encoded).
-- MODE "cycle" starts the plan again at its end (pages that change nothing); "once" sends each
-- line at most once (each acknowledgement signs for its own receipt) and counts as an overrun
-- every request the plan had no line left for (the plan was too short: the run is void).
-- LIMIT > 0: after that many responses the thread sends no more and prints "GONGWEN_LIMIT"; the
-- caller then ends wrk with SIGINT (wrk itself only stops at the end of its duration).

local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

function init(args)
  plan = {}
  for line in io.lines(args[1] .. id .. ".txt") do
    local method, path, cookie, body = line:match("^(%u+)\t([^\t]*)\t([^\t]*)\t?(.*)$")
    local headers = {["Cookie"] = cookie, ["User-Agent"] = "gongwen-bench"}
    if method == "POST" then
      headers["Content-Type"] = "application/x-www-form-urlencoded"
    else
      body = nil
    end
    plan[#plan + 1] = wrk.format(method, path, headers, body)
  end
  cycle = args[2] == "cycle"
  limit = tonumber(args[3]) or 0
  position, sent, overrun, answered = 0, 0, 0, 0
  s2, s3, s4, s5, other = 0, 0, 0, 0, 0
  -- wrk calls request() once on the first thread's state right after init, to look at the
  -- request (how many it holds); that request is never sent, so it must not use up a line.
  looked_at = id ~= 1
end

function request()
  if not looked_at then
    looked_at = true
    return plan[1]
  end
  position = position + 1
  if position > #plan then
    if cycle then
      position = 1
    else
      position = #plan
      overrun = overrun + 1
    end
  end
  sent = sent + 1
  return plan[position]
end

function response(status, headers, body)
  answered = answered + 1
  if status >= 200 and status < 300 then
    s2 = s2 + 1
  elseif status >= 300 and status < 400 then
    s3 = s3 + 1
  elseif status >= 400 and status < 500 then
    s4 = s4 + 1
  elseif status >= 500 and status < 600 then
    s5 = s5 + 1
  else
    other = other + 1
  end
  if limit > 0 and answered == limit then
    io.write("GONGWEN_LIMIT\n")
    io.flush()
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local sum = {sent = 0, overrun = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, other = 0}
  local sent_by_thread = {}
  for _, thread in ipairs(threads) do
    for name, _ in pairs(sum) do
      sum[name] = sum[name] + (thread:get(name) or 0)
    end
    sent_by_thread[#sent_by_thread + 1] = tostring(thread:get("sent") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    'GONGWEN_WRK {"requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d, ' ..
    '"p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d, "mean_us": %.1f, ' ..
    '"sent": %d, "overrun": %d, "s2": %d, "s3": %d, "s4": %d, "s5": %d, "other": %d, ' ..
    '"sent_by_thread": [%s]}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    latency.mean,
    sum.sent, sum.overrun, sum.s2, sum.s3, sum.s4, sum.s5, sum.other,
    table.concat(sent_by_thread, ", ")))
end
