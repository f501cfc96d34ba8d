#!/usr/bin/env bash
# Run the suite again on PostgreSQL + Redis (the set-up past one machine), when they are reachable:
# the tests that touch the database or the broker (marked `database` by tests/conftest.py); the
# others run the same code on either set-up, and the SQLite pass has run them. Browser tests drive
# an app of their own on SQLite, so they run in the SQLite pass only.
# Under CI=true they must be: a missing service fails the run instead of skipping it.
set -euo pipefail
cd "$(dirname "$0")/.."
PG_URL="${TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}"
REDIS="${TEST_REDIS_URL:-redis://127.0.0.1:6379/9}"

if ! .venv/bin/python scripts/services_up.py "$PG_URL" "$REDIS"; then
  if [ "${CI:-}" = "true" ]; then
    echo "PostgreSQL or Redis is not reachable, and CI=true requires the scale-out tests." >&2
    exit 1
  fi
  echo "SKIPPED: the PostgreSQL + Redis run (services not reachable; see above)."
  exit 0
fi
export DATABASE_URL="$PG_URL" REDIS_URL="$REDIS"
exec .venv/bin/python -m pytest -m "database and not browser" -p no:cacheprovider "$@"
