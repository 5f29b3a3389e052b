#!/usr/bin/env bash
# A full offline `analyze` of N reviews shaped like real exports (`gen_sample ... varied`), this
# checkout's binary against a baseline binary, runs alternating so that a busy spell on a shared box
# falls on both.
#   bash bench/analyze-ab.sh BASELINE_BIN [N] [RUNS]      e.g. bash bench/analyze-ab.sh /tmp/base/prodinsight 200000 3
# The reviews are ingested once by each binary; each run analyzes a fresh copy of its database.
# Per binary: medians of wall time, CPU (user + system from GNU time), reviews/s by wall and by CPU,
# and peak RSS; and whether both stored the same text results and product rows (it stops if not).
# SKIP_BUILD=1 measures target/release/prodinsight as built (or BIN=...). Run under `nice -n 5`.
set -euo pipefail
BASE=${1:?usage: analyze-ab.sh BASELINE_BIN [N] [RUNS]}
N=${2:-200000}
RUNS=${3:-3}
cd "$(dirname "$0")/.."
command -v sqlite3 >/dev/null || { apt-get update -qq && apt-get install -y -qq sqlite3 >/dev/null; }
[ -x /usr/bin/time ] || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }
[ -n "${SKIP_BUILD:-}" ] || cargo build -q --release --bin prodinsight --example gen_sample
BIN=${BIN:-$PWD/target/release/prodinsight}
GEN=${GEN:-$PWD/target/release/examples/gen_sample}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
"$GEN" large "$N" jsonl "$W/r.jsonl" varied
# Each binary ingests into its own database, so a branch with a new migration measures its analyze,
# not its upgrade of the baseline's schema.
"$BASE" -q --db "$W/in-base.db" ingest "$W/r.jsonl"
"$BIN" -q --db "$W/in-new.db" ingest "$W/r.jsonl"
rm "$W/r.jsonl"

median() { tr ' ' '\n' | grep . | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# What analyze stored that must not change: every text's result and every product's row.
stored() {
  sqlite3 "$1" "SELECT text_hash, language, text_sentiment, text_score, issues, aspects, liked, names
                FROM text_results ORDER BY text_hash, analyzer;
                SELECT * FROM product_insights ORDER BY asin;" | md5sum | cut -d' ' -f1
}
declare -A WALL CPU RSS SUM
for run in $(seq "$RUNS"); do
  for side in base new; do
    b=$BASE
    [ "$side" = new ] && b=$BIN
    rm -f "$W"/x.db*
    cp "$W/in-$side.db" "$W/x.db"
    /usr/bin/time -f "%e %M %U %S" -o "$W/t" "$b" -q --db "$W/x.db" analyze >/dev/null
    read -r wall rss user sys <"$W/t"
    cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN{print u + s}')
    echo "run $run $side: wall $wall s, cpu $cpu s ($user user + $sys sys), peak RSS $((rss / 1024)) MB" >&2
    WALL[$side]+="$wall "
    CPU[$side]+="$cpu "
    RSS[$side]+="$rss "
    SUM[$side]=$(stored "$W/x.db")
  done
  [ "${SUM[base]}" = "${SUM[new]}" ] || { echo "stored results differ: ${SUM[base]} ${SUM[new]}" >&2; exit 1; }
done
echo "| N=$N, medians of $RUNS | wall | CPU (user+sys) | reviews/s (wall) | reviews/s per CPU second | peak RSS |"
echo "|---|---|---|---|---|---|"
for side in base new; do
  w=$(median <<<"${WALL[$side]}")
  c=$(median <<<"${CPU[$side]}")
  r=$(median <<<"${RSS[$side]}")
  awk -v s="$side" -v n="$N" -v w="$w" -v c="$c" -v r="$r" 'BEGIN {
    printf "| %s | %.2f s | %.2f s | %d | %d | %d MB |\n", s, w, c, n / w, n / c, r / 1024 }'
done
echo "(all runs: base wall ${WALL[base]}cpu ${CPU[base]}; new wall ${WALL[new]}cpu ${CPU[new]})"
