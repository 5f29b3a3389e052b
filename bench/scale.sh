#!/usr/bin/env bash
# Scale run: for each size N, reviews shaped like real exports (`gen_sample ... varied`: distinct texts,
# ids, dates and marketplaces), each step timed alone, inputs and databases deleted after.
#   bash bench/scale.sh [RUNS] [N...]        e.g. bash bench/scale.sh 1 1000000 2000000
# Per size and run: sqlite3's own `.import --csv` of the same rows (the baseline), `prodinsight ingest`
# of the JSON Lines export into a fresh database, `analyze` (full), then an incremental night: 1 % new
# reviews ingested and analyzed. Wall time, CPU time (user + system) and peak RSS from GNU time; medians
# over RUNS. Prints one markdown row per size (the README's scale table) and, on stderr, one line per step.
# KEEP_DB=DIR moves the last size's database (after its night) into DIR instead of deleting it (for
# `bench/serve.sh` against it). Run it under `nice -n 5` on a shared box.
set -euo pipefail
RUNS=${1:-1}
shift || true
SIZES=("$@")
[ ${#SIZES[@]} -gt 0 ] || SIZES=(1000000)
cd "$(dirname "$0")/.."
command -v sqlite3 >/dev/null || { apt-get update -qq && apt-get install -y -qq sqlite3 >/dev/null; }
[ -x /usr/bin/time ] || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }
# SKIP_BUILD=1 measures the release binaries already built (or BIN=... GEN=... copies of them).
[ -n "${SKIP_BUILD:-}" ] || cargo build -q --release --bin prodinsight --example gen_sample
BIN=${BIN:-$PWD/target/release/prodinsight}
GEN=${GEN:-$PWD/target/release/examples/gen_sample}

median() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# measure NAME CMD...: prints "seconds peak-RSS-KiB" of one command; logs wall, CPU and RSS to stderr
measure() {
  local name=$1
  shift
  /usr/bin/time -f "%e %M %U %S" -o "$W/t" "$@" >/dev/null 2>"$W/err" || { cat "$W/err" >&2; exit 1; }
  read -r wall rss user sys <"$W/t"
  awk -v n="$N" -v s="$name" -v w="$wall" -v u="$user" -v y="$sys" -v r="$rss" 'BEGIN {
    printf "%d %-14s wall %8.1f s  cpu %8.1f s (%.1f user + %.1f sys)  peak RSS %d MB\n",
      n, s, w, u + y, u, y, r / 1024 }' >&2
  echo "$wall $rss"
}
mb() { awk -v k="$1" 'BEGIN{printf "%d", k/1024}'; }

echo "| reviews | sqlite3 .import | ingest | ingest peak RSS | analyze | analyze peak RSS | database | bytes/review | night (+1 %): ingest | night: analyze |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for N in "${SIZES[@]}"; do
  W=$(mktemp -d)
  trap 'rm -rf "$W"' EXIT
  NEW=$((N / 100))
  # One generation of N + 1 % reviews: the first N lines are the history, the rest the night's new ones.
  $GEN large $((N + NEW)) jsonl "$W/all.jsonl" varied
  head -n "$N" "$W/all.jsonl" >"$W/r.jsonl"
  tail -n "$NEW" "$W/all.jsonl" >"$W/night.jsonl"
  rm "$W/all.jsonl"
  # The same N rows as CSV for sqlite3's own import.
  python3 -c '
import csv, json, sys
cols = ["REVIEW_ID","CHILD_ASIN","PRODUCT_BRAND","CUSTOMER_REVIEW_RATING","CUSTOMER_REVIEW_TITLE",
        "CUSTOMER_REVIEW_DESCRIPTION","REVIEW_DATE","MARKETPLACE","PRODUCT_TITLE"]
w = csv.writer(open(sys.argv[2], "w", newline=""))
w.writerow(cols)
for line in open(sys.argv[1]):
    r = json.loads(line)
    w.writerow([r.get(c, "") for c in cols])
' "$W/r.jsonl" "$W/r.csv"
  declare -A T=() R=()
  for run in $(seq "$RUNS"); do
    rm -f "$W"/pi.db*
    sqlite3 "$W/base.db" "CREATE TABLE r (REVIEW_ID TEXT PRIMARY KEY, CHILD_ASIN, PRODUCT_BRAND, CUSTOMER_REVIEW_RATING, CUSTOMER_REVIEW_TITLE, CUSTOMER_REVIEW_DESCRIPTION, REVIEW_DATE, MARKETPLACE, PRODUCT_TITLE)"
    read -r t m < <(measure import sqlite3 "$W/base.db" ".import --csv --skip 1 $W/r.csv r"); T[base]+="$t "
    # Neither the baseline's database nor, after the last run, its CSV (nor, after the last ingest,
    # the JSON Lines) is read again: at 10M they are about 12 GB that the analyze's WAL may need.
    rm -f "$W"/base.db*
    [ "$run" -lt "$RUNS" ] || rm -f "$W/r.csv"
    read -r t m < <(measure ingest "$BIN" -q --db "$W/pi.db" ingest "$W/r.jsonl"); T[ingest]+="$t "; R[ingest]+="$m "
    [ "$run" -lt "$RUNS" ] || rm -f "$W/r.jsonl"
    read -r t m < <(measure analyze "$BIN" -q --db "$W/pi.db" analyze); T[analyze]+="$t "; R[analyze]+="$m "
    T[size]+="$(cat "$W"/pi.db* | wc -c) "
    read -r t m < <(measure night_ingest "$BIN" -q --db "$W/pi.db" ingest "$W/night.jsonl"); T[night_ingest]+="$t "
    read -r t m < <(measure night_analyze "$BIN" -q --db "$W/pi.db" analyze); T[night_analyze]+="$t "; R[night]+="$m "
  done
  for k in base ingest analyze size night_ingest night_analyze; do eval "$k=$(median <<<"${T[$k]}")"; done
  ri=$(median <<<"${R[ingest]}"); ra=$(median <<<"${R[analyze]}")
  # shellcheck disable=SC2154 # set by the eval above
  awk -v n="$N" -v b="$base" -v i="$ingest" -v a="$analyze" -v s="$size" -v ni="$night_ingest" \
    -v na="$night_analyze" -v ri="$(mb "$ri")" -v ra="$(mb "$ra")" 'BEGIN {
      printf "| %d | %.1f s | %.1f s (%.2f×) | %d MB | %.1f s (%d reviews/s) | %d MB | %d MB | %d | %.1f s (%.1f %%) | %.1f s (%.1f %%) |\n",
        n, b, i, i / b, ri, a, n / a, ra, s / 1e6, s / n, ni, 100 * ni / i, na, 100 * na / a }'
  if [ -n "${KEEP_DB:-}" ]; then mv "$W"/pi.db* "$KEEP_DB"/; fi
  rm -rf "$W"
  trap - EXIT
done
