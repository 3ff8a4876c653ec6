#!/usr/bin/env bash
# The docs page in a real browser: Debian's Chromium, driven by playwright-core from npm,
# against a live server holding the fixture articles (tests/browser/docs.mjs says what it
# checks). Installs Chromium (apt) and the npm packages when missing.
#
#   tests/browser/run.sh [BINARY]    # default target/debug/quotewire (built when missing)
#
# The screenshot is target/artifacts/docs.png; the server's log target/artifacts/docs-server.log.
set -euo pipefail
cd "$(dirname "$0")/../.."

bin=${1:-target/debug/quotewire}
if [ ! -x "$bin" ]; then
    cargo build --bin quotewire
fi
mkdir -p target/artifacts

if [ ! -x /usr/bin/chromium ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update
    apt-get install -y --no-install-recommends chromium
fi
if ! command -v node >/dev/null 2>&1; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nodejs npm
fi
wanted=$(node -p "require('./tests/browser/package.json').dependencies['playwright-core']")
installed=$(node -p "try { require('./tests/browser/node_modules/playwright-core/package.json').version } catch { '' }")
if [ "$installed" != "$wanted" ]; then
    (cd tests/browser && npm ci --no-audit --no-fund)
fi

# shellcheck source=../../.ci/lib/fixture-server.sh
. .ci/lib/fixture-server.sh
trap stop_fixture_server EXIT
start_fixture_server "$bin" target/artifacts/docs-server.log
node tests/browser/docs.mjs "$QUOTEWIRE_BASE"
