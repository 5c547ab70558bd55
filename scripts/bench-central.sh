#!/bin/sh
# Benchmark: one kiosk drains a 100,000-event backlog into kiosk-central (release builds), next
# to a plain COPY of the same rows. Prints figures (see README "Central sync"). Not part of
# `make test`. BENCH_EVENTS changes the size; BENCH_CONFIG=debug skips the long release builds.
set -eu
cd "$(dirname "$0")/.."
ROOT=$(pwd)
KIOSK_BUILD=${KIOSK_BUILD:-.build}
./scripts/setup-debian.sh
PG_NAME=central-bench
. ./scripts/throwaway-postgres.sh
pg_start
CONFIG=${BENCH_CONFIG:-release}
swift build -c "$CONFIG" --package-path Central
swift build -c "$CONFIG" --scratch-path "$KIOSK_BUILD" --product kioskctl
swift build -c "$CONFIG" --scratch-path "$KIOSK_BUILD" --product kiosk-crash-probe
echo "machine: $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg); PostgreSQL $($PGBIN/postgres --version | awk '{print $3}') with fsync on; $CONFIG builds"
PGPORT=$PGPORT CENTRAL="$ROOT/Central/.build/$CONFIG/kiosk-central" KIOSK_BIN="$ROOT/$KIOSK_BUILD/$CONFIG" WORK="$P/work" \
    python3 Tests/Central/bench_central.py
