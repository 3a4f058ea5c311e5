#!/usr/bin/env bash
# End-to-end: net.serve and net.serve_pool, a Python HTTP/1.1 server under
# each server model and the C twin, loaded by the native generator, which
# checks every reply. Each model serves every connection with no error;
# the C twin too; a user's handler written as a stranger would (tests/
# serve/shop_api.py) runs under every model and every runtime's threads;
# UDP (net.serve_udp) under every model;
# a handler that raises gets 500s and the cell reports its error rate; a
# sleep handler of known length shows in the latency; the open loop sends
# at its rate; bad axes are refused. Usage: e2e_serve.sh BUILD_DIR
#
# Cells are short (--size 0.2: 200 ms of load; a connection must get its
# first reply within that, so not shorter on a loaded machine). No check is on speed: the
# VM is shared; ./scripts/bench serve measures the must-show figures.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/e2e_lib.sh"
build=${1:?usage: e2e_serve.sh BUILD_DIR}
gillab="$build/gillab"
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
app="$src/tests/serve/shop_api.py"
ok='[.[] | select(.type == "cell" and .status == "ok")]'

# 1. gillab list shows them.
"$gillab" list >"$tmp/list"
check "gillab list shows net.serve and net.serve_pool" \
  bash -c "grep -q 'net.serve ' '$tmp/list' && grep -q net.serve_pool '$tmp/list'"

# 2. Every server model with the pure-I/O handler, 1 and 8 connections.
"$gillab" run -w net.serve,net.serve_pool \
  -m threads,asyncio,processes,subinterpreters,native-threads \
  --start-method fork,spawn \
  -n 1,2 --connections 1,8 -p compact -r 1 --size 0.2 -o "$tmp/all" -q \
  >/dev/null 2>&1
res="$tmp/all/results.jsonl"
# net.serve: threads 1, asyncio 1, processes 2 x 2 start methods,
# subinterpreters 2, C 2;
# net.serve_pool: threads 2, processes 2 (fork only); x 2 connections.
check "28 cells measured, the others skipped with a reason" jqtrue "$res" \
  "($ok | length == 28) and ([.[] | select(.type == \"cell\" and .status != \"ok\")] | all(.status == \"skipped\" and (.error | length > 0)))"
check "every server kind ran: per_conn, asyncio, reuseport, subinterp, pool, prefork, c-epoll" jqtrue "$res" \
  "$ok | map(.serve.server) | unique == [\"asyncio\",\"c-epoll\",\"per_conn\",\"pool\",\"prefork\",\"reuseport\",\"subinterp\"]"
check "every cell: every reply checked and right, no error, no timeout" jqtrue "$res" \
  "$ok | all(.serve.load | .body_checked and .errors == 0 and .timeouts == 0 and .ok == .requests and .ok > 0)"
check "every cell: every connection served (generator and server agree)" jqtrue "$res" \
  "$ok | all(.serve.load.conns_served == .connections and .serve.server_side.conns >= .connections)"
check "ops are the replies, requests_per_s = ok / duration" jqtrue "$res" \
  "$ok | all(.ops == .serve.load.ok and ((.serve.load.requests_per_s * .serve.load.duration_s - .ops) | fabs) < 1)"
check "latency percentiles ordered, one sample a reply, histogram sums up" jqtrue "$res" \
  "$ok | all(.serve.load.latency_us as \$l | \$l.n == .serve.load.requests and \$l.p50 <= \$l.p90 and \$l.p90 <= \$l.p99 and \$l.p99 <= \$l.max and ([.serve.load.latency_hist[][1]] | add) == \$l.n)"
check "the generator ran where the plan put it (compact: after the server's workers)" jqtrue "$res" \
  "$ok | all(.serve.load.generator.bound == (if .workers == 1 then \"1\" else \"0\" end))"
check "processes: each worker process served and read its own memory" jqtrue "$res" \
  "$ok | map(select(.model == \"processes\")) | all((.serve.server_side.per_process | length) == .workers and (.mem.workers | length) == .workers and .mem.per_worker_kb.uss > 1000)"
