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

# CENTRAL_SCRATCH: kiosk-central's build folder (default Central/.build; another one keeps a
# release build apart from the debug build's lock).
CENTRAL_SCRATCH=${CENTRAL_SCRATCH:-Central/.build}
swift build -c release --package-path Central --scratch-path "$CENTRAL_SCRATCH" --product kiosk-central
# The same flags as make test, so the two share one debug build.
swift build -Xswiftc -warnings-as-errors --product kiosk-sim
swift build -Xswiftc -warnings-as-errors --product kioskctl
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

PG_NAME=bench-reports
. ./scripts/throwaway-postgres.sh
pg_start "-c fsync=off"
export PGPORT CENTRAL="$ROOT/$CENTRAL_SCRATCH/release/kiosk-central" BASELINE_CENTRAL \
    KIOSK_BIN="$(swift build --show-bin-path)" WORK="$P/work"
python3 scripts/bench-reports.py
