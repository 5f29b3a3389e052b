#!/usr/bin/env bash
# Every output a user or a program sees, on the bundled sample data: each report view in each format
# and the API's replies, written to OUTDIR with run timestamps and durations masked. A refactor that
# must not change outputs compares two snapshots:
#   bash tools/output-snapshot.sh /tmp/before   # on the old commit
#   bash tools/output-snapshot.sh /tmp/after    # on the new one
#   diff -r /tmp/before /tmp/after && echo identical
# BIN=path/to/prodinsight uses that binary instead of building one.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:?usage: output-snapshot.sh OUTDIR}
mkdir -p "$out"
out=$(cd "$out" && pwd)
if [ -z "${BIN:-}" ]; then
  cargo build --release --quiet
  BIN=$PWD/target/release/prodinsight
fi
work=$(mktemp -d)
trap 'kill "${server:-}" 2>/dev/null || true; rm -rf "$work"' EXIT
db=$work/snap.db
pi() { "$BIN" --db "$db" -q "$@"; }

# Two runs so that `changes` and the per-run history have something to show.
pi analyze sample-data/ >/dev/null
pi analyze --full >/dev/null

mask() {
  sed -E -e 's/[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?Z?/TIMESTAMP/g' \
    -e 's/("duration_ms": ?)[0-9]+/\1N/g' -e 's/[0-9]+(\.[0-9]+)? ?ms\b/N ms/g'
}

asin=$(pi report products -f csv --limit 1 | sed -n 2p | cut -d, -f1)
views=("" products "product $asin" brands issues reviews runs changes)
for view in "${views[@]}"; do
  for fmt in table csv json jsonl html; do
    name=$(echo "report ${view:-overview}" | tr ' ' '_')
    # shellcheck disable=SC2086
    if pi report $view -f "$fmt" >"$work/o" 2>"$work/e"; then code=0; else code=$?; fi
    { mask <"$work/o"; echo "--- exit $code"; mask <"$work/e"; } >"$out/$name.$fmt"
    # A run's duration in seconds is the one number that differs between two identical runs.
    [ "$view" = runs ] && sed -i -E 's/\b[0-9]+\.[0-9]{2}\b/S.SS/g' "$out/$name.$fmt"
  done
done

# The API, on the same database.
"$BIN" --db "$db" serve --addr 127.0.0.1:0 -q >"$work/serve.out" 2>/dev/null &
server=$!
for _ in $(seq 100); do grep -q listening "$work/serve.out" 2>/dev/null && break; sleep 0.1; done
base=$(sed -n 's/^listening on //p' "$work/serve.out" | head -n 1)
brand=$(pi report brands -f csv | sed -n 2p | cut -d, -f1)
brand_q=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$brand")
i=0
for path in /healthz /api/v1/openapi.json /api/v1/products "/api/v1/products?limit=5&sort=rating&order=asc" \
  "/api/v1/products?brand=$brand_q&sort=negative" "/api/v1/products?sentiment=negative:20" \
  "/api/v1/products?issue=leaks" "/api/v1/products?q=a&min_reviews=5" "/api/v1/products/$asin" \
  "/api/v1/products/$asin/reviews?limit=20" "/api/v1/products/$asin/reviews?sentiment=negative" \
  /api/v1/brands /api/v1/issues /api/v1/products/NOPE "/api/v1/products?limit=0" /nowhere; do
  i=$((i + 1))
  curl -s -o "$work/o" -w '--- %{http_code} %{content_type}\n' "$base$path" >"$work/h" || true
  { echo "GET $path"; mask <"$work/o"; echo; cat "$work/h"; } >"$out/api_$(printf %02d $i).txt"
done
echo "$(ls "$out" | wc -l) outputs in $out"
