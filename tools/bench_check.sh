#!/usr/bin/env bash
# Side-by-side benchmark: `guardpost check` vs ScoutSuite vs Prowler, IAM only, against the
# project's emulator (tests/emulator/, moto) seeded with ~50 principals (tools/bench_seed.py).
# Not part of CI. Results: docs/performance.md, section "check vs ScoutSuite and Prowler".
#
#   tools/bench_check.sh [RUNS]        # default 3 runs of each tool, after one warm-up each
#   BENCH_USERS=250 BENCH_SH_FINDINGS=5875 TOOLS="guardpost scout" tools/bench_check.sh 3
#                                      # issue 15's account: ~300 users, 5,875 open Security
#                                      # Hub findings (which a posture check must not page)
#
# Installs what it needs: the emulator's venv (tests/emulator/setup.sh), ScoutSuite and Prowler
# in separate venvs under tools/.bench-venv/ (git-ignored; pinned versions below), GNU time
# (apt-get) and the release build of guardpost. Writes everything to $OUT (default
# /tmp/guardpost-bench): per-run `time -v` output, each tool's report and log, summary.txt.
set -euo pipefail

RUNS=${1:-3}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${OUT:-/tmp/guardpost-bench}
VENVS=$ROOT/tools/.bench-venv
SCOUT_VERSION=5.14.0
PROWLER_VERSION=5.46.0
mkdir -p "$OUT"
cd "$ROOT"

# --- What the benchmark needs.
if [ ! -x /usr/bin/time ]; then
  apt-get update -qq && apt-get install -y -qq time
fi
bash tests/emulator/setup.sh >/dev/null
install_tool() { # venv-name package version
  local venv=$VENVS/$1
  # grep reads to the end (no -q): with pipefail an early exit would fail the pipeline.
  if ! "$venv/bin/pip" show "$2" 2>/dev/null | grep "^Version: $3$" >/dev/null; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q "$2==$3"
  fi
}
TOOLS=${TOOLS:-guardpost scout prowler}
case " $TOOLS " in *" scout "*) install_tool scout scoutsuite "$SCOUT_VERSION" ;; esac
case " $TOOLS " in *" prowler "*) install_tool prowler prowler "$PROWLER_VERSION" ;; esac
# GUARDPOST=path/to/guardpost skips the release build (it takes long with the EC2 client).
if [ -z "${GUARDPOST:-}" ]; then
  cargo build --release -q
  GUARDPOST=$ROOT/target/release/guardpost
fi

# --- The emulator, seeded.
EMU_OUT=$OUT/emulator.out
MOTO_IAM_LOAD_MANAGED_POLICIES=true tests/emulator/.venv/bin/python tests/emulator/server.py \
  --port 0 >"$EMU_OUT" 2>"$OUT/emulator.err" &
EMU_PID=$!
trap 'kill $EMU_PID 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do grep -q READY "$EMU_OUT" && break; sleep 0.1; done
PORT=$(awk '/READY/{print $2}' "$EMU_OUT")
URL=http://127.0.0.1:$PORT

export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing
export AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
export AWS_EC2_METADATA_DISABLED=true
# boto3 (ScoutSuite, Prowler) and the Rust SDK all honour AWS_ENDPOINT_URL.
export AWS_ENDPOINT_URL=$URL
tests/emulator/.venv/bin/python tools/bench_seed.py "$URL" | tee "$OUT/seed.txt"

# --- The runs. Each tool reads the same account; nothing they do changes it.
run_guardpost() {
  "$GUARDPOST" check --region us-east-1 --endpoint-url "$URL" --format json --fail-on none \
    --output "$OUT/guardpost.json"
}
# What `check` did before issue 15: page every open finding although no posture rule reads them.
run_guardpost_all() {
  "$GUARDPOST" check --region us-east-1 --endpoint-url "$URL" --format json --fail-on none \
    --all-findings --output "$OUT/guardpost-all.json"
}
run_scout() {
  "$VENVS/scout/bin/scout" aws --services iam --regions us-east-1 --no-browser --force \
    --report-dir "$OUT/scout"
}
run_prowler() {
  "$VENVS/prowler/bin/prowler" aws --services iam --region us-east-1 --no-banner \
    --output-formats json-ocsf csv --output-directory "$OUT/prowler" --output-filename prowler \
    --ignore-exit-code-3
}

export URL OUT VENVS GUARDPOST
export -f run_guardpost run_guardpost_all run_scout run_prowler
# `time -v` measures the bash that runs the tool: its peak RSS is the largest of the process
# tree's (the tool's own), its wall time the tool's plus a few ms for bash.
measure() { # name run-function
  local name=$1 fn=$2
  "$fn" >"$OUT/$name.warmup.log" 2>&1 || true
  for i in $(seq 1 "$RUNS"); do
    /usr/bin/time -v -o "$OUT/$name.time.$i" bash -c "$fn" >"$OUT/$name.$i.log" 2>&1 || true
  done
}
for tool in $TOOLS; do measure "$tool" "run_$tool"; done

# --- Summary: median wall time and median peak RSS of the runs.
python3 - "$OUT" "$RUNS" $TOOLS <<'EOF' | tee "$OUT/summary.txt"
import re, statistics, sys
out, runs, tools = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
def wall(s):
    parts = [float(x) for x in s.split(":")]
    return sum(p * 60 ** i for i, p in enumerate(reversed(parts)))
res = {}
for name in tools:
    ws, rs = [], []
    for i in range(1, runs + 1):
        t = open(f"{out}/{name}.time.{i}").read()
        ws.append(wall(re.search(r"Elapsed \(wall clock\) time .*: (\S+)", t).group(1)))
        rs.append(int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", t).group(1)))
        cpu = re.search(r"User time \(seconds\): (\S+)", t).group(1)
    res[name] = (statistics.median(ws), statistics.median(rs) / 1024, ws, rs)
    print(f"{name:10} wall median {res[name][0]:7.2f} s  (runs {', '.join(f'{w:.2f}' for w in ws)})"
          f"   peak RSS median {res[name][1]:7.1f} MiB  (runs {', '.join(f'{r/1024:.1f}' for r in rs)})")
g = res["guardpost"]
for other in [t for t in tools if t not in ("guardpost", "guardpost_all")]:
    o = res[other]
    print(f"guardpost / {other}: wall {g[0] / o[0]:.3f}  peak RSS {g[1] / o[1]:.3f}")
EOF

# --- Prowler's failed IAM checks, for the findings comparison in docs/performance.md.
case " $TOOLS " in *" prowler "*) ;; *) exit 0 ;; esac
python3 - "$OUT" <<'EOF' | tee "$OUT/prowler-fails.txt"
import csv, glob, sys, collections
out = sys.argv[1]
fails = collections.defaultdict(set)
for path in glob.glob(f"{out}/prowler/prowler*.csv"):
    for row in csv.DictReader(open(path), delimiter=";"):
        if row.get("STATUS") == "FAIL":
            fails[row["CHECK_ID"]].add(row.get("RESOURCE_UID") or row.get("RESOURCE_NAME") or "")
for check in sorted(fails):
    print(f"{check} ({len(fails[check])}): {', '.join(sorted(r.rsplit('/', 1)[-1] for r in fails[check]))}")
EOF
