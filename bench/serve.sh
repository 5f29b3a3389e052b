#!/usr/bin/env bash
# API benchmark: `prodinsight serve` on a database of N generated reviews (default 1,000,000, which the
# generator spreads over N/10 products), loaded by wrk with 32 connections over loopback.
#   bash bench/serve.sh [N] [RUNS] [SECONDS]
# For each endpoint, medians over RUNS: latency (p50, p99) of one connection issuing requests back to
# back, and requests/s with p50 and p99 as wrk reports them for 32 connections (wrk shares the two
# cores with the server, so part of the queue waits in wrk, where it does not count as latency).
# /healthz, which does no SQL, is the baseline of the same run: what tiny_http and the machine give.
# `brand` is a filter that matches many products (the sort index is walked); `filtered` and `issue`
# match few (0.4 % and a few %: the matching rows are fetched and sorted), the slow case.
# On a shared box a p99 is mostly time spent waiting for a core (see healthz's); the server's CPU time
# per request (from /proc, over the one-connection run) is the figure that load does not change.
# BENCH_DIR keeps the generated data and database between runs (a database of your own: put it there as
# serve.db with an empty r.jsonl beside it). SKIP_BUILD=1 (or BIN=...) measures a binary already built.
set -euo pipefail
N=${1:-1000000}
RUNS=${2:-3}
SECS=${3:-5}
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
[ -n "${SKIP_BUILD:-}" ] || cargo build -q --release
OUT=${BENCH_DIR:-$(mktemp -d)}
mkdir -p "$OUT"
BIN=${BIN:-$PWD/target/release/prodinsight}
DB=$OUT/serve.db
[ -f "$OUT/r.jsonl" ] || cargo run -q --release --example gen_sample -- large "$N" jsonl "$OUT/r.jsonl"
[ -f "$DB" ] || $BIN -q --db "$DB" analyze "$OUT/r.jsonl"
$BIN -q --db "$DB" analyze # migrates an older database; nothing new to analyze
PORT=${PORT:-18480}
$BIN -q --db "$DB" serve --addr 127.0.0.1:$PORT >/dev/null &
SERVER=$!
trap 'kill $SERVER 2>/dev/null' EXIT
sleep 1
BASE=http://127.0.0.1:$PORT

# A deep page: follow the cursor 1,000 pages into the default listing.
cursor=$(python3 - "$BASE" <<'PY'
import json, sys, urllib.request
base, cursor = sys.argv[1], ""
for _ in range(1000):
    url = base + "/api/v1/products?limit=50" + ("&cursor=" + cursor if cursor else "")
    cursor = json.load(urllib.request.urlopen(url))["meta"]["next_cursor"]
print(cursor)
PY
)
ASIN=$(curl -sf "$BASE/api/v1/products?limit=1&sort=negative&min_reviews=20" | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"][0]["asin"])')

declare -a NAMES=(healthz default brand filtered issue deep product)
declare -A URL=(
  [healthz]="/healthz"
  [default]="/api/v1/products"
  [brand]="/api/v1/products?brand=Kurtzy&min_reviews=3&sort=negative"
  [filtered]="/api/v1/products?min_reviews=20&sort=negative&brand=Rhino%20USA&brand=Kurtzy"
  [issue]="/api/v1/products?issue=leaks&sort=rating"
  [deep]="/api/v1/products?limit=50&cursor=$cursor"
  [product]="/api/v1/products/$ASIN"
)
for k in "${NAMES[@]}"; do
  code=$(curl -s -o /dev/null -w '%{http_code}' "$BASE${URL[$k]}")
  [ "$code" = 200 ] || { echo "$k: HTTP $code"; exit 1; }
done

# wrk latency numbers into milliseconds
ms() { awk '{v=$1; if (v ~ /us$/) {sub(/us$/,"",v); print v/1000} else if (v ~ /ms$/) {sub(/ms$/,"",v); print v} else {sub(/s$/,"",v); print v*1000}}'; }
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# The server's CPU time so far (user + system), in clock ticks.
ticks() { awk '{print $14 + $15}' "/proc/$SERVER/stat"; }
HZ=$(getconf CLK_TCK)
declare -A RPS P50 P99 C50 C99 CPU
for i in $(seq "$RUNS"); do
  for k in "${NAMES[@]}"; do
    # Each measurement follows a one-second warm-up (SQLite's page cache and the server's
    # connection threads in steady state, not start-up).
    wrk -t1 -c1 -d1s "$BASE${URL[$k]}" >/dev/null
    t0=$(ticks)
    one=$(wrk -t1 -c1 -d"${SECS}s" --latency "$BASE${URL[$k]}")
    t1=$(ticks)
    n=$(awk '/requests in/ {print $1}' <<<"$one")
    CPU[$k]+="$(awk -v d=$((t1 - t0)) -v n="$n" -v hz="$HZ" 'BEGIN {printf "%.1f", d * 1e6 / hz / n}') "
    P50[$k]+="$(awk '$1=="50%" {print $2}' <<<"$one" | ms) "
    P99[$k]+="$(awk '$1=="99%" {print $2}' <<<"$one" | ms) "
    wrk -t2 -c32 -d1s "$BASE${URL[$k]}" >/dev/null
    out=$(wrk -t2 -c32 -d"${SECS}s" --latency "$BASE${URL[$k]}")
    RPS[$k]+="$(awk '/Requests\/sec/ {print $2}' <<<"$out") "
    C50[$k]+="$(awk '$1=="50%" {print $2}' <<<"$out" | ms) "
    C99[$k]+="$(awk '$1=="99%" {print $2}' <<<"$out" | ms) "
    if grep -q "Non-2xx" <<<"$one$out"; then echo "$k: non-2xx answers"; fi
  done
done
echo "N=$N reviews, $($BIN -q --db "$DB" report products --format csv | tail -n +2 | wc -l) products; ${SECS}s per measurement; median of $RUNS runs"
printf "%-9s %10s %10s %12s %12s %11s %11s   %s\n" endpoint "p50 ms c1" "p99 ms c1" "cpu µs/req" "req/s c32" "p50 ms c32" "p99 ms c32" "url"
med() { tr ' ' '\n' | grep . | median; }
for k in "${NAMES[@]}"; do
  printf "%-9s %10.3f %10.3f %12.1f %12.0f %11.3f %11.3f   %s\n" "$k" \
    "$(med <<<"${P50[$k]}")" "$(med <<<"${P99[$k]}")" "$(med <<<"${CPU[$k]}")" "$(med <<<"${RPS[$k]}")" \
    "$(med <<<"${C50[$k]}")" "$(med <<<"${C99[$k]}")" "${URL[$k]:0:60}"
done
