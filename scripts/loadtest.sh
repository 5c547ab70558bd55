#!/bin/sh
# Fleet load test (README "Fleet load test"): a throwaway PostgreSQL with pg_stat_statements, then
# scripts/loadtest.py runs each size on a fresh database with 1 and 2 kiosk-central processes (two
# behind nginx, Tests/Central/cluster.py) and prints one table row per size. Not part of make test.
#
# CENTRAL: the kiosk-central binary (default Central/.build/release/kiosk-central; built by
#   `make loadtest`, not here). LOADTEST_SIZES (default "100 1000 2000 5000"), LOADTEST_SECONDS
#   (measuring window, default 60), LOADTEST_PROCESSES (default "1 2"), LOADTEST_FLAGS (more
#   loadtest.py options, e.g. "--idle 40 --commands 5"). LOADTEST_BASELINE: an older kiosk-central
#   measured in the same run, one process, at LOADTEST_BASELINE_SIZES (default "100 1000 2000").
# --smoke: 50 kiosks, 2 processes behind nginx, short phases and intervals (about 20 s); exits 1
#   on any error or undelivered command (scripts/test-central.sh calls it; CENTRAL defaults to the
#   debug build there).
set -eu
cd "$(dirname "$0")/.."
ROOT=$(pwd)
SMOKE=0
[ "${1:-}" = --smoke ] && SMOKE=1
if [ $SMOKE -eq 1 ]; then
    CENTRAL=${CENTRAL:-$ROOT/Central/.build/debug/kiosk-central}
else
    CENTRAL=${CENTRAL:-$ROOT/Central/.build/release/kiosk-central}
fi
[ -x "$CENTRAL" ] || { echo "loadtest: $CENTRAL is not built; run 'swift build --package-path Central -c release' (make loadtest does) or set CENTRAL" >&2; exit 1; }
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || ./scripts/setup-debian.sh
PG_NAME=loadtest
. ./scripts/throwaway-postgres.sh
# fsync stays on (as in production); max_connections covers 2 processes x 16 pooled connections.
pg_start "-c shared_preload_libraries=pg_stat_statements -c max_connections=200"
if [ $SMOKE -eq 1 ]; then
    set -- --sizes 50 --processes 2 --warmup 3 --seconds 6 --drain 2 --idle 3 --heartbeat 3 --upload 4 --commands 4 --smoke
else
    set -- --sizes "${LOADTEST_SIZES:-100 1000 2000 5000}" --processes "${LOADTEST_PROCESSES:-1 2}" \
        --seconds "${LOADTEST_SECONDS:-60}"
    # The old centre measured the same way in the same run (the build before LISTEN/NOTIFY:
    # scripts/bench-reports.sh builds 66ec128 into .build/bench-baseline).
    if [ -n "${LOADTEST_BASELINE:-}" ]; then
        set -- "$@" --baseline-central "$LOADTEST_BASELINE" --baseline-sizes "${LOADTEST_BASELINE_SIZES:-100 1000 2000}"
    fi
fi
echo "loadtest: $CENTRAL; PostgreSQL $($PGBIN/postgres --version | awk '{print $3}') on 127.0.0.1:$PGPORT"
rc=0
# shellcheck disable=SC2086
python3 scripts/loadtest.py --pg-port "$PGPORT" --central "$CENTRAL" --work "$P/work" "$@" ${LOADTEST_FLAGS:-} || rc=$?
if [ $rc -ne 0 ]; then
    # The work folder goes with the cleanup: show what the centres and nginx said first.
    for f in "$P"/work/*/centre-*.log "$P"/work/*/nginx/nginx-error.log; do
        [ -s "$f" ] && { echo "== ${f#"$P/work/"} (last lines)"; tail -n 15 "$f"; }
    done >&2
fi
exit $rc
