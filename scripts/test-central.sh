#!/bin/sh
# Central sync tests on a real PostgreSQL: starts a throwaway server (as in
# shared/notes/swift-on-linux.md), builds kiosk-central (Central/, its own SwiftPM package),
# runs its Swift Testing suites (protocol, security, OpenAPI contract), then the proof with real
# processes (Tests/Central/sync_proof.py: exactly once under restarts/cuts/SIGKILL, offline
# backlog, remote sync through kioskd). Stops PostgreSQL and every process it started.
#
# KIOSK_BUILD: the root package's build folder (default .build, as scripts/test.sh uses).
# EXACTLY_ONCE_EVENTS / OFFLINE_EVENTS: proof sizes (default 10000 / 50000).
# Arguments: only these proof parts (e.g. `tls_through_nginx`), after all the Swift tests;
# `cluster` only the two-process proof behind nginx (Tests/Central/cluster_proof.py);
# `desk` runs only the case desk's browser test (Tests/Central/desk_test.py), `cases` only the case
# loop (Tests/Central/case_loop.py; CASE_PROOF_CASES: cases lived under SIGKILLs, default 24 here),
# `loadtest` only the fleet load test's smoke run (scripts/loadtest.sh --smoke), `replica` only the
# report replica proof (Tests/Central/replica_proof.py, on a hot standby of the test server), `api`
# only schemathesis against the live centre (Tests/Central/api_fuzz.py).
set -eu
cd "$(dirname "$0")/.."
ROOT=$(pwd)
KIOSK_BUILD=${KIOSK_BUILD:-.build}
./scripts/setup-debian.sh
python3 -c 'import openapi_spec_validator, yaml' 2>/dev/null || python3 -m pip install -q openapi-spec-validator
python3 -c 'import selenium' 2>/dev/null || python3 -m pip install -q selenium
# schemathesis, pinned: what its checks demand changes between versions.
[ "$(python3 -c 'import importlib.metadata as m; print(m.version("schemathesis"))' 2>/dev/null)" = 4.32.5 ] ||
    python3 -m pip install -q schemathesis==4.32.5

PG_NAME=central-test
. ./scripts/throwaway-postgres.sh
pg_start
echo "test-central: PostgreSQL on 127.0.0.1:$PGPORT"

# Each part's time, so a slow one is easy to spot (as scripts/test.sh does for its steps).
timed() {
    part_started=$(date +%s)
    "$@"
    echo "== test-central $*: $(($(date +%s) - part_started)) s"
}

timed swift build --package-path Central --build-tests -Xswiftc -warnings-as-errors
# CENTRAL_SWIFT_TESTS=0: only the proofs asked for (make api-fuzz).
if [ "${CENTRAL_SWIFT_TESTS:-1}" != 0 ]; then
    KIOSK_CENTRAL_TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$PGPORT/postgres" \
        timed swift test --package-path Central --skip-build
fi

swift build --scratch-path "$KIOSK_BUILD" -Xswiftc -warnings-as-errors --product kioskctl
swift build --scratch-path "$KIOSK_BUILD" -Xswiftc -warnings-as-errors --product kioskd
swift build --scratch-path "$KIOSK_BUILD" -Xswiftc -warnings-as-errors --product kiosk-crash-probe
swift build --scratch-path "$KIOSK_BUILD" -Xswiftc -warnings-as-errors --product kiosk-sim
# The case proof's size in make test (`make case-proof` lives 200).
CASE_PROOF_CASES=${CASE_PROOF_CASES:-24}
export CASE_PROOF_CASES
export PGPORT CENTRAL="$ROOT/Central/.build/debug/kiosk-central" KIOSK_BIN="$ROOT/$KIOSK_BUILD/debug" WORK="$P/work"
if [ "$*" != desk ] && [ "$*" != cases ] && [ "$*" != loadtest ] && [ "$*" != cluster ] && [ "$*" != replica ] && [ "$*" != api ] && [ "$*" != restore ]; then
    timed python3 Tests/Central/sync_proof.py "$@"
fi
# kioskctl restore --from-central on a real kioskd's damaged, then lost, state folder: numbering
# goes on above every number given, the outbox drains through the declared loss.
if [ $# -eq 0 ] || [ "$*" = restore ]; then
    timed python3 Tests/Central/restore_proof.py
fi
# Two centre processes on one database behind nginx, a real kioskd: commands across processes
# within a second, a process SIGKILLed, revocation seen by the other process at once.
if [ $# -eq 0 ] || [ "$*" = cluster ]; then
    timed python3 Tests/Central/cluster_proof.py
fi
# schemathesis against a live centre, every check on, a kiosk and an admin token (a short seeded
# run; `make api-fuzz` runs a long one).
if [ $# -eq 0 ] || [ "$*" = api ]; then
    timed python3 Tests/Central/api_fuzz.py
fi
# Report pages read from a streaming replica (--report-database-url) once it has replayed the
# days they fold, else from the primary: a hot standby of the test server, paused and unreachable.
if [ $# -eq 0 ] || [ "$*" = replica ]; then
    timed pg_start_standby
    STANDBY_PGPORT=$STANDBY_PGPORT timed python3 Tests/Central/replica_proof.py
fi
# The case desk in headless Chromium through Selenium (screenshots in .artifacts/desk-*.png).
if [ $# -eq 0 ] || [ "$*" = desk ]; then
    timed python3 Tests/Central/desk_test.py
fi
# The whole case loop (kioskd, the centre, the desk in Chromium, the lobby lookup, figures,
# escalation) and cases exactly once under SIGKILLs (screenshots in .artifacts/case-loop-*.png).
if [ $# -eq 0 ] || [ "$*" = cases ]; then
    timed python3 Tests/Central/case_loop.py
fi
# The fleet load test's smoke run (its own PostgreSQL): 50 simulated kiosks on two centres behind
# nginx, long-polls, heartbeats, uploads and commands; fails on any error or undelivered command.
if [ $# -eq 0 ] || [ "$*" = loadtest ]; then
    timed ./scripts/loadtest.sh --smoke
fi