check "processes: the start method each worker saw" jqtrue "$res" \
  "$ok | map(select(.model == \"processes\")) | all(.start_method as \$m | .applied.workers | all(.start_method == \$m))"
check "mem in every cell" jqtrue "$res" "$ok | all(.mem.per_worker_kb != null)"
check "threads and asyncio beyond one worker skipped, saying why" jqtrue "$res" \
  "[.[] | select(.workload == \"net.serve\" and .workers == 2 and (.model == \"threads\" or .model == \"asyncio\"))] | length == 4 and all(.status == \"skipped\" and (.error | test(\"-n 1\")))"
check "pre-fork needs fork: spawn skipped" jqtrue "$res" \
  "[.[] | select(.workload == \"net.serve_pool\" and .start_method == \"spawn\")] | all(.status == \"skipped\")"

# 3. A stranger's handler under every model (and 3.13t's threads when
# built), its async variant under asyncio; a handler that raises.
"$gillab" run -w net.serve,net.serve_pool \
  -m threads,asyncio,processes,subinterpreters,native-threads \
  --start-method spawn,fork -n 1,2 --connections 4 \
  --handler "$app,$app:crashy" -r 1 --size 0.2 -o "$tmp/user" -q >/dev/null 2>&1
res="$tmp/user/results.jsonl"
sel="$ok | map(select(.handler | endswith(\"shop_api.py:handle\")))"
check "the user handler ran under every Python server kind" jqtrue "$res" \
  "$sel | map(.serve.server) | unique == [\"asyncio\",\"per_conn\",\"pool\",\"prefork\",\"reuseport\",\"subinterp\"]"
check "its replies came back 200 on every connection, the file's hash recorded" jqtrue "$res" \
  "$sel | all(.serve.load.errors == 0 and .serve.load.ok > 0 and .serve.load.conns_served == 4 and (.serve.load.body_checked | not) and (.serve.handler.sha256 | length == 64))"
check "asyncio awaited its async variant" jqtrue "$res" \
  "$sel | map(select(.model == \"asyncio\")) | all(.serve.handler.async_variant)"
check "the C twin skips a user handler, saying why" jqtrue "$res" \
  "[.[] | select(.workload == \"net.serve\" and .model == \"native-threads\")] | length > 0 and all(.status == \"skipped\" and (.error | test(\"built-in handlers only\")))"
crash="$ok | map(select(.handler | endswith(\":crashy\")))"
check "a raising handler: 500s counted, error rate near 1 in 4" jqtrue "$res" \
  "$crash | length > 0 and all(.serve.load | .status_errors > 0 and .error_rate > 0.15 and .error_rate < 0.35 and .bad_replies == 0)"
check "the server counted the raises and kept the traceback (interpreters: the count)" jqtrue "$res" \
  "$crash | all(.serve.server_side.handler_errors >= .serve.load.status_errors and (.serve.server == \"subinterp\" or (.serve.server_side.first_error | test(\"KeyError\"))))"
if "$gillab" list --runtimes 2>/dev/null | grep -q 3.13t || ls "$build"/gillab-runner-3.13t >/dev/null 2>&1; then
  "$gillab" run -w net.serve -m threads,subinterpreters -n 2 --connections 8 \
    --runtime all --handler "$app" -r 1 --size 0.3 -o "$tmp/ft" -q >/dev/null 2>&1
  check "every runtime's threads and subinterpreters serve the user handler (3.13t included)" jqtrue "$tmp/ft/results.jsonl" \
    "($ok | map(.runtime) | index(\"3.13t\") != null) and ($ok | map(select(.model == \"subinterpreters\")) | length >= 2) and ($ok | all(.serve.load.errors == 0 and .serve.load.conns_served == 8))"
  check "subinterpreters: own GIL from 3.12, shared on 3.11, as the records say" jqtrue "$tmp/ft/results.jsonl" \
    "$ok | map(select(.model == \"subinterpreters\")) | all(.serve.server_side.interpreters == (if .runtime == \"3.11\" then \"shared GIL\" else \"own GIL\" end) and .serve.server_side.requests >= .serve.load.ok)"
