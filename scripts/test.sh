#!/usr/bin/env bash
# The test command: makes sure PostgreSQL's server binaries are installed (the tests start their own throwaway server
# from them; see crates/rolegate-testpg), installing them from Debian's packages when they are missing, then runs
# every test of the workspace. Extra arguments go to `cargo test`, e.g. `scripts/test.sh -p rolegate-postgres`.
set -euo pipefail
cd "$(dirname "$0")/.."

# The same places, in the same order, as rolegate-testpg looks in.
postgres_bindir() {
  local dir candidates=()
  if [ -n "${ROLEGATE_PG_BINDIR:-}" ]; then
    candidates=("$ROLEGATE_PG_BINDIR")
  else
    if command -v pg_config >/dev/null 2>&1; then
      candidates+=("$(pg_config --bindir 2>/dev/null || true)")
    fi
    for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k4,4nr); do
      candidates+=("$dir")
    done
    if command -v initdb >/dev/null 2>&1; then
      candidates+=("$(dirname "$(readlink -f "$(command -v initdb)")")")
    fi
  fi
  for dir in "${candidates[@]}"; do
    if [ -n "$dir" ] && [ -x "$dir/initdb" ] && [ -x "$dir/postgres" ] && [ -x "$dir/pg_ctl" ] &&
      [ -x "$dir/createdb" ]; then
      echo "$dir"
      return 0
    fi
  done
  return 1
}

if ! bindir=$(postgres_bindir); then
  if [ -n "${ROLEGATE_PG_BINDIR:-}" ]; then
    echo "error: ROLEGATE_PG_BINDIR=$ROLEGATE_PG_BINDIR does not hold PostgreSQL's initdb, postgres, pg_ctl and createdb" >&2
    exit 1
  fi
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "PostgreSQL is not installed; installing it from Debian's packages (apt-get install postgresql)" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq postgresql >/dev/null
  else
    cat >&2 <<'MESSAGE'
error: the tests need PostgreSQL's server binaries (initdb, postgres, pg_ctl, createdb) and none are installed.
This script installs them only as root with apt-get. Install PostgreSQL with your system's packages
(Debian or Ubuntu: sudo apt-get install postgresql; Fedora: sudo dnf install postgresql-server; macOS: brew install
postgresql), or set ROLEGATE_PG_BINDIR to the directory that holds them, then run this script again.
MESSAGE
    exit 1
  fi
  if ! bindir=$(postgres_bindir); then
    echo "error: apt-get installed postgresql, but its server binaries are still not found (looked in pg_config --bindir, /usr/lib/postgresql/*/bin, PATH)" >&2
    exit 1
  fi
fi
echo "PostgreSQL for the tests: $bindir" >&2

exec cargo test --workspace "$@"
