#!/usr/bin/env bash
# Contract fuzzing: schemathesis, with every check on and every phase (examples, coverage,
# fuzzing, stateful), against a live quotewire server from the committed
# openapi/openapi.json. The server runs on a temporary database holding the seed, dev and
# HTML fixture articles, with rate limits off and no API key.
#
#   tests/contract/run.sh [BINARY]    # default target/debug/quotewire (built when missing)
#
# Environment: CONTRACT_MAX_EXAMPLES (test cases per operation and phase, default 100),
# CONTRACT_SEED (default 1; the same seed replays the same cases), CONTRACT_VENV (where
# schemathesis is installed, default target/contract-venv). Reports go to
# target/artifacts/contract/. Exits non-zero on any failed check, on a server that died or
# logged a panic.
set -euo pipefail
cd "$(dirname "$0")/../.."

bin=${1:-target/debug/quotewire}
if [ ! -x "$bin" ]; then
    cargo build --bin quotewire
fi
venv=${CONTRACT_VENV:-target/contract-venv}
artifacts=target/artifacts/contract
mkdir -p "$artifacts"

# schemathesis in its own virtual environment, reinstalled only when the pin changes.
wanted=$(grep -E '^schemathesis==' tests/contract/requirements.txt | cut -d= -f3)
if ! "$venv/bin/schemathesis" --version 2>/dev/null | grep -qF "version $wanted"; then
    if ! python3 -m venv --help >/dev/null 2>&1 || ! python3 -c 'import ensurepip' 2>/dev/null; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3-venv
    fi
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r tests/contract/requirements.txt
fi

# shellcheck source=../../.ci/lib/fixture-server.sh
. .ci/lib/fixture-server.sh
trap stop_fixture_server EXIT
start_fixture_server "$bin" "$artifacts/server.log"

status=0
PYTHONPATH=tests/contract SCHEMATHESIS_HOOKS=hooks \
    "$venv/bin/schemathesis" run openapi/openapi.json \
    --url "$QUOTEWIRE_BASE" \
    --checks all \
    --phases examples,coverage,fuzzing,stateful \
    --max-examples "${CONTRACT_MAX_EXAMPLES:-100}" \
    --seed "${CONTRACT_SEED:-1}" \
    --workers 1 \
    --baseline tests/contract/baseline.json \
    --request-timeout 30 \
    --report junit,har --report-dir "$artifacts" \
    --warnings off \
    --generation-database none \
    || status=$?

if ! fixture_server_alive; then
    echo "contract: the server died during the run (log: $artifacts/server.log)" >&2
    status=1
fi
if grep -q 'panicked' "$artifacts/server.log"; then
    grep -m 5 'panicked' "$artifacts/server.log" >&2
    echo "contract: the server panicked (log: $artifacts/server.log)" >&2
    status=1
fi
exit "$status"
