# Sourced by tests/contract/run.sh and tests/browser/run.sh (bash): starts `quotewire
# serve` in the background on a free loopback port over a temporary database that holds
# the seed, dev and HTML fixture articles, with rate limits off and no API key.
#
#   start_fixture_server BINARY LOG   # sets QUOTEWIRE_BASE (http://127.0.0.1:PORT)
#   stop_fixture_server               # ends it and removes the database; run on EXIT
#   fixture_server_alive              # whether it is still running

fixture_server_pid=
fixture_server_dir=

start_fixture_server() {
    local bin=$1 log=$2 port
    fixture_server_dir=$(mktemp -d)
    # The HTML pages that have a gold file are articles (the others are meant to be refused).
    local pages=() gold
    for gold in tests/fixtures/html/*.gold.json; do
        pages+=("${gold%.gold.json}.html")
    done
    "$bin" ingest --db "$fixture_server_dir/fixtures.db" \
        tests/fixtures/seed/*.txt tests/fixtures/dev/*.txt "${pages[@]}"
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    QUOTEWIRE_BASE="http://127.0.0.1:$port"
    env -u QUOTEWIRE__AUTH__KEY_HASHES -u QUOTEWIRE__AUTH__PROTECT_READS -u QUOTEWIRE_DB \
        QUOTEWIRE_ADDR="127.0.0.1:$port" QUOTEWIRE__RATE_LIMIT__ENABLED=false \
        "$bin" serve --db "$fixture_server_dir/fixtures.db" 2>"$log" &
    fixture_server_pid=$!
    local _
    for _ in $(seq 1 300); do
        if python3 -c "import urllib.request as u; u.urlopen('$QUOTEWIRE_BASE/readyz', timeout=1)" 2>/dev/null; then
            return 0
        fi
        if ! fixture_server_alive; then
            cat "$log" >&2
            echo "the server exited before it was ready" >&2
            return 1
        fi
        sleep 0.1
    done
    echo "the server was not ready within 30 s (log: $log)" >&2
    return 1
}

fixture_server_alive() {
    [ -n "$fixture_server_pid" ] && kill -0 "$fixture_server_pid" 2>/dev/null
}

stop_fixture_server() {
    if fixture_server_alive; then
        kill "$fixture_server_pid"
        wait "$fixture_server_pid" 2>/dev/null || true
    fi
    fixture_server_pid=
    [ -z "$fixture_server_dir" ] || rm -rf "$fixture_server_dir"
}
