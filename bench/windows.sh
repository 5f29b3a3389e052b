#!/usr/bin/env bash
# Time windows on the API benchmark database (bench/serve.sh's: N generated reviews, default
# 1,000,000 over N/10 products, dated 2025-06 onwards): for each windowed call, medians over RUNS of
# one connection issuing requests back to back on loopback (wrk -c1: p50 and p99), after a one-second
# warm-up; `report` (CLI, whole process) timed the same way for the portfolio. /healthz is the
# baseline of the same run.
#   bash bench/windows.sh [N] [RUNS] [SECONDS]
# BENCH_DIR keeps the generated data and database between runs (shared with bench/serve.sh).
set -euo pipefail
N=${1:-1000000}
RUNS=${2:-3}
SECS=${3:-5}
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
cargo build -q --release
OUT=${BENCH_DIR:-$(mktemp -d)}
mkdir -p "$OUT"
BIN=$PWD/target/release/prodinsight
DB=$OUT/serve.db
[ -f "$OUT/r.jsonl" ] || cargo run -q --release --example gen_sample -- large "$N" jsonl "$OUT/r.jsonl"
[ -f "$DB" ] || $BIN -q --db "$DB" analyze "$OUT/r.jsonl"
$BIN -q --db "$DB" analyze # migrates an older database and writes the per-day counts if missing
PORT=${PORT:-18481}
$BIN -q --db "$DB" serve --addr 127.0.0.1:$PORT >/dev/null &
SERVER=$!
trap 'kill $SERVER 2>/dev/null' EXIT
sleep 1
BASE=http://127.0.0.1:$PORT
ASIN=$(curl -sf "$BASE/api/v1/products?limit=1&sort=negative&min_reviews=20" | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"][0]["asin"])')
LAST=$(sqlite3 "file:$DB?mode=ro" "SELECT max(day) FROM product_days WHERE dated = 1")
M30=$(date -u -d "$LAST -29 days" +%F)
Y1=$(date -u -d "$LAST -364 days" +%F)
W30="from=$M30&to=$LAST"

declare -a NAMES=(healthz product product_all product_cmp portfolio30 portfolio365 portfolio_all portfolio_cmp issues30 brands30 products30)
declare -A URL=(
  [healthz]="/healthz"
  [product]="/api/v1/products/$ASIN?$W30"
  [product_all]="/api/v1/products/$ASIN?from=2000-01-01"
  [product_cmp]="/api/v1/products/$ASIN?$W30&compare=previous"
  [portfolio30]="/api/v1/overview?$W30"
  [portfolio365]="/api/v1/overview?from=$Y1&to=$LAST"
  [portfolio_all]="/api/v1/overview?from=2000-01-01"
  [portfolio_cmp]="/api/v1/overview?$W30&compare=previous"
  [issues30]="/api/v1/issues?$W30&sort=impact"
  [brands30]="/api/v1/brands?$W30"
  [products30]="/api/v1/products?$W30&sort=negative&limit=50"
)
for k in "${NAMES[@]}"; do
  code=$(curl -s -o /dev/null -w '%{http_code}' "$BASE${URL[$k]}")
  [ "$code" = 200 ] || { echo "$k: HTTP $code"; exit 1; }
done

ms() { awk '{v=$1; if (v ~ /us$/) {sub(/us$/,"",v); print v/1000} else if (v ~ /ms$/) {sub(/ms$/,"",v); print v} else {sub(/s$/,"",v); print v*1000}}'; }
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
declare -A P50 P99
for i in $(seq "$RUNS"); do
  for k in "${NAMES[@]}"; do
    wrk -t1 -c1 -d1s "$BASE${URL[$k]}" >/dev/null
    one=$(wrk -t1 -c1 -d"${SECS}s" --latency "$BASE${URL[$k]}")
    P50[$k]+="$(awk '$1=="50%" {print $2}' <<<"$one" | ms) "
    P99[$k]+="$(awk '$1=="99%" {print $2}' <<<"$one" | ms) "
    if grep -q "Non-2xx" <<<"$one"; then echo "$k: non-2xx answers"; fi
  done
done
# The CLI: the whole process (open, migrate check, query, print) for the portfolio in a window.
CLI=""
for i in $(seq "$RUNS"); do
  s=$(date +%s%N); $BIN -q --db "$DB" report --since "$M30" --until "$LAST" -f json >/dev/null; e=$(date +%s%N)
  CLI+="$(( (e - s) / 1000 ))e-3 "
done
echo "N=$N reviews; window $M30 … $LAST (30 days); ${SECS}s per measurement; median of $RUNS runs"
printf "%-14s %10s %10s   %s\n" call "p50 ms c1" "p99 ms c1" "url"
med() { tr ' ' '\n' | grep . | median; }
for k in "${NAMES[@]}"; do
  printf "%-14s %10.3f %10.3f   %s\n" "$k" "$(med <<<"${P50[$k]}")" "$(med <<<"${P99[$k]}")" "${URL[$k]:0:70}"
done
printf "%-14s %10.1f %10s   %s\n" "cli_report30" "$(med <<<"$CLI")" "-" "report --since $M30 --until $LAST -f json"
