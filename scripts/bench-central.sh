#!/bin/sh
# Benchmark: one kiosk drains a 100,000-event backlog into kiosk-central (release builds), next
# to a plain COPY of the same rows. Prints figures (see README "Central sync"). Not part of
# `make test`. BENCH_EVENTS changes the size; BENCH_CONFIG=debug skips the long release builds.
set -eu
cd "$(dirname "$0")/.."
ROOT=$(pwd)
KIOSK_BUILD=${KIOSK_BUILD:-.build}
./scripts/setup-debian.sh
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
P=$(mktemp -d /tmp/kiosk-central-bench.XXXXXX)
PGPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$P/sock" "$P/work"
if [ "$(id -u)" -eq 0 ]; then chown -R postgres:postgres "$P"; chmod 755 "$P"; AS_PG="su postgres -c"; else AS_PG="sh -c"; fi
cleanup() { $AS_PG "$PGBIN/pg_ctl -D $P/data stop -m fast" >/dev/null 2>&1 || true; rm -rf "$P"; }
trap cleanup EXIT INT TERM
$AS_PG "$PGBIN/initdb -D $P/data -U postgres -A trust -E UTF8 --locale=C.UTF-8" >/dev/null
$AS_PG "$PGBIN/pg_ctl -D $P/data -l $P/server.log -w -o '-c listen_addresses=127.0.0.1 -p $PGPORT -k $P/sock' start" >/dev/null
CONFIG=${BENCH_CONFIG:-release}
swift build -c "$CONFIG" --package-path Central
swift build -c "$CONFIG" --scratch-path "$KIOSK_BUILD" --product kioskctl
swift build -c "$CONFIG" --scratch-path "$KIOSK_BUILD" --product kiosk-crash-probe
chmod 777 "$P/work"
echo "machine: $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg); PostgreSQL $($PGBIN/postgres --version | awk '{print $3}') with fsync on; $CONFIG builds"
PGPORT=$PGPORT CENTRAL="$ROOT/Central/.build/$CONFIG/kiosk-central" KIOSK_BIN="$ROOT/$KIOSK_BUILD/$CONFIG" WORK="$P/work" \
    python3 Tests/Central/bench_central.py
