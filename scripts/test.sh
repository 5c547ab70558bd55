#!/bin/sh
# The whole test suite: build with warnings as errors, unit/storage/renderer tests, then the
# end-to-end tests. Fails on any failure (gates on exit codes, not on output) and prints how long
# each step took, so a slow step is easy to spot.
set -eu
cd "$(dirname "$0")/.."

step() {
    name=$1
    shift
    started=$(date +%s)
    "$@"
    echo "== $name: $(($(date +%s) - started)) s"
}

step "build (-warnings-as-errors)" swift build --build-tests -Xswiftc -warnings-as-errors
step "swift test" swift test --skip-build
# libFuzzer, 5 s on each reader of untrusted text (make fuzz runs 10 minutes each); its own
# sanitised -Onone build of only the modules those readers need (about 30 s from nothing).
step "fuzz smoke" ./scripts/fuzz.sh smoke
# One seed of the simulated busy day through the real core and store: nothing lost, numbers never
# repeated, an estimate on every ticket, kiosk-sim's figures equal to kioskctl report's.
step "kiosk-sim smoke" ./Tests/EndToEnd/sim-smoke.sh
# kiosk-bench (debug build) runs to the end with every figure, and its --write-layouts (what
# make bench-lvgl draws with LVGL) holds the screens it draws.
step "kiosk-bench smoke" ./Tests/EndToEnd/bench-smoke.sh
step "demo in tmux" ./Tests/EndToEnd/demo-in-tmux.sh
# Framebuffer stations: kioskd on file-backed framebuffers driven by evemu keypad recordings.
step "stations on file framebuffers" ./Tests/EndToEnd/stations-on-file-framebuffers.sh
# Damaged state folders (lost WAL, garbage, dropped table, emptied file): refused, named, restored.
step "storage damage" ./Tests/EndToEnd/storage-damage.sh
# A real kernel in QEMU: two framebuffers, two USB keypads through QMP, a VT switch, a power cut.
step "QEMU end to end" ./scripts/qemu-e2e.sh
# The shipped unit under a real systemd in QEMU: notify, hardening, watchdog, restarts, restore-vt.
step "systemd in QEMU" ./scripts/qemu-systemd.sh
# Operations: control socket, reload, systemd notify with the real daemon; unit hardening.
step "operations in tmux" ./Tests/EndToEnd/operations-in-tmux.sh
step "systemd hardening" ./systemd/check-security.sh
# The Debian package (static release binaries, shared with the QEMU steps' build) installed into
# a clean debootstrap root with apt; kioskd --check-config there. The root is cached after the
# first run (~/.cache/kiosk).
step "Debian package" sh -c 'KIOSK_DEB_SCRATCH=.build ./scripts/make-deb.sh && ./scripts/test-deb.sh'
# The release kioskd just built for the package, started for real twice (make kioskd-memory: five
# starts): it says READY=1 after its first frame, and its resident memory is printed.
step "kioskd memory smoke" ./scripts/kioskd-memory.py 2
# The same on two busy days of history written by kiosk-sim (make kioskd-memory: a week): the
# replay and the quiet hours read row by row.
step "kioskd memory smoke, with history" sh -c 'H=$(mktemp -d) && trap "rm -rf $H" EXIT &&
    "$(swift build --show-bin-path)/kiosk-sim" Kiosk/scenarios/busy-day.scenario --seed 1 --warm-up 0 --days 2 --state-dir "$H" >/dev/null &&
    ./scripts/kioskd-memory.py 1 --history "$H/seed-1/kiosk.sqlite"'
# Central sync: kiosk-central on a throwaway PostgreSQL, real processes.
# (Building Central/'s dependencies takes 5–9 minutes of it; building them in the background on
# one core during QEMU made the whole run slower, so it stays in sequence.)
step "central sync" ./scripts/test-central.sh
echo "all tests passed"
