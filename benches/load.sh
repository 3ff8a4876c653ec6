#!/usr/bin/env bash
# Load benchmark: ingest a generated corpus, then measure the read endpoints with wrk
# against a trivial endpoint of the same server (the ceiling), in one run.
#
#   benches/load.sh [COUNT] [CONNECTIONS] [SECONDS]
#
# Needs wrk (Debian: apt-get install wrk) and python3. Prints a Markdown table; the
# README's Performance section quotes it. Defaults: 100000 articles, 64 connections, 10 s.
# WORK_DIR keeps the corpus and database between runs (an existing load.db is reused,
# and then no corpus is needed). QUOTEWIRE_BIN runs another build (to compare two) instead
# of building this checkout's.
set -euo pipefail

count=${1:-100000}
connections=${2:-64}
seconds=${3:-10}
port=${PORT:-18181}
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${QUOTEWIRE_BIN:-"$root/target/release/quotewire"}
work=${WORK_DIR:-$(mktemp -d /tmp/quotewire-load.XXXXXX)}
db="$work/load.db"
corpus="$work/corpus-$count"
targets="$work/targets"
base="http://127.0.0.1:$port"

command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
[ -n "${QUOTEWIRE_BIN:-}" ] || (cd "$root" && cargo build --release --quiet)

if [ ! -f "$db" ]; then
  if [ ! -d "$corpus" ]; then
    "$bin" generate --count "$count" --seed 42 "$corpus" >/dev/null
  fi
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

