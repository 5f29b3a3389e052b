#!/usr/bin/env bash
# LLM client benchmark: is prodinsight ever the bottleneck?
#   LLM_BASE_URL=http://127.0.0.1:PORT/v1 bash bench/llm.sh [N] [CONCURRENCY] [BATCH_SIZE] [RUNS]
# Without LLM_BASE_URL it starts ../shared/llm/start-local-llm.sh (SmolLM2-135M on llama.cpp).
#
# 1. `prodinsight analyze --analyzer llm` on N sample reviews through a recording proxy: reviews/s.
# 2. The server alone: the recorded requests (splits and retries included) replayed straight to it
#    at the same concurrency by a small Python client: the same reviews per second of that work. A
#    ratio near 1 means the client adds nothing; below 1, the part of a run the client accounts for,
#    including waits a replay does not have (a split is sent only after its parent's reply).
# 3. Overhead per review: prompt tokens of a request without reviews (instructions + schema), as the
#    server counts them, divided by the reviews per request; and the estimated cost per 1,000 reviews
#    of the default model (gpt-4o-mini) from `--dry-run` on the sample data.
# Medians of RUNS runs.
set -euo pipefail
N=${1:-24}
C=${2:-2}
B=${3:-4}
RUNS=${4:-3}
cd "$(dirname "$0")/.."
cargo build -q --release
BIN=$PWD/target/release/prodinsight
OUT=$(mktemp -d)
trap 'kill $(cat "$OUT/proxy.pid" 2>/dev/null) 2>/dev/null || true' EXIT
if [ -z "${LLM_BASE_URL:-}" ]; then
  LLM_BASE_URL=$(bash ../shared/llm/start-local-llm.sh start "${LOCAL_LLM_DIR:-$HOME/.cache/local-llm}" 18012 | tail -n 1)
fi
MODEL=${LLM_MODEL:-smollm2}
head -n "$N" sample-data/export-2-2026-q1.jsonl > "$OUT/in.jsonl"

cat > "$OUT/proxy.py" <<'PY'
import http.server, json, sys, threading, urllib.request
upstream, log = sys.argv[1].rstrip("/"), open(sys.argv[2], "a")
lock = threading.Lock()
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        req = urllib.request.Request(upstream + self.path.removeprefix("/v1"), body, {"content-type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=600) as r:
                data, status = r.read(), r.status
        except urllib.error.HTTPError as e:
            data, status = e.read(), e.code
        with lock:
            log.write(body.decode() + "\n"); log.flush()
        self.send_response(status); self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data))); self.end_headers(); self.wfile.write(data)
    def log_message(self, *a): pass
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()
PY

cat > "$OUT/replay.py" <<'PY'
import json, sys, time, urllib.request
from concurrent.futures import ThreadPoolExecutor
upstream, path, conc = sys.argv[1].rstrip("/"), sys.argv[2], int(sys.argv[3])
bodies = [l for l in open(path) if l.strip()]
reviews = sum(len(json.loads(json.loads(b)["messages"][1]["content"])) for b in bodies)
def send(b):
    req = urllib.request.Request(upstream + "/chat/completions", b.encode(), {"content-type": "application/json"})
    try:
        urllib.request.urlopen(req, timeout=600).read()
    except urllib.error.HTTPError as e:
        e.read()
t = time.time()
with ThreadPoolExecutor(conc) as ex:
    list(ex.map(send, bodies))
print(reviews, time.time() - t)
PY

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
CLIENT="" SERVER=""
for i in $(seq "$RUNS"); do
  rm -f "$OUT/db"* "$OUT/bodies.jsonl"
  python3 "$OUT/proxy.py" "$LLM_BASE_URL" "$OUT/bodies.jsonl" > "$OUT/port" & echo $! > "$OUT/proxy.pid"
  for _ in $(seq 50); do [ -s "$OUT/port" ] && break; sleep 0.1; done
  PROXY=http://127.0.0.1:$(cat "$OUT/port")/v1
  $BIN -q --db "$OUT/db" ingest "$OUT/in.jsonl"
  t0=$(date +%s.%N)
  $BIN -q --db "$OUT/db" analyze --analyzer llm --base-url "$PROXY" --model "$MODEL" \
    --concurrency "$C" --batch-size "$B" --timeout 300
  t1=$(date +%s.%N)
  reviews=$(sqlite3 "$OUT/db" "SELECT count(*) FROM text_results" 2>/dev/null || python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select count(*) from text_results').fetchone()[0])" "$OUT/db")
  CLIENT+="$(awk -v n="$reviews" -v a="$t0" -v b="$t1" 'BEGIN{print n/(b-a)}') "
  kill "$(cat "$OUT/proxy.pid")"; rm -f "$OUT/port"
  # The same requests (splits and retries included) for the same reviews: reviews/s of the same work.
  read -r _ secs < <(python3 "$OUT/replay.py" "$LLM_BASE_URL" "$OUT/bodies.jsonl" "$C")
  SERVER+="$(awk -v n="$reviews" -v s="$secs" 'BEGIN{print n/s}') "
done
requests=$(wc -l < "$OUT/bodies.jsonl")

# Instructions and schema alone, as the server's tokenizer counts them.
empty=$(python3 - "$LLM_BASE_URL" "$OUT/bodies.jsonl" <<'PY'
import json, sys, urllib.request
body = json.loads(open(sys.argv[2]).readline())
body["messages"][1]["content"] = "[]"; body["max_tokens"] = 8
req = urllib.request.Request(sys.argv[1].rstrip("/") + "/chat/completions", json.dumps(body).encode(), {"content-type": "application/json"})
print(json.load(urllib.request.urlopen(req, timeout=600))["usage"]["prompt_tokens"])
PY
)
D=$(mktemp -d)
$BIN -q --db "$D/db" ingest sample-data/
dry=$($BIN -q --db "$D/db" analyze --analyzer llm --dry-run)
echo "$dry" | sed 's/^/  /'
rev=$(awk '/reviews to analyze/ {print $4}' <<<"$dry"); usd=$(awk '/estimated cost/ {print $3}' <<<"$dry")

echo "N=$N reviews, concurrency $C, $B reviews per request, model $MODEL at $LLM_BASE_URL; median of $RUNS runs"
c=$(tr ' ' '\n' <<<"$CLIENT" | grep . | median); s=$(tr ' ' '\n' <<<"$SERVER" | grep . | median)
printf "prodinsight end to end  %8.3f reviews/s   (all runs: %s)\n" "$c" "$CLIENT"
printf "server alone (replay)   %8.3f reviews/s   (all runs: %s)\n" "$s" "$SERVER"
awk -v c="$c" -v s="$s" 'BEGIN{printf "prodinsight / server   %8.2f\n", c/s}'
echo "requests in the last run: $requests (splits and retries included)"
awk -v e="$empty" -v b="$B" 'BEGIN{printf "instructions + schema: %d prompt tokens per request = %.0f per review at %d reviews per request (20 by default: %.0f)\n", e, e/b, b, e/20}'
awk -v u="$usd" -v r="$rev" 'BEGIN{printf "estimated cost of gpt-4o-mini per 1,000 reviews (default settings, sample data): %.4f USD\n", u*1000/r}'
