#!/bin/sh
# The whole test suite: build with warnings as errors, unit/storage/renderer tests, then the
# end-to-end demo test in tmux. Fails on any failure (gate on exit codes, not on output).
set -eu
cd "$(dirname "$0")/.."
swift build --build-tests -Xswiftc -warnings-as-errors
swift test --skip-build
./Tests/EndToEnd/demo-in-tmux.sh
# Framebuffer stations: kioskd on file-backed framebuffers driven by evemu keypad recordings.
./Tests/EndToEnd/stations-on-file-framebuffers.sh
# A real kernel in QEMU: /dev/fb0, an evdev keyboard through QMP, a power cut (a few minutes).
./scripts/qemu-e2e.sh
# Operations: control socket, reload, systemd notify with the real daemon; unit hardening.
./Tests/EndToEnd/operations-in-tmux.sh
./systemd/check-security.sh
./scripts/test-central.sh   # central sync: kiosk-central on a throwaway PostgreSQL, real processes
echo "all tests passed"
