#!/bin/sh
# Writes packaging/first-frame.order: the functions of the static binaries that a start runs,
# which Package.swift's leanStart asks lld to lay out side by side (--symbol-ordering-file). The
# kernel maps 64 kB of code around every page a process touches, so the start's code spread over
# the whole binary kept most of it resident. First the functions kiosk-bench's first-frame child
# runs (exec, replay, fonts, first frame, settled frame) with those the real kioskd runs until it
# says READY=1 (one lobby on a file framebuffer, a restart on an existing state folder:
# configuration, storage, the control socket, the first frames), then those it runs besides in
# its first 20 s (the backup thread, the clock's redraws). Run after
# changes to what a start does (a stale list costs memory, never correctness); kioskd's part
# varies a little between runs (what its clock and backup thread did in those 20 s), so keep a new
# list only when `make kioskd-memory` and kiosk-bench's first-frame peak say it is no worse:
#   swift build -c release --static-swift-stdlib --product kiosk-bench --product kioskd && HISTORY=DB scripts/first-frame-order.sh
# then delete .build/release/kiosk-bench and kioskd and build them again (SwiftPM does not
# relink when only this file changed).
set -eu
cd "$(dirname "$0")/.."
BENCH=${BENCH:-.build/release/kiosk-bench}
KIOSKD=${KIOSKD:-.build/release/kioskd}
for b in "$BENCH" "$KIOSKD"; do
    [ -x "$b" ] || { echo "$b is missing: swift build -c release --static-swift-stdlib --product kiosk-bench --product kioskd" >&2; exit 2; }
done
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
"$BENCH" --write-events "$WORK/events"
"$BENCH" --first-frame --events "$WORK/events" --glyph-cache "$WORK/glyphs"  # writes the glyph cache, as a kiosk's later starts have it
valgrind --tool=callgrind --demangle=no --callgrind-out-file="$WORK/callgrind" \
    "$BENCH" --first-frame --events "$WORK/events" --glyph-cache "$WORK/glyphs" 2>/dev/null
# The real daemon: a first start makes the state folder, the next ones (what a power cut
# causes) run under callgrind: until it says READY=1 (through NOTIFY_SOCKET, as under systemd),
# on the new state folder and then on the history given, and once for 20 s; SIGTERM makes
# callgrind write.
printf '[station lobby]\nrole = lobby\ndisplay = file:%s/lobby.fb?width=1920&height=1080&bpp=32\n' "$WORK" > "$WORK/kiosk.conf"
set -- "$KIOSKD" --config "$WORK/kiosk.conf" --state-dir "$WORK/state" --runtime-dir "$WORK"
timeout -s TERM 3 "$@" </dev/null >/dev/null 2>&1 || true
ready_run() {  # $1: the callgrind file, then the command: kioskd under callgrind until it says READY=1
out=$1
shift
python3 - "$WORK" "$out" "$@" <<'PY'
import os, socket, subprocess, sys
work, out, command = sys.argv[1], sys.argv[2], sys.argv[3:]
notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
path = os.path.join(work, "notify")
if os.path.exists(path):
    os.unlink(path)
notify.bind(path)
notify.settimeout(120)
daemon = subprocess.Popen(["valgrind", "--tool=callgrind", "--demangle=no", "--callgrind-out-file=" + os.path.join(work, out)] + command,
                          stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                          env=dict(os.environ, NOTIFY_SOCKET=path))
try:
    while b"READY=1" not in notify.recv(4096):
        pass
finally:
    daemon.terminate()
    daemon.wait()
PY
}
ready_run callgrind-ready-empty "$@"
# HISTORY=DB: start on a copy of a stored history (a kiosk after weeks of service replays seven
# days), e.g. a week kiosk-sim wrote (scripts/kioskd-memory.py's doc says how).
if [ -n "${HISTORY:-}" ]; then
    rm -f "$WORK/state/kiosk.sqlite" "$WORK/state/kiosk.sqlite-wal" "$WORK/state/kiosk.sqlite-shm" "$WORK/state/kiosk.sqlite.mark"
    for suffix in "" -wal .mark; do
        if [ -f "$HISTORY$suffix" ]; then cp "$HISTORY$suffix" "$WORK/state/kiosk.sqlite$suffix"; fi
    done
fi
ready_run callgrind-ready "$@"
timeout -s TERM 20 valgrind --tool=callgrind --demangle=no --callgrind-out-file="$WORK/callgrind-kioskd" "$@" </dev/null >/dev/null 2>&1 || true
for run in callgrind-ready-empty callgrind-ready callgrind-kioskd; do
    [ -s "$WORK/$run" ] || { echo "callgrind wrote nothing for kioskd ($run)" >&2; exit 1; }
done
# The functions of the binary ($2) that the run in $1 executed, sorted.
functions() {
python3 - "$1" "$2" <<'PY'
import re, sys
objects, names, functions, current = {}, {}, set(), None
for line in open(sys.argv[1], errors="replace"):
    m = re.match(r"^(ob|cob|fn|cfn)=\((\d+)\)(?: (.*))?$", line.rstrip("\n"))
    if not m:
        continue
    kind, index, name = m.groups()
    if kind in ("ob", "cob"):
        if name:
            objects[index] = name
        if kind == "ob":
            current = objects.get(index)
    else:
        if name:
            names[index] = name
        if kind == "fn" and current == sys.argv[2] and not names[index].startswith("0x"):
            functions.add(names[index])
print("\n".join(sorted(functions)))
PY
}
functions "$WORK/callgrind" "$(readlink -f "$BENCH")" > "$WORK/bench.order"
functions "$WORK/callgrind-ready-empty" "$(readlink -f "$KIOSKD")" > "$WORK/ready.order"
functions "$WORK/callgrind-ready" "$(readlink -f "$KIOSKD")" > "$WORK/history.order"
functions "$WORK/callgrind-kioskd" "$(readlink -f "$KIOSKD")" > "$WORK/kioskd.order"
# What every start runs (kioskd to READY=1 on a new state folder, the bench's first frame) side
# by side, then what a start with history runs besides, then what kioskd runs later in its
# first 20 s: each start's code as close together as it can be.
LC_ALL=C sort -u "$WORK/ready.order" "$WORK/bench.order" > "$WORK/start.order"
LC_ALL=C comm -23 "$WORK/history.order" "$WORK/start.order" > "$WORK/history-only.order"
LC_ALL=C sort -u "$WORK/start.order" "$WORK/history-only.order" > "$WORK/both.order"
{ cat "$WORK/start.order" "$WORK/history-only.order"; LC_ALL=C comm -23 "$WORK/kioskd.order" "$WORK/both.order"; } > packaging/first-frame.order
echo "packaging/first-frame.order: $(wc -l < "$WORK/start.order") functions of a start (kioskd to READY=1: $(wc -l < "$WORK/ready.order"), the bench's first frame: $(wc -l < "$WORK/bench.order")), $(wc -l < "$WORK/history-only.order") more with history, then $(($(wc -l < packaging/first-frame.order) - $(wc -l < "$WORK/both.order"))) more of kioskd's first 20 s"
