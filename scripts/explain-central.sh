#!/bin/sh
# The plans of kiosk-central's hot statements at fleet size (docs/central.md "Hot queries and
# their plans"): a throwaway PostgreSQL logging as JSON (jsonlog, for auto_explain's JSON plans),
# then scripts/explain_central.py seeds a centre database, runs the real centre under the load
# generator with auto_explain on for that database, and prints one plan per distinct statement.
# Not part of make test (a few minutes, most of it seeding 2 M events).
#
# CENTRAL: the kiosk-central binary (default Central/.build/debug/kiosk-central; plans do not
#   depend on the build). EXPLAIN_OUT: also write the markdown there. EXPLAIN_FLAGS: more
#   explain_central.py options (e.g. "--kiosks 1000 --events-per-kiosk 100" for a quick look).
#   EXPLAIN_TRY_SQL: SQL run after seeding, before ANALYZE (a candidate index, to see its plans
#   before writing its migration). EXPLAIN_LOG: keep the server's JSON log (every plan) there.
set -eu
cd "$(dirname "$0")/.."
ROOT=$(pwd)
CENTRAL=${CENTRAL:-$ROOT/Central/.build/debug/kiosk-central}
[ -x "$CENTRAL" ] || { echo "explain-central: $CENTRAL is not built; run 'swift build --package-path Central' or set CENTRAL" >&2; exit 1; }
PG_NAME=explain
pg_before_cleanup() { [ -z "${EXPLAIN_LOG:-}" ] || cp "$P/log/postgresql.json" "$EXPLAIN_LOG" 2>/dev/null; }
. ./scripts/throwaway-postgres.sh
[ -f "$($PGBIN/pg_config --pkglibdir 2>/dev/null || echo /usr/lib/postgresql/15/lib)/auto_explain.so" ] ||
    [ -f "$(dirname "$PGBIN")/lib/auto_explain.so" ] ||
    { echo "explain-central: auto_explain is not installed with $PGBIN (it ships in the postgresql package)" >&2; exit 1; }
# jsonlog needs the logging collector; one file, never rotated, so the plans are read in one go.
pg_start "-c logging_collector=on -c log_destination=jsonlog -c log_directory=$P/log -c log_filename=postgresql \
    -c log_rotation_size=0 -c log_rotation_age=0 -c max_wal_size=4GB -c maintenance_work_mem=256MB"
echo "explain-central: $CENTRAL; PostgreSQL $($PGBIN/postgres --version | awk '{print $3}') on 127.0.0.1:$PGPORT" >&2
# shellcheck disable=SC2086
python3 scripts/explain_central.py --pg-port "$PGPORT" --central "$CENTRAL" --work "$P/work" \
    --log "$P/log/postgresql.json" ${EXPLAIN_OUT:+--out "$EXPLAIN_OUT"} \
    ${EXPLAIN_TRY_SQL:+--try-sql "$EXPLAIN_TRY_SQL"} ${EXPLAIN_FLAGS:-}