# Many targets per endpoint, drawn from the data with a fixed seed, so that the figures
# measure the service rather than one hot key: 1,000 articles at random over the whole
# archive; 100 speakers (people who are quoted) by name; up to 100 query words (a new
# word of four letters or more from each of up to 1,000 random quotes); the distinct
# first three letters of 100 random entity names; 11 cursors of the article list from
# 10,000 to 11,000 rows deep (cursors are opaque, so they come from following the API's own
# `next_cursor`). One file of paths per endpoint; wrk's Lua script (below) walks it from
# a random start in each thread. The first page is one path: there is only one.
rm -rf "$targets" && mkdir -p "$targets"
python3 - "$base" "$db" "$targets" "$count" <<'EOF'
import json, random, re, sqlite3, sys, urllib.parse, urllib.request
base, db, out = sys.argv[1:4]
# Deep pages start past 10,000 rows (past half the archive when it is smaller).
depth = min(10_000, int(sys.argv[4]) // 2)
random.seed(42)
conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
rows = lambda sql, *args: [r[0] for r in conn.execute(sql, args)]
def sample(sql, n):
    """n distinct values at random among the rows whose pk is in a random draw."""
    top = conn.execute(f"SELECT max(pk) FROM ({sql})").fetchone()[0] or 0
    pks = random.sample(range(1, top + 1), min(top, n * 3))
    found = rows(f"SELECT v FROM ({sql}) WHERE pk IN ({','.join(map(str, pks))})")
    random.shuffle(found)
    return list(dict.fromkeys(found))[:n]
def write(name, paths):
    with open(f"{out}/{name}", "w") as f:
        f.writelines(p + "\n" for p in paths)
q = urllib.parse.quote
write("article", [f"/v1/articles/{i}" for i in sample("SELECT pk, id AS v FROM articles", 1000)])
speakers = rows("SELECT name FROM entities WHERE type = 'person' AND quote_count > 0 ORDER BY id")
write("speaker", [f"/v1/quotes?speaker={q(s)}" for s in random.sample(speakers, min(100, len(speakers)))])
words = []
for text in sample("SELECT pk, text AS v FROM quotes", 1000):
    longer = [w for w in re.findall(r"\w+", text.lower()) if len(w) > 3 and w not in words]
    if longer:
        words.append(random.choice(longer))
write("search", [f"/v1/quotes?q={q(w)}" for w in words[:100]])
names = rows("SELECT name FROM entities ORDER BY id")
prefixes = {n[:3] for n in random.sample(names, min(100, len(names))) if n[:3].isalpha()}
write("entities", [f"/v1/entities?q={q(p)}" for p in sorted(prefixes)])
get = lambda path: json.load(urllib.request.urlopen(base + path))
cursor, seen, deep = None, 0, []
while seen < depth + 1_000:
    page = get("/v1/articles?limit=100" + (f"&cursor={cursor}" if cursor else ""))
    seen += len(page["data"])
    cursor = page.get("next_cursor")
    if not cursor:
        break
    if seen >= depth:
        deep.append(f"/v1/articles?limit=20&cursor={cursor}")
write("deep", deep or ["/v1/articles?limit=20"])
write("first", ["/v1/articles?limit=20"])
write("healthz", ["/healthz"])
EOF
for f in "$targets"/*; do echo "targets: $(basename "$f"): $(wc -l <"$f") paths, e.g. $(head -1 "$f")"; done

cat >"$targets/rotate.lua" <<'EOF'
-- Each thread walks the endpoint's paths in order from its own random start.
local paths, next_index = {}, 1
function init(args)
  for line in io.lines(args[1]) do paths[#paths + 1] = line end
  math.randomseed(os.time() + #paths + (tonumber(args[2]) or 0))
  next_index = math.random(#paths)
end
function request()
  local path = paths[next_index]
  next_index = next_index % #paths + 1
  return wrk.format("GET", path)
end
EOF

# Server CPU time (user + system, in clock ticks) so far: divided by the requests a run
# served, it is the cost of a request, which other work on the machine barely moves.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$server/stat"; }
ticks_per_second=$(getconf CLK_TCK)

# Each run's requests/s also goes to this file, for the point-read ratio below.
rates="$work/rates"
: >"$rates"

bench() {
  local name=$1 file=$2 before out
  before=$(cpu_ticks)
  out=$(wrk -t2 -c"$connections" -d"${seconds}s" --latency -s "$targets/rotate.lua" "$base" \
    -- "$targets/$file" 2>&1)
  python3 -c '
import re, sys
name, out, ticks, hz = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
requests = int(re.search(r"(\d+) requests in", out).group(1))
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
lat = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", out, re.M))
errs = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
cpu_us = ticks / hz / requests * 1e6
p50, p99 = lat.get("50"), lat.get("99")
print(f"| {name} | {rps:,.0f} | {p50} | {p99} | {cpu_us:,.0f} µs | {errs.group(1) if errs else 0} |")
with open(sys.argv[5], "a") as rates:
    rates.write(f"{sys.argv[6]} {rps}\n")
' "$name" "$out" "$(($(cpu_ticks) - before))" "$ticks_per_second" "$rates" "$file"
}

echo
echo "| endpoint ($count articles, $connections connections, ${seconds}s) | requests/s | p50 | p99 | server CPU per request | non-2xx |"
echo "|---|---:|---:|---:|---:|---:|"
# The ceiling is measured on both sides of the point read: this machine's speed drifts
# between runs, and the ratio is taken against the mean of the two.
bench "GET /healthz (ceiling)" healthz
bench "GET /v1/articles/{id}" article
bench "GET /healthz (ceiling, again)" healthz
bench "GET /v1/quotes?speaker=..." speaker
bench "GET /v1/quotes?q=..." search
bench "GET /v1/entities?q=..." entities
bench "GET /v1/articles (first page)" first
bench "GET /v1/articles (page after 10,000 rows)" deep
echo
python3 - "$rates" <<'EOF'
import sys
rates = [line.split() for line in open(sys.argv[1])]
ceiling = [float(rps) for name, rps in rates if name == "healthz"]
article = next(float(rps) for name, rps in rates if name == "article")
print(f"point read: {article / (sum(ceiling) / len(ceiling)):.0%} of the ceiling "
      f"(mean of {len(ceiling)} ceiling runs)")
EOF
echo "peak RSS of the server: $(awk '/VmHWM/ {printf "%.0f MB", $2/1024}' /proc/$server/status)"
