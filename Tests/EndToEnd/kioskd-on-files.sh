# Sourced by the end-to-end scripts that run the real kioskd on files (stations on file
# framebuffers, damaged storage): the binaries, the keypad recordings, a scratch folder $D
# removed at exit with any kioskd still running as $PID, and `fail`, which shows kioskd's log.
BIN=${BIN:-$(swift build --show-bin-path)}
REC=$PWD/Tests/KioskKeypadTests/Recordings
D=$(mktemp -d)
PID=""
cleanup() { [ -n "$PID" ] && kill -9 "$PID" 2>/dev/null || true; rm -rf "$D"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; echo "--- kioskd log"; cat "$D/kioskd.log" 2>/dev/null || true; exit 1; }
