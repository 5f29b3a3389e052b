#!/usr/bin/env bash
# Edit matching benchmark: `ingest --snapshot` of a night in which N long reviews of one product
# were all rewritten (the worst case for matching edits by word overlap: every new review is
# compared with every missing one).
#   bash bench/edits.sh [N] [WORDS] [RUNS]     (defaults 300 reviews of 3,000 words, 3 runs)
# Prints the median wall and CPU seconds of the second night's ingest and its peak RSS.
set -euo pipefail
N=${1:-300}
WORDS=${2:-3000}
RUNS=${3:-3}
cd "$(dirname "$0")/.."
[ -x /usr/bin/time ] || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }
cargo build -q --release
BIN=${BIN:-target/release/prodinsight}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
python3 - "$N" "$WORDS" "$OUT" <<'PY'
import json, random, sys
n, words, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
rnd = random.Random(7)
text = lambda: " ".join(f"w{rnd.randrange(20000)}" for _ in range(words))
def review(title, body):
    return {"CHILD_ASIN": "B0LONG0001", "PRODUCT_BRAND": "Bench", "CUSTOMER_REVIEW_RATING": 3,
            "CUSTOMER_REVIEW_TITLE": title, "CUSTOMER_REVIEW_DESCRIPTION": body}
first = [review(f"first {i}", text()) for i in range(n)]
second = [review(f"second {i}", text()) for i in range(n)]
second[0] = review("a new title", first[0]["CUSTOMER_REVIEW_DESCRIPTION"].replace("w", "edited w", 1))
for name, rows in (("n1", first), ("n2", second)):
    with open(f"{out}/{name}.jsonl", "w") as f:
        f.writelines(json.dumps(r) + "\n" for r in rows)
PY
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
wall="" cpu="" rss=""
for _ in $(seq "$RUNS"); do
  rm -f "$OUT"/db*
  "$BIN" -q --db "$OUT/db" ingest --snapshot "$OUT/n1.jsonl" >/dev/null
  /usr/bin/time -f "%e %U %S %M" -o "$OUT/t" "$BIN" -q --db "$OUT/db" ingest --snapshot "$OUT/n2.jsonl" >/dev/null
  read -r e u s m <"$OUT/t"
  wall+="$e "; cpu+="$(echo "$u + $s" | bc) "; rss+="$m "
done
echo "N=$N words=$WORDS runs=$RUNS: second night's ingest --snapshot median" \
  "$(tr ' ' '\n' <<<"$wall" | grep . | median) s wall," \
  "$(tr ' ' '\n' <<<"$cpu" | grep . | median) s CPU," \
  "$(( $(tr ' ' '\n' <<<"$rss" | grep . | median) / 1024 )) MB peak RSS"
