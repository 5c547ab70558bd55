#!/bin/sh
# make bench-reports: the year-long fleet report page (500 kiosks × 365 days by default) and the
# centre's peak RSS, with the old in-memory path as a baseline in the same run
# (scripts/bench-reports.py says how the fleet is seeded). Builds kiosk-central in release, the
# kiosk's kiosk-sim and kioskctl, and (BASELINE_COMMIT, default: the commit before day folds;
# empty: no baseline) the old kiosk-central in release from `git archive` into .build/bench-baseline
# (or BASELINE_CENTRAL: an old binary already built).
# Starts a throwaway PostgreSQL and stops it (and everything it started) at the end.
# KIOSKS, DAYS, SEED_DAYS, BASE_KIOSKS, BASE_DAYS: sizes.
set -eu
cd "$(dirname "$0")/.."
ROOT=$(pwd)
BASELINE_COMMIT=${BASELINE_COMMIT-66ec128}
./scripts/setup-debian.sh

swift build -c release --package-path Central --product kiosk-central
swift build --product kiosk-sim
swift build --product kioskctl
BASELINE_CENTRAL=${BASELINE_CENTRAL:-}
if [ -z "$BASELINE_CENTRAL" ] && [ -n "$BASELINE_COMMIT" ]; then
    B="$ROOT/.build/bench-baseline"
    if [ ! -x "$B/src/Central/.build/release/kiosk-central" ] || [ "$(cat "$B/COMMIT" 2>/dev/null)" != "$BASELINE_COMMIT" ]; then
        rm -rf "$B" && mkdir -p "$B"
        git archive --prefix=src/ "$BASELINE_COMMIT" | tar -x -C "$B"
        swift build -c release --package-path "$B/src/Central" --product kiosk-central
        echo "$BASELINE_COMMIT" > "$B/COMMIT"
    fi
    BASELINE_CENTRAL="$B/src/Central/.build/release/kiosk-central"
fi

PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
P=$(mktemp -d /tmp/kiosk-bench-reports.XXXXXX)
PGPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$P/sock" "$P/work"
if [ "$(id -u)" -eq 0 ]; then
    chown -R postgres:postgres "$P"
    chmod 755 "$P"
    AS_PG="su postgres -c"
else
    AS_PG="sh -c"
fi
cleanup() {
    $AS_PG "$PGBIN/pg_ctl -D $P/data stop -m fast" >/dev/null 2>&1 || true
    rm -rf "$P"
}
trap cleanup EXIT INT TERM
$AS_PG "$PGBIN/initdb -D $P/data -U postgres -A trust --no-sync -E UTF8 --locale=C.UTF-8" >/dev/null
$AS_PG "$PGBIN/pg_ctl -D $P/data -l $P/server.log -w -o '-c listen_addresses=127.0.0.1 -p $PGPORT -k $P/sock -c fsync=off' start" >/dev/null
chmod 777 "$P/work"
export PGPORT CENTRAL="$ROOT/Central/.build/release/kiosk-central" BASELINE_CENTRAL \
    KIOSK_BIN="$(swift build --show-bin-path)" WORK="$P/work"
python3 scripts/bench-reports.py
