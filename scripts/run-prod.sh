#!/usr/bin/env bash
# Production processes on this host: gunicorn (web), `manage.py qcluster` and `manage.py runticker`
# (workers and the ticker that hands them due jobs), or all three.
#   ROLE=both|web|worker   (default both; several hosts: ROLE=web on web hosts, ROLE=worker on workers;
#                          every worker host runs a ticker: their claims never take one job twice)
#   BIND=127.0.0.1:8000    gunicorn's address (put the reverse proxy in front of it)
#   WEB_WORKERS=2 WEB_THREADS=4   gunicorn processes and threads per process
#   WEB_KEEPALIVE=75       seconds gunicorn keeps an idle connection open: longer than the proxy's
#                          or client's own idle time (nginx upstream and AWS ALB: 60 s), or a request
#                          sent on a connection gunicorn is closing at that moment gets "closed
#                          without response" (docs/benchmarks.md, pages: third pass)
#   WORKER_NICE=10         the task cluster's and the ticker's niceness: on a host that also serves
#                          the web, a page or a form answers first and background work takes the CPU
#                          left over; 0 to share the CPU equally (under systemd: README, deployment)
# Settings come from the environment or .env, as for `make run`: set DJANGO_SECRET_KEY,
# DJANGO_ALLOWED_HOSTS, DATABASE_URL, REDIS_URL (and DJANGO_HTTPS=true behind TLS).
# Ctrl-C or SIGTERM stops everything it started (each in its own process group).
set -euo pipefail
cd "$(dirname "$0")/.."
# Everything these processes create (the SQLite database, stored photos, logs) is the server
# user's alone: other local users read no sessions, password hashes or photos.
umask 077
BIN=.venv/bin
ROLE=${ROLE:-both}
BIND=${BIND:-127.0.0.1:${PORT:-8000}}
case "$ROLE" in both | web | worker) ;; *) echo "ROLE must be both, web or worker, not '$ROLE'" >&2; exit 2 ;; esac

"$BIN/python" manage.py check --deploy --fail-level ERROR
if [ "$ROLE" != worker ]; then
  "$BIN/python" manage.py migrate --noinput
  "$BIN/python" manage.py collectstatic --noinput --verbosity 0
fi

pids=()
stop() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
  # qcluster can hang on SIGTERM (django-q2 issue #346): kill what is left after 20 s. No job is
  # lost: its state is in the database and the next cluster resumes it.
  for _ in $(seq 40); do
    alive=0
    for pid in "${pids[@]}"; do kill -0 -- "-$pid" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && return 0
    sleep 0.5
  done
  for pid in "${pids[@]}"; do kill -KILL -- "-$pid" 2>/dev/null || true; done
}
trap stop INT TERM EXIT

if [ "$ROLE" != worker ]; then
  setsid "$BIN/gunicorn" hitpaw_site.wsgi --bind "$BIND" --workers "${WEB_WORKERS:-2}" \
    --threads "${WEB_THREADS:-4}" --keep-alive "${WEB_KEEPALIVE:-75}" --access-logfile - --forwarded-allow-ips "${FORWARDED_ALLOW_IPS:-127.0.0.1}" &
  pids+=($!)
fi
if [ "$ROLE" != web ]; then
  setsid nice -n "${WORKER_NICE:-10}" "$BIN/python" manage.py qcluster &
  pids+=($!)
  setsid nice -n "${WORKER_NICE:-10}" "$BIN/python" manage.py runticker &
  pids+=($!)
fi
# The first process to end ends the rest: a half-running host is worse than a stopped one.
wait -n
