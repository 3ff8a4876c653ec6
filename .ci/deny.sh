#!/usr/bin/env bash
# Dependencies: cargo-deny against deny.toml. Licences, bans and sources always run (they
# need only Cargo.lock and the crates.io index). Advisories need the RustSec database, a git
# repository on GitHub: checked when it can be fetched, and said loudly when it cannot.
#
#   .ci/deny.sh      # installs cargo-deny (crates.io, --locked) when missing
set -euo pipefail
cd "$(dirname "$0")/.."

version=0.20.2
if ! cargo deny --version 2>/dev/null | grep -qF "$version"; then
    cargo install cargo-deny --locked --version "$version"
fi

cargo deny check --hide-inclusion-graph licenses bans sources

advisory_db=https://github.com/rustsec/advisory-db
if timeout 30 git ls-remote "$advisory_db" HEAD >/dev/null 2>&1; then
    cargo deny check --hide-inclusion-graph advisories
else
    cat >&2 <<MSG
================================================================================
deny: ADVISORIES NOT CHECKED: the RustSec advisory database ($advisory_db)
deny: cannot be fetched from this machine (no route to GitHub). Licences, bans and
deny: sources passed; known vulnerabilities were NOT looked up in this run. Run
deny: 'cargo deny check advisories' where GitHub is reachable.
================================================================================
MSG
fi
