#!/usr/bin/env bash
# Issue 15's region benchmark: `guardpost check` (every default rule: IAM, the service states,
# EC2's network and storage baseline, CloudTrail, AWS Config, CloudWatch, S3, the security
# contact) over 10 regions vs the IAM-only check
# (`--services iam`, one region), against the emulator seeded by tools/bench_seed.py with a
# per-call latency injected to stand in for the network. Not part of CI. Results:
# docs/performance.md, "check over 10 regions".
#
#   tools/bench_regions.sh [RUNS]          # default 5 runs each, after one warm-up each
#   LATENCY_MS=50 BENCH_USERS=50 GUARDPOST=target/release/guardpost tools/bench_regions.sh
set -euo pipefail

RUNS=${1:-5}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${OUT:-/tmp/guardpost-bench-regions}
LATENCY_MS=${LATENCY_MS:-50}
REGIONS="us-east-1 us-east-2 us-west-1 us-west-2 eu-west-1 eu-west-2 eu-central-1 ap-southeast-1 ap-southeast-2 ap-northeast-1"
mkdir -p "$OUT"
cd "$ROOT"
bash tests/emulator/setup.sh >/dev/null
if [ -z "${GUARDPOST:-}" ]; then
  cargo build --release -q
  GUARDPOST=$ROOT/target/release/guardpost
fi

EMU_OUT=$OUT/emulator.out
MOTO_IAM_LOAD_MANAGED_POLICIES=true tests/emulator/.venv/bin/python tests/emulator/server.py \
  --port 0 >"$EMU_OUT" 2>"$OUT/emulator.err" &
EMU_PID=$!
trap 'kill $EMU_PID 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do grep -q READY "$EMU_OUT" && break; sleep 0.1; done
PORT=$(awk '/READY/{print $2}' "$EMU_OUT")
URL=http://127.0.0.1:$PORT
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-1
export AWS_EC2_METADATA_DISABLED=true GUARDPOST_STATE_DIR=$OUT/state
tests/emulator/.venv/bin/python tools/bench_seed.py "$URL" >"$OUT/seed.txt"
# Every call waits LATENCY_MS (after seeding, so the seed stays quick).
curl -s -X POST "$URL/_guardpost/fault" \
  -d "{\"kind\": \"latency\", \"service\": \"*\", \"ms\": $LATENCY_MS}" >/dev/null

region_args=""
for r in $REGIONS; do region_args="$region_args --region $r"; done
run_iam() {
  "$GUARDPOST" check --services iam --region us-east-1 --endpoint-url "$URL" \
    --format json --fail-on none --output "$OUT/iam.json"
}
run_all() {
  # shellcheck disable=SC2086
  "$GUARDPOST" check $region_args --endpoint-url "$URL" --format json --fail-on none \
    --output "$OUT/all.json"
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
for tool in iam all; do
  "run_$tool" >/dev/null 2>"$OUT/$tool.err"
  : >"$OUT/$tool.times"
done
for i in $(seq 1 "$RUNS"); do
  for tool in iam all; do
    start=$(date +%s.%N)
    "run_$tool" >/dev/null 2>>"$OUT/$tool.err"
    end=$(date +%s.%N)
    echo "$end - $start" | bc >>"$OUT/$tool.times"
  done
done
IAM=$(median <"$OUT/iam.times")
ALL=$(median <"$OUT/all.times")
CALLS=$(curl -s "$URL/_guardpost/requests" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["requests"]))')
{
  echo "latency ${LATENCY_MS} ms per call, $RUNS runs each (median wall seconds)"
  echo "iam-only, 1 region:           $IAM"
  echo "default rules, 10 regions:    $ALL"
  echo "ratio:                        $(echo "scale=2; $ALL / $IAM" | bc)"
  echo "requests logged (all runs):   $CALLS"
  python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print("rules checked:", len(r["rules"]), "| unknown:", len(r["unknown_rules"]), "| findings:", len(r["findings"]))' "$OUT/all.json"
} | tee "$OUT/summary.txt"
