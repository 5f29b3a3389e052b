#!/usr/bin/env bash
# Windowed calls (30 days) served by two builds of prodinsight side by side on one database (e.g.
# bench/windows.sh's), measured alternately in the same run: p50/p99 medians over RUNS (wrk -t1
# -c1), after checking both return the same products rows. CALLS picks the calls (default: the
# products list, plain and compared by trend); the others: product30 (a product), product_cmp (compared),
# portfolio30, portfolio_cmp, portfolio365 (a year), brands30, brands_cmp, issues_cmp, issue30 and issue_cmp (/issues/{code}; compared:
# a 400 before this was built).
# DB_AFTER: the after build's copy of DB, when a migration keeps the two builds off one file
# (the baseline refuses a newer schema); `AFTER analyze` on a copy migrates it.
#   BEFORE=path/to/old-binary AFTER=target/release/prodinsight bash bench/windows-ab.sh DB [RUNS] [SECS]
set -euo pipefail
DB=$1; RUNS=${2:-3}; SECS=${3:-3}
DB_AFTER=${DB_AFTER:-$DB}
BEFORE=${BEFORE:?the baseline binary}; AFTER=${AFTER:-target/release/prodinsight}
LAST=$(sqlite3 "file:$DB?mode=ro" "SELECT max(day) FROM product_days WHERE dated = 1")
M30=$(date -u -d "$LAST -29 days" +%F)
Y1=$(date -u -d "$LAST -364 days" +%F)
"$BEFORE" -q --db "$DB" serve --addr 127.0.0.1:18501 >/dev/null 2>&1 & S1=$!
"$AFTER" -q --db "$DB_AFTER" serve --addr 127.0.0.1:18502 >/dev/null 2>&1 & S2=$!
trap 'kill $S1 $S2' EXIT
sleep 1
ms() { awk '{v=$1; if (v ~ /us$/) {sub(/us$/,"",v); print v/1000} else if (v ~ /ms$/) {sub(/ms$/,"",v); print v} else {sub(/s$/,"",v); print v*1000}}'; }
median() { tr ' ' '\n' | grep . | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
declare -A P50 P99
CALLS=${CALLS:-"products30 products30_cmp_trend"}
W30="from=$M30&to=$LAST"
ASIN=$(curl -sf "http://127.0.0.1:18502/api/v1/products?limit=1&sort=negative&min_reviews=20" | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"][0]["asin"])')
CODE=$(curl -sf "http://127.0.0.1:18502/api/v1/issues?$W30&limit=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["issues"][0]["code"])')
declare -A Q=(
  [products30]="/api/v1/products?$W30&sort=negative&limit=50"
  [products30_cmp_trend]="/api/v1/products?$W30&compare=previous&sort=trend&limit=50"
  [product30]="/api/v1/products/$ASIN?$W30"
  [product_cmp]="/api/v1/products/$ASIN?$W30&compare=previous"
  [portfolio30]="/api/v1/overview?$W30"
  [portfolio_cmp]="/api/v1/overview?$W30&compare=previous"
  [portfolio365]="/api/v1/overview?from=$Y1&to=$LAST"
  [brands30]="/api/v1/brands?$W30"
  [brands_cmp]="/api/v1/brands?$W30&compare=previous"
  [issues_cmp]="/api/v1/issues?$W30&compare=previous&sort=impact"
  [issue30]="/api/v1/issues/$CODE?$W30"
  [issue_cmp]="/api/v1/issues/$CODE?$W30&compare=previous"
)
for c in $CALLS; do
  [[ $c == products30* ]] || continue
  a=$(curl -sf "http://127.0.0.1:18501${Q[$c]}" | python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["data"]["rows"]))')
  b=$(curl -sf "http://127.0.0.1:18502${Q[$c]}" | python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["data"]["rows"]))')
  [ "$a" = "$b" ] && echo "$c: same rows before and after" || echo "$c: ROWS DIFFER"
done
for i in $(seq "$RUNS"); do
  for c in $CALLS; do for who in before:18501 after:18502; do
    u="http://127.0.0.1:${who#*:}${Q[$c]}"
    wrk -t1 -c1 -d1s "$u" >/dev/null
    one=$(wrk -t1 -c1 -d"${SECS}s" --latency "$u")
    P50[$c.${who%:*}]+="$(awk '$1=="50%" {print $2}' <<<"$one" | ms) "
    P99[$c.${who%:*}]+="$(awk '$1=="99%" {print $2}' <<<"$one" | ms) "
  done; done
done
echo "DB=$DB; window $M30 … $LAST; ${SECS}s per measurement, median of $RUNS runs (wrk -t1 -c1)"
for c in $CALLS; do for who in before after; do
  printf "%-22s %-7s p50 %8.2f ms  p99 %8.2f ms\n" "$c" "$who" "$(median <<<"${P50[$c.$who]}")" "$(median <<<"${P99[$c.$who]}")"
done; done
