#!/bin/sh
# The real kioskd without --demo, with two stations on file-backed framebuffers (the same code
# path as /dev/fb0: RGB565 800×480 and XRGB8888 1920×1080 turned 90°) and evemu recordings as
# their keypads, and a waiting-room board (role = board, no keypad) on a third: the recorded keys
# must issue and call a ticket, the framebuffer files must hold a picture, the board must flash
# the call (its picture changes every second), the lobby's own printer (`printer =` in its
# [station], a file here) must get the ticket, `kioskctl screenshot` must write PNGs of the right
# size (drawn by the running kioskd, and after it stops, from the stored events, saying so), and
# SIGTERM must stop it. A missing recording is refused before anything starts.
set -eu
cd "$(dirname "$0")/../.."
. Tests/EndToEnd/kioskd-on-files.sh

: > "$D/lobby-lp0"  # the lobby's printer, a file standing in for /dev/usb/lp0
cat > "$D/kiosk.conf" <<CONF
[kiosk]
board-flash-seconds = 60

[station lobby]
role = lobby
display = file:$D/lobby.fb?width=800&height=480&bpp=16
keypad = evemu:$REC/lobby-take-ticket.evemu
printer = $D/lobby-lp0

[station desk-1]
role = counter 1
display = file:$D/desk1.fb?width=1920&height=1080&bpp=32
rotation = 90
keypad = evemu:$REC/counter-login-call.evemu

[station wall]
role = board
display = file:$D/board.fb?width=1920&height=1080&bpp=32
CONF
"$BIN/kioskd" --check-config "$D/kiosk.conf" >/dev/null || fail "the station config does not check"
# A missing recording: --check-config names its keypad line, and kioskd refuses to start (78, a
# configuration error) instead of failing later at the keypad (74).
sed "s|lobby-take-ticket.evemu|missing.evemu|" "$D/kiosk.conf" > "$D/missing.conf"
if "$BIN/kioskd" --check-config "$D/missing.conf" > "$D/check.out"; then fail "a missing recording passed --check-config"; fi
grep -qF "$D/missing.conf:7: [station lobby]: evemu recording $REC/missing.evemu does not exist; record one with evemu-record" "$D/check.out" \
    || fail "the missing recording is not named on its line: $(cat "$D/check.out")"
status=0
"$BIN/kioskd" --config "$D/missing.conf" --state-dir "$D/state-missing" --runtime-dir "$D" </dev/null >"$D/missing.log" 2>&1 || status=$?
[ "$status" = 78 ] || fail "kioskd with a missing recording exited $status, not 78: $(cat "$D/missing.log")"
"$BIN/kioskd" --config "$D/kiosk.conf" --state-dir "$D/state" --runtime-dir "$D" </dev/null >"$D/kioskd.log" 2>&1 &
PID=$!
# The recordings last about 6 s; wait for the call (at most 60 s).
i=0
until "$BIN/kioskctl" --state-dir "$D/state" --config "$D/kiosk.conf" events 2>/dev/null | grep -q "ticket.called"; do
    i=$((i + 1)); [ $i -le 120 ] || fail "no ticket was called from the recorded keys"
    kill -0 "$PID" 2>/dev/null || fail "kioskd exited"
    sleep 0.5
done
"$BIN/kioskctl" --state-dir "$D/state" --config "$D/kiosk.conf" events | grep -q "ticket.issued.*A001" || fail "A001 not issued"
# The lobby station's own printer got the ticket (ESC/POS: ESC @ first, the number as text).
[ "$(od -An -tx1 -N2 "$D/lobby-lp0" | tr -d ' \n')" = "1b40" ] || fail "the lobby's printer got no ESC/POS ticket"
grep -a "A001" "$D/lobby-lp0" >/dev/null || fail "the lobby's printer did not print A001"
sleep 1  # the redraw after the last key
[ "$(stat -c %s "$D/lobby.fb")" -eq $((800 * 480 * 2)) ] || fail "lobby.fb has the wrong size"
[ "$(stat -c %s "$D/desk1.fb")" -eq $((1920 * 1080 * 4)) ] || fail "desk1.fb has the wrong size"
[ "$(od -An -v -tx1 "$D/desk1.fb" | tr -d ' \n' | tr -d 0 | wc -c)" -gt 1000 ] || fail "desk1.fb holds no picture"
# The board flashes the call (board-flash-seconds = 60 here): its picture alternates every second.
sums=""
for _ in 1 2 3 4; do sums="$sums $(md5sum < "$D/board.fb" | cut -c1-32)"; sleep 0.6; done
[ "$(echo $sums | tr ' ' '\n' | sort -u | wc -l)" -ge 2 ] || fail "the board's picture did not change while flashing the call"
# The running daemon draws the screenshots (what it shows now, not what the stored events say).
"$BIN/kioskctl" --state-dir "$D/state" --config "$D/kiosk.conf" --runtime-dir "$D" screenshot desk-1 "$D/desk1.png" > "$D/shot.out" || fail "screenshot desk-1"
grep -q "as the running kioskd shows it now" "$D/shot.out" || fail "the screenshot did not come from the running kioskd: $(cat "$D/shot.out")"
"$BIN/kioskctl" --state-dir "$D/state" --config "$D/kiosk.conf" screenshot wall "$D/board.png" >/dev/null || fail "screenshot wall"
[ "$(od -An -tx1 -j16 -N8 "$D/board.png" | tr -d ' \n')" = "0000078000000438" ] || fail "board.png is not 1920×1080"
"$BIN/kioskctl" --state-dir "$D/state" --config "$D/kiosk.conf" screenshot lobby "$D/lobby.png" >/dev/null || fail "screenshot lobby"
# PNG IHDR: width and height at bytes 16–23.
[ "$(od -An -tx1 -j16 -N8 "$D/desk1.png" | tr -d ' \n')" = "0000043800000780" ] || fail "desk1.png is not 1080×1920"
[ "$(od -An -tx1 -j16 -N8 "$D/lobby.png" | tr -d ' \n')" = "00000320000001e0" ] || fail "lobby.png is not 800×480"
kill -TERM "$PID"
i=0
while kill -0 "$PID" 2>/dev/null; do i=$((i + 1)); [ $i -le 40 ] || fail "kioskd ignored SIGTERM"; sleep 0.25; done
wait "$PID" || fail "kioskd exited with an error after SIGTERM"
PID=""
grep -q "evemu recording finished" "$D/kioskd.log" || fail "the recordings did not finish"
# No daemon now: drawn from the stored events, and said so.
"$BIN/kioskctl" --state-dir "$D/state" --config "$D/kiosk.conf" --runtime-dir "$D" screenshot desk-1 "$D/stored.png" > "$D/shot.out" || fail "screenshot without kioskd"
grep -q "kioskd is not running (no daemon at $D/control.sock): drawn from the stored events as of event #" "$D/shot.out" \
    || fail "a screenshot without kioskd does not say it shows the stored state: $(cat "$D/shot.out")"
echo "stations on file framebuffers: ok (ticket issued from a recorded keypad, printed on its station's printer, called; framebuffers drawn, the board flashing the call, screenshots written)"