fi

# 3b. UDP: every model, request and reply datagrams, every reply checked.
"$gillab" run -w net.serve_udp -m threads,asyncio,processes,native-threads \
  --start-method fork,spawn -n 1,2 --connections 1,8 -r 1 --size 0.2 \
  -o "$tmp/udp" -q >/dev/null 2>&1
res="$tmp/udp/results.jsonl"
check "UDP: every server kind ran (threads, asyncio, SO_REUSEPORT processes, C)" jqtrue "$res" \
  "$ok | map(.serve.server) | unique == [\"c-udp\",\"udp_asyncio\",\"udp_reuseport\",\"udp_threads\"]"
check "UDP: every socket answered, every reply right, none lost" jqtrue "$res" \
  "$ok | length == 18 and all(.serve.load | (.protocol | test(\"UDP\")) and .errors == 0 and .ok == .requests and .ok > 0 and .conns_served == .connections)"
check "UDP: each worker process served from its own socket" jqtrue "$res" \
  "$ok | map(select(.model == \"processes\" and .workers == 2 and .connections == 8)) | length == 2 and all((.serve.server_side.per_process | length) == 2)"

# 3c. --cpu-threads beside a server: taken only when given; the threads
# ran (their loops counted) in the server's process, or as C threads.
"$gillab" run -w net.serve -m threads,native-threads -n 1 --connections 4 \
  --cpu-threads 0,1 -r 1 --size 0.2 -o "$tmp/convoy" -q >/dev/null 2>&1
res="$tmp/convoy/results.jsonl"
check "--cpu-threads 0,1: both variants of each model, the threads seen running" jqtrue "$res" \
  "($ok | length == 4) and ($ok | all(.serve.cpu_threads.threads == .cpu_threads and ((.cpu_threads == 0) or .serve.cpu_threads.loops_per_s > 0)))"
check "without --cpu-threads a server cell has no cpu_threads axis" jqtrue "$tmp/all/results.jsonl" \
  "[.[] | select(.type == \"cell\")] | all(has(\"cpu_threads\") | not)"

# 4. Known costs: a 5 ms sleep handler on one connection; the open loop.
"$gillab" run -w net.serve -m threads,native-threads -n 1 --connections 1 \
  --handler sleep --handler-sleep-ms 5 -r 1 --size 0.3 -o "$tmp/delay" -q \
  >/dev/null 2>&1
check "a 5 ms handler: every latency >= 5 ms, the median below 9 ms" jqtrue "$tmp/delay/results.jsonl" \
  "($ok | length == 2) and ($ok | all(.serve.load.latency_us | .p50 >= 5000 and .p50 < 9000) and all(.serve.handler.handler_us == 5000))"
"$gillab" run -w net.serve -m threads -n 1 --connections 4 --rate 500 \
  -r 1 --size 0.4 -o "$tmp/open" -q >/dev/null 2>&1
check "open loop at 500/s for 0.4 s: about 200 requests" jqtrue "$tmp/open/results.jsonl" \
  "$ok | length == 1 and all(.serve.load | .loop == \"open\" and .rate == 500 and .requests >= 150 and .requests <= 201)"

# 5. Bad axes are refused before any cell runs.
for bad in "--connections 0" "--connections 5000" "--handler fast" \
  "--handler /nonexistent/app.py" "--handler-cpu-us 0" "--rate -1"; do
  # shellcheck disable=SC2086
  "$gillab" run -w net.serve $bad -o "$tmp/bad" -q >/dev/null 2>"$tmp/err"
  check "refused: $bad (exit 2)" test $? -eq 2
done
check "--help names the server options" bash -c \
  "'$gillab' run --help | grep -q -- '--connections' && '$gillab' run --help | grep -q -- '--handler-cpu-us' && '$gillab' run --help | grep -q -- '--rate'"

e2e_finish
