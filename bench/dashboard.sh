#!/usr/bin/env bash
# Dashboard speed on a generated portfolio (default 1,000,000 reviews, ~100k products):
#   bash bench/dashboard.sh [N] [RUNS]
# Prints medians of RUNS runs: the portfolio's time to interactive (navigation to rendered view,
# headless chromium's performance clock) and each filter, sort, page and product change to its rows.
# Needs chromium and playwright-core (as .ci/dashboard installs them).
set -euo pipefail
N=${1:-1000000}
RUNS=${2:-5}
cd "$(dirname "$0")/.."
cargo build -q --release
OUT=${BENCH_DIR:-$(mktemp -d)}
BIN=$PWD/target/release/prodinsight
[ -f "$OUT/r.jsonl" ] || cargo run -q --release --example gen_sample -- large "$N" jsonl "$OUT/r.jsonl"
[ -f "$OUT/d.db" ] || "$BIN" --db "$OUT/d.db" -q analyze "$OUT/r.jsonl"
"$BIN" --db "$OUT/d.db" serve --addr 127.0.0.1:0 -q >"$OUT/serve.out" &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do grep -q '^listening on ' "$OUT/serve.out" 2>/dev/null && break; sleep 0.1; done
base=$(sed -n 's/^listening on //p' "$OUT/serve.out")
PW=${PLAYWRIGHT_DIR:-$HOME/.cache/prodinsight-playwright-1.64.1}
cp bench/dashboard-timing.mjs "$PW/dashboard-timing.mjs"
echo "dashboard on $N reviews ($base), $RUNS runs"
node "$PW/dashboard-timing.mjs" "$base" "$RUNS"
