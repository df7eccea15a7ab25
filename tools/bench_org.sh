#!/usr/bin/env bash
# Issue 16's scale benchmark: `guardpost check --org` over 200 member accounts x (20 users,
# 40 roles, 60 policies) in the emulator with 50 ms injected per call, 8 accounts at once.
# Not part of CI. Results: docs/performance.md, section "Organizations".
#
#   tools/bench_org.sh                      # 200 accounts, release build
#   ACCOUNTS=20 GUARDPOST=target/debug/guardpost tools/bench_org.sh
#
# Measures: wall time and peak RSS (GNU time), and when the first account's result was in
# (the first `[1/N]` line on stderr: what the console's Accounts pane shows first).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${OUT:-/tmp/guardpost-bench-org}
ACCOUNTS=${ACCOUNTS:-200}
LATENCY_MS=${LATENCY_MS:-50}
SERVICES=${SERVICES:-iam}
mkdir -p "$OUT"
cd "$ROOT"
if [ ! -x /usr/bin/time ]; then
  apt-get update -qq && apt-get install -y -qq time
fi
bash tests/emulator/setup.sh >/dev/null
if [ -z "${GUARDPOST:-}" ]; then
  cargo build --release -q
  GUARDPOST=$ROOT/target/release/guardpost
fi

EMU_OUT=$OUT/emulator.out
# No AWS managed policies: 200 account backends with ~1,600 each would be the emulator's
# memory, not guardpost's (the member role's permissions are not enforced by moto anyway).
MOTO_IAM_LOAD_MANAGED_POLICIES=false tests/emulator/.venv/bin/python tests/emulator/server.py \
  --port 0 >"$EMU_OUT" 2>"$OUT/emulator.err" &
EMU_PID=$!
trap 'kill $EMU_PID 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do grep -q READY "$EMU_OUT" && break; sleep 0.1; done
URL=http://127.0.0.1:$(awk '/READY/{print $2}' "$EMU_OUT")

tests/emulator/.venv/bin/python tools/bench_org_seed.py "$URL" "$ACCOUNTS" 20 40 60 | tee "$OUT/seed.txt"
curl -s -X DELETE "$URL/_guardpost/requests" >/dev/null
curl -s -X POST "$URL/_guardpost/fault" -H 'Content-Type: application/json' \
  -d "{\"kind\": \"latency\", \"service\": \"*\", \"ms\": $LATENCY_MS}" >/dev/null

export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-1
export AWS_EC2_METADATA_DISABLED=true GUARDPOST_STATE_DIR=$OUT/state
start=$(date +%s.%N)
/usr/bin/time -v "$GUARDPOST" check --org --org-concurrency 8 --services "$SERVICES" \
  --endpoint-url "$URL" --region us-east-1 --format json --fail-on none -o "$OUT/report.json" \
  2> >(while IFS= read -r line; do printf '%.3f %s\n' "$(echo "$(date +%s.%N) - $start" | bc)" "$line"; done >"$OUT/stderr.txt") \
  >"$OUT/stdout.txt" || true
sleep 1
wall=$(awk -F': ' '/Elapsed \(wall clock\)/{print $2}' "$OUT/stderr.txt")
rss=$(awk -F': ' '/Maximum resident set size/{printf "%.1f", $2/1024}' "$OUT/stderr.txt")
first=$(awk '/\[1\//{print $1; exit}' "$OUT/stderr.txt")
read_n=$(python3 -c "import json;d=json.load(open('$OUT/report.json'));print(d['summary']['read'], 'read,', d['summary']['unknown'], 'unknown')")
# Calls per operation the check made (the emulator's log).
curl -s "$URL/_guardpost/requests" | python3 -c '
import collections, json, sys
reqs = json.load(sys.stdin)["requests"]
c = collections.Counter(":".join((r["service"], r["operation"])) for r in reqs)
print(len(reqs), "calls logged;", ", ".join(f"{k} {v}" for k, v in c.most_common(12)))' >"$OUT/calls.txt" || true

# The console: time to its first frame with the organization's accounts listed (the Accounts
# pane, every row `reading…`), in tmux.
tmux kill-session -t gp-bench-org 2>/dev/null || true
# tmux runs the command in its server's environment, not this script's: pass it along.
tmux new -d -s gp-bench-org -x 160 -y 45 "env AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing \
  AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true GUARDPOST_STATE_DIR=$OUT/state $GUARDPOST --org --endpoint-url $URL --region us-east-1 \
  --exit-after-first-frame; sleep 30"
tui=""
for _ in $(seq 1 300); do
  tui=$(tmux capture-pane -p -t gp-bench-org 2>/dev/null | grep -o 'after [0-9.]* ms' | tail -1 || true)
  [ -n "$tui" ] && break
  sleep 0.1
done
tmux kill-session -t gp-bench-org 2>/dev/null || true
echo "accounts=$ACCOUNTS latency=${LATENCY_MS}ms services=$SERVICES wall=$wall peak_rss=${rss}MiB first_account=${first}s $read_n console_accounts_listed=${tui}" | tee "$OUT/summary.txt"
