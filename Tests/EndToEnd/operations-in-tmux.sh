#!/usr/bin/env bash
# End to end, operations: the real `kioskd --demo` in tmux as systemd would run it (NOTIFY_SOCKET,
# WATCHDOG_USEC pointing at a datagram socket this script owns), driven by the real `kioskctl`
# through the control socket: READY=1 after the first frame, WATCHDOG=1 pings, operator commands,
# a broken config rejected on `reload` and on SIGHUP while the daemon carries on, STOPPING=1 and
# the socket removed on SIGTERM, and `kioskctl status` falling back to the state folder; also
# `kioskctl --state-dir` alone finding the demo's socket, and a hostile request logged escaped.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${KIOSK_BIN:-$(swift build --show-bin-path)}
DIR=$(mktemp -d)
SOCK=kiosk-ops-$$
T="tmux -L $SOCK"
RECEIVER=""
cleanup() {
    $T kill-server 2>/dev/null || true
    [ -n "$RECEIVER" ] && kill "$RECEIVER" 2>/dev/null || true
    rm -rf "$DIR"
}
trap cleanup EXIT
fail() {
    echo "FAIL: $*" >&2
    echo "--- notify datagrams ---" >&2; cat "$DIR/notify.log" >&2 || true
    echo "--- kioskd log ---" >&2; cat "$DIR/kioskd.log" "$DIR/stderr.log" >&2 2>/dev/null || true
    exit 1
}
ctl() { "$BIN/kioskctl" --state-dir "$DIR" --runtime-dir "$DIR" --config "$DIR/good.conf" "$@"; }
# wait_file FILE TEXT: until FILE contains TEXT (10 s).
wait_file() {
    for _ in $(seq 100); do grep -qF -- "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
    fail "$1 never contained '$2'"
}

cp Kiosk/kiosk.conf "$DIR/kiosk.conf"; cp Kiosk/kiosk.conf "$DIR/good.conf"
# systemd's side of the notify protocol: a datagram socket; one line per datagram (newlines as |).
python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.bind(sys.argv[1])
with open(sys.argv[2], "a") as log:
    while True:
        log.write(s.recv(4096).decode().replace("\n", "|") + "\n"); log.flush()
' "$DIR/notify.sock" "$DIR/notify.log" &
RECEIVER=$!
for _ in $(seq 50); do [ -S "$DIR/notify.sock" ] && break; sleep 0.1; done

$T new-session -d -s ops -x 160 -y 48 \
    "NOTIFY_SOCKET=$DIR/notify.sock WATCHDOG_USEC=400000 $BIN/kioskd --demo --state-dir $DIR --runtime-dir $DIR --config $DIR/kiosk.conf 2>>$DIR/stderr.log; echo kioskd-exited-\$? > $DIR/exit; sleep 30"
wait_file "$DIR/notify.log" "READY=1|STATUS=serving kiosk kiosk-01"
wait_file "$DIR/notify.log" "WATCHDOG=1"
[ "$(stat -c %a "$DIR/control.sock")" = 660 ] || fail "control.sock is not mode 0660"

ctl status | grep "Daemon: running" >/dev/null || fail "status does not show the running daemon"
ctl weather rain | grep "weather is rain" >/dev/null || fail "weather rain not applied"
if ctl counter open 1 2>"$DIR/err"; then fail "opening a counter without staff was accepted"; fi
grep -q "no staff is logged in at counter 1" "$DIR/err" || fail "refusal not explained: $(cat "$DIR/err")"
if ctl sync 2>"$DIR/err"; then :; fi
grep -q "sync not configured" "$DIR/err" || grep -qi "sync" "$DIR/err" || fail "sync gave no answer"
ctl events --json | grep '"type":"weather.set"' >/dev/null || fail "weather.set not stored"
# A screenshot comes from the running daemon (its screen now), as a PNG of the asked size.
ctl screenshot counter 1 "$DIR/counter1.png" --size 1080x1920 > "$DIR/shot" || fail "screenshot from the demo daemon: $(cat "$DIR/shot")"
grep -q "as the running kioskd shows it now" "$DIR/shot" || fail "the screenshot did not come from kioskd: $(cat "$DIR/shot")"
[ "$(od -An -tx1 -j16 -N8 "$DIR/counter1.png" | tr -d ' \n')" = "0000043800000780" ] || fail "counter1.png is not 1080×1920"

# kioskctl finds a demo daemon's socket from its state folder alone (no --runtime-dir).
"$BIN/kioskctl" --state-dir "$DIR" weather hot | grep "weather is hot" >/dev/null || fail "kioskctl --state-dir alone did not reach the demo daemon"
# A hostile client: escape sequences, a NUL and a forged priority prefix reach the log escaped.
python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
s.sendall(b"counter \x1b[2J\x1b]0;pwned\x07\x00<3>kioskd:forged 2\n"); s.recv(4096)
' "$DIR/control.sock"
wait_file "$DIR/stderr.log" 'refused a malformed request: counter '"'"'\u{1B}[2J\u{1B}]0;pwned\u{7}\u{0}<3>kioskd:forged'"'"
python3 -c 'import sys; d = open(sys.argv[1], "rb").read(); sys.exit(b"\x1b" in d or b"\x00" in d or b"\x07" in d)' "$DIR/stderr.log" \
    || fail "a control character from a client reached the log"

# A broken configuration: `reload` and SIGHUP are both rejected, the daemon keeps serving.
sed -i 's/^phone = .*/&\nprefx = Z/' "$DIR/kiosk.conf"
if "$BIN/kioskctl" --runtime-dir "$DIR" reload 2>"$DIR/err"; then fail "a broken config was accepted"; fi
grep -q "unknown key 'prefx'" "$DIR/err" || fail "reload error does not name the bad key: $(cat "$DIR/err")"
PID=$(pgrep -f "kioskd --demo --state-dir $DIR" | while read -r p; do [ "$(cat /proc/$p/comm)" = kioskd ] && echo "$p"; done | head -1)
[ -n "$PID" ] || fail "kioskd pid not found"
kill -HUP "$PID"
wait_file "$DIR/stderr.log" "<3>reload rejected, the running configuration stays:"
ctl status | grep "last reload: rejected" >/dev/null || fail "status does not show the rejected reload"
ctl weather clear | grep "weather is clear" >/dev/null || fail "daemon stopped answering after a rejected reload"
# (Backup file names carry the time, which may read …T012345Z: not a PIN.)
sed 's/kiosk-[a-z]*-[0-9]*T[0-9]*Z\.sqlite//g' "$DIR/stderr.log" | grep -n "1234" && fail "a PIN-looking value reached the log"

# SIGTERM: STOPPING=1, socket gone, clean exit; status then reads the state folder alone.
kill -TERM "$PID"
wait_file "$DIR/notify.log" "STOPPING=1"
wait_file "$DIR/exit" "kioskd-exited-0"
[ -e "$DIR/control.sock" ] && fail "control.sock left behind"
ctl status | grep "Daemon: not reachable" >/dev/null || fail "status without daemon"
echo "operations-in-tmux: ok ($(grep -c WATCHDOG=1 "$DIR/notify.log") watchdog pings)"
