#!/bin/sh
# The whole test suite: build with warnings as errors, unit/storage/renderer tests, then the
# end-to-end demo test in tmux. Fails on any failure (gate on exit codes, not on output).
set -eu
cd "$(dirname "$0")/.."
swift build --build-tests -Xswiftc -warnings-as-errors
swift test --skip-build
./Tests/EndToEnd/demo-in-tmux.sh
echo "all tests passed"
