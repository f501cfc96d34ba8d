#!/usr/bin/env bash
# The whole suite on SQLite and, at the same time, its database and broker tests on PostgreSQL +
# Redis (scripts/test-scale-out.sh). The two passes share nothing: SQLite test files are named after
# their process, PostgreSQL has its own test database and Redis its own db, every server a test
# starts takes a free port. Much of the suite waits on subprocesses, so two passes fit two cores.
# The PostgreSQL pass writes to test-artifacts/scale-out.log, shown once the SQLite pass is done.
# Arguments go to both passes.
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p test-artifacts
SCALE_OUT_LOG=test-artifacts/scale-out.log

scripts/test-scale-out.sh "$@" >"$SCALE_OUT_LOG" 2>&1 &
scale_out=$!
trap 'kill "$scale_out" 2>/dev/null' INT TERM

.venv/bin/python -m pytest "$@"
sqlite_status=$?
wait "$scale_out"
scale_out_status=$?

echo
echo "===== PostgreSQL + Redis pass (scripts/test-scale-out.sh, exit $scale_out_status) ====="
cat "$SCALE_OUT_LOG"
if [ "$sqlite_status" -ne 0 ] || [ "$scale_out_status" -ne 0 ]; then
  echo "FAILED: SQLite pass exit $sqlite_status, PostgreSQL + Redis pass exit $scale_out_status" >&2
  exit 1
fi
