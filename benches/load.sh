#!/usr/bin/env bash
# Load benchmark: ingest a generated corpus, then measure the read endpoints with wrk
# against a trivial endpoint of the same server (the ceiling), in one run.
#
#   benches/load.sh [COUNT] [CONNECTIONS] [SECONDS]
#
# Needs wrk (Debian: apt-get install wrk) and python3. Prints a Markdown table; the
# README's Performance section quotes it. Defaults: 100000 articles, 64 connections, 10 s.
set -euo pipefail

count=${1:-100000}
connections=${2:-64}
seconds=${3:-10}
port=${PORT:-18181}
root=$(cd "$(dirname "$0")/.." && pwd)
bin="$root/target/release/quotewire"
work=${WORK_DIR:-$(mktemp -d /tmp/quotewire-load.XXXXXX)}
db="$work/load.db"
corpus="$work/corpus-$count"
base="http://127.0.0.1:$port"

command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
(cd "$root" && cargo build --release --quiet)

if [ ! -d "$corpus" ]; then
  "$bin" generate --count "$count" --seed 42 "$corpus" >/dev/null
fi

if [ ! -f "$db" ]; then
  start=$(date +%s.%N)
  /usr/bin/time -f "%M %U %S" -o "$work/ingest.time" "$bin" ingest --db "$db" "$corpus" >"$work/ingest.log" 2>&1
  end=$(date +%s.%N)
  python3 - "$start" "$end" "$count" "$db" "$work/ingest.time" <<'EOF'
import os, sys
start, end, count, db = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
rss_kb, user, system = open(sys.argv[5]).read().split()[-3:]
cpu = float(user) + float(system)
size = sum(os.path.getsize(p) for p in (db, db + "-wal") if os.path.exists(p))
print(f"ingest: {count} articles in {end - start:.1f} s = {count / (end - start):.0f} articles/s; "
      f"CPU {cpu:.1f} s = {cpu / count * 1000:.2f} ms per article; peak RSS {int(rss_kb) / 1024:.0f} MB; "
      f"database {size / 1e6:.1f} MB = {size / count * 1000 / 1e6:.2f} MB per 1,000 articles")
EOF
fi

# Rate limiting would measure the limiter, not the service: switch it off for this run.
QUOTEWIRE__RATE_LIMIT__ENABLED=false QUOTEWIRE__LOG__LEVEL=warn \
  "$bin" serve --addr "127.0.0.1:$port" --db "$db" >"$work/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -fs "$base/healthz" >/dev/null && break; sleep 0.1; done

# Pick targets as a user would, from the data itself: the speaker of the newest quote
# said by a person, a word of that quote (the longest; in the generated corpus every
# such word is in a few per cent of all quotes: moderately common), the first three
# letters of that speaker's name (a common name prefix, as typed into a search box).
read -r article speaker word prefix deep first < <(python3 - "$base" <<'EOF'
import json, sys, urllib.parse, urllib.request
base = sys.argv[1]
get = lambda path: json.load(urllib.request.urlopen(base + path))
quotes = get("/v1/quotes?limit=100")["data"]
quote = next(q for q in quotes if (q.get("speaker") or {}).get("type") == "person")
article = quote["article"]["id"]
speaker = urllib.parse.quote(quote["speaker"]["name"])
word = max((w.strip(".,“”\"").lower() for w in quote["text"].split()), key=len)
prefix = urllib.parse.quote(quote["speaker"]["name"][:3])
# Follow the cursor past 10,000 rows: the deep page must cost what the first one does.
cursor, seen = None, 0
while seen < 10_000:
    page = get("/v1/articles?limit=100" + (f"&cursor={cursor}" if cursor else ""))
    seen += len(page["data"])
    cursor = page.get("next_cursor")
    if not cursor:
        break
deep = f"/v1/articles?limit=20&cursor={cursor}" if cursor else "/v1/articles?limit=20"
print(article, speaker, word, prefix, deep, "/v1/articles?limit=20")
EOF
)

echo "targets: speaker=$speaker, q=$word, entities q=$prefix"

bench() {
  local name=$1 path=$2
  wrk -t2 -c"$connections" -d"${seconds}s" --latency "$base$path" 2>&1 | python3 -c '
import re, sys
out = sys.stdin.read()
rps = re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)
lat = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", out, re.M))
errs = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
p50, p99 = lat.get("50"), lat.get("99")
print(f"| {sys.argv[1]} | {float(rps):,.0f} | {p50} | {p99} | {errs.group(1) if errs else 0} |")
' "$name"
}

echo
echo "| endpoint ($count articles, $connections connections, ${seconds}s) | requests/s | p50 | p99 | non-2xx |"
echo "|---|---:|---:|---:|---:|"
bench "GET /healthz (ceiling)" "/healthz"
bench "GET /v1/articles/{id}" "/v1/articles/$article"
bench "GET /v1/quotes?speaker=..." "/v1/quotes?speaker=$speaker"
bench "GET /v1/quotes?q=..." "/v1/quotes?q=$word"
bench "GET /v1/entities?q=..." "/v1/entities?q=$prefix"
bench "GET /v1/articles (first page)" "$first"
bench "GET /v1/articles (page after 10,000 rows)" "$deep"
echo
echo "peak RSS of the server: $(awk '/VmHWM/ {printf "%.0f MB", $2/1024}' /proc/$server/status)"
