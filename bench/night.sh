#!/usr/bin/env bash
# Incremental nights (issue 19): N reviews shaped like real exports (`gen_sample ... varied`), ingested
# and analyzed in full, then NIGHTS nights of 1 % new reviews each, every step timed alone with GNU
# time (wall, CPU = user + system, peak RSS). With a second binary (BASELINE, e.g. main's build) the
# same sequence runs on its own database from the same files, each step alternating between the two
# binaries, for an A/B of the night.
#   bash bench/night.sh [N] [NIGHTS] [BASELINE]     e.g. bash bench/night.sh 1000000 3 /tmp/x/main-bin
# Prints one line per step and binary, then the medians of the nights. Inputs and databases are
# deleted at the end.
set -euo pipefail
N=${1:-1000000}
NIGHTS=${2:-3}
BASELINE=${3:-}
cd "$(dirname "$0")/.."
[ -x /usr/bin/time ] || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }
[ -n "${SKIP_BUILD:-}" ] || cargo build -q --release --bin prodinsight --example gen_sample
BIN=$PWD/target/release/prodinsight
GEN=$PWD/target/release/examples/gen_sample
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
NEW=$((N / 100))
# One generation: the first N lines are the history, then NIGHTS blocks of NEW lines, one a night.
"$GEN" large $((N + NIGHTS * NEW)) jsonl "$W/all.jsonl" varied
head -n "$N" "$W/all.jsonl" >"$W/history.jsonl"
for k in $(seq "$NIGHTS"); do
  sed -n "$((N + (k - 1) * NEW + 1)),$((N + k * NEW))p" "$W/all.jsonl" >"$W/night$k.jsonl"
done
rm "$W/all.jsonl"

median() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# step NAME BIN ARGS...: runs one step under GNU time; prints "NAME wall cpu rss_mb" and keeps
# analyze's last summary line (how many products it rolled up).
step() {
  local name=$1
  shift
  /usr/bin/time -f "%e %U %S %M" -o "$W/t" "$@" >/dev/null 2>"$W/err" || { cat "$W/err" >&2; exit 1; }
  read -r wall user sys rss <"$W/t"
  local cpu
  cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN{printf "%.2f", u + s}')
  printf '%-16s wall %6.2f s  cpu %6.2f s  rss %5d MB  %s\n' "$name" "$wall" "$cpu" $((rss / 1024)) \
    "$(grep -o 'rolled up .*' "$W/err" | head -1 || true)"
  echo "$name $wall $cpu $rss" >>"$W/results"
}

# both STEP ARGS...: the step on each binary's database in turn (new, then the baseline if any), so
# that a busy spell of the shared box falls on both binaries' runs of a step, not on one binary's.
both() {
  local s=$1
  shift
  step "new:$s" "$BIN" --db "$W/new.db" "$@"
  [ -z "$BASELINE" ] || step "base:$s" "$BASELINE" --db "$W/base.db" "$@"
}

both ingest ingest "$W/history.jsonl"
both analyze analyze
for k in $(seq "$NIGHTS"); do
  both n-ingest ingest "$W/night$k.jsonl"
  both n-analyze analyze
done
for label in new base; do
  [ -e "$W/$label.db" ] || continue
  echo "$label: database $(($(cat "$W/$label.db"* | wc -c) / 1000000)) MB"
done
echo
echo "medians (nights: of $NIGHTS):"
for label in new base; do
  for s in ingest analyze n-ingest n-analyze; do
    grep -q "^$label:$s " "$W/results" || continue
    wall=$(grep "^$label:$s " "$W/results" | awk '{print $2}' | median)
    cpu=$(grep "^$label:$s " "$W/results" | awk '{print $3}' | median)
    rss=$(grep "^$label:$s " "$W/results" | awk '{print $4}' | median)
    printf '%-16s wall %6.2f s  cpu %6.2f s  rss %5d MB\n' "$label:$s" "$wall" "$cpu" $((rss / 1024))
  done
done
# The night's analyze as a share of the full analyze, by CPU time (the steadier figure on a busy box).
for label in new base; do
  grep -q "^$label:n-analyze " "$W/results" || continue
  full=$(grep "^$label:analyze " "$W/results" | awk '{print $3}')
  night=$(grep "^$label:n-analyze " "$W/results" | awk '{print $3}' | median)
  awk -v l="$label" -v n="$night" -v f="$full" \
    'BEGIN{printf "%-16s night analyze %.2f s CPU = %.1f %% of the full analyze (%.2f s)\n", l, n, 100*n/f, f}'
done
