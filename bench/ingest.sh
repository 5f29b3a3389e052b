#!/usr/bin/env bash
# Ingest and analyze benchmark: N generated reviews (default 1,000,000).
#   bash bench/ingest.sh [N] [RUNS]
# Times, in the same run on the same machine: sqlite3's own `.import --csv` of the same rows into a table
# keyed on the review id (the baseline), `prodinsight ingest` of the JSON Lines export (first time;
# unchanged re-ingest, which recognises the file by its hash; and the same with --force, which reads
# every record again), and `prodinsight analyze` (first run and a run with nothing new). Peak RSS from
# GNU time. Prints the median of RUNS runs of each.
set -euo pipefail
N=${1:-1000000}
RUNS=${2:-3}
cd "$(dirname "$0")/.."
command -v sqlite3 >/dev/null || { apt-get update -qq && apt-get install -y -qq sqlite3 >/dev/null; }
[ -x /usr/bin/time ] || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }
cargo build -q --release
OUT=${BENCH_DIR:-$(mktemp -d)}
mkdir -p "$OUT"
BIN=target/release/prodinsight
[ -f "$OUT/r.jsonl" ] || cargo run -q --release --example gen_sample -- large "$N" jsonl "$OUT/r.jsonl"
[ -f "$OUT/r.csv" ] || cargo run -q --release --example gen_sample -- large "$N" csv "$OUT/r.csv"
ls -la "$OUT"

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# run LABEL CMD...: wall seconds and peak RSS (MB) of one command
measure() { /usr/bin/time -f "%e %M" -o "$OUT/t" "$@" >/dev/null 2>"$OUT/err" || { cat "$OUT/err"; exit 1; }; cat "$OUT/t"; }

declare -A T R
for i in $(seq "$RUNS"); do
  rm -f "$OUT"/base.db* "$OUT"/pi.db*
  sqlite3 "$OUT/base.db" "CREATE TABLE r (REVIEW_ID TEXT PRIMARY KEY, CHILD_ASIN, PRODUCT_BRAND, CUSTOMER_REVIEW_RATING, CUSTOMER_REVIEW_TITLE, CUSTOMER_REVIEW_DESCRIPTION, REVIEW_DATE, MARKETPLACE, PRODUCT_TITLE)"
  read -r t m < <(measure sqlite3 "$OUT/base.db" ".import --csv --skip 1 $OUT/r.csv r"); T[base]+="$t "; R[base]+="$m "
  read -r t m < <(measure $BIN -q --db "$OUT/pi.db" ingest "$OUT/r.jsonl"); T[ingest]+="$t "; R[ingest]+="$m "
  read -r t m < <(measure $BIN -q --db "$OUT/pi.db" ingest "$OUT/r.jsonl"); T[reingest]+="$t "; R[reingest]+="$m "
  read -r t m < <(measure $BIN -q --db "$OUT/pi.db" ingest --force "$OUT/r.jsonl"); T[reread]+="$t "; R[reread]+="$m "
  read -r t m < <(measure $BIN -q --db "$OUT/pi.db" analyze); T[analyze]+="$t "; R[analyze]+="$m "
  read -r t m < <(measure $BIN -q --db "$OUT/pi.db" analyze); T[analyze_again]+="$t "; R[analyze_again]+="$m "
done
echo "N=$N runs=$RUNS (median seconds, median peak RSS MB)"
for k in base ingest reingest reread analyze analyze_again; do
  t=$(tr ' ' '\n' <<<"${T[$k]}" | grep . | median)
  m=$(tr ' ' '\n' <<<"${R[$k]}" | grep . | median)
  printf "%-14s %8.2f s  %7.1f MB  all runs: %s\n" "$k" "$t" "$(awk -v m="$m" 'BEGIN{print m/1024}')" "${T[$k]}"
done
tb=$(tr ' ' '\n' <<<"${T[base]}" | grep . | median); ti=$(tr ' ' '\n' <<<"${T[ingest]}" | grep . | median)
ta=$(tr ' ' '\n' <<<"${T[analyze]}" | grep . | median)
tr2=$(tr ' ' '\n' <<<"${T[reingest]}" | grep . | median); tf=$(tr ' ' '\n' <<<"${T[reread]}" | grep . | median)
awk -v a="$ti" -v b="$tb" 'BEGIN{printf "ingest / sqlite3 .import = %.2f\n", a/b}'
awk -v a="$ti" -v r="$tr2" -v f="$tf" 'BEGIN{printf "first / re-ingest = %.1f (repeat), %.2f (--force)\n", a/(r>0?r:0.01), a/f}'
awk -v n="$N" -v t="$ta" 'BEGIN{printf "analyze reviews/s = %d\n", n/t}'
