#!/bin/sh
# The real kioskd on a damaged state folder (issue 13, "Storage: detect, refuse, restore"), each
# case on real files: the -wal file deleted while kioskd runs then kill -9; 4 KB of random bytes
# in the middle of kiosk.sqlite; the tickets table dropped; a zero-length kiosk.sqlite. Each time
# kioskd must refuse the file (not replace it, not write to it), keep running with the neutral
# screen on its stations, say in the log what is wrong and what to do, and answer commands with
# why; kioskctl must name the damage (exit 65, never "no kiosk state"). Then restore: refused
# while kioskd runs, refused without --accept-loss when the backup lacks stored events, and after
# it kioskd starts normally on the restored file.
set -eu
cd "$(dirname "$0")/../.."
. Tests/EndToEnd/kioskd-on-files.sh
ctl() { "$BIN/kioskctl" --state-dir "$D/state" --config "$D/kiosk.conf" --runtime-dir "$D" "$@"; }

cat > "$D/kiosk.conf" <<CONF
[station lobby]
role = lobby
display = file:$D/lobby.fb?width=800&height=480&bpp=16
keypad = evemu:$REC/lobby-take-ticket.evemu
CONF
cat > "$D/quiet.conf" <<CONF
[station lobby]
role = lobby
display = file:$D/lobby.fb?width=800&height=480&bpp=16
CONF

start() {  # start CONFIG: kioskd in the background, log in $D/kioskd.log
    rm -f "$D/kioskd.log"  # not truncated by the background shell: the wait below must not see the last run's
    "$BIN/kioskd" --config "$1" --state-dir "$D/state" --runtime-dir "$D" </dev/null >"$D/kioskd.log" 2>&1 &
    PID=$!
    i=0
    until grep -q "control socket" "$D/kioskd.log" 2>/dev/null; do
        i=$((i + 1)); [ $i -le 80 ] || fail "kioskd did not open its control socket"
        kill -0 "$PID" 2>/dev/null || fail "kioskd exited"
        sleep 0.25
    done
}
stop() { kill -TERM "$PID"; wait "$PID" 2>/dev/null || true; PID=""; }
expect_refused() {  # expect_refused WHAT TEXT: kioskd runs, refuses, says TEXT and what to do
    kill -0 "$PID" 2>/dev/null || fail "$1: kioskd exited instead of refusing"
    grep -q "REFUSING the stored state" "$D/kioskd.log" || fail "$1: no REFUSING line in the log"
    grep -qF "$2" "$D/kioskd.log" || fail "$1: the log does not say '$2'"
    grep -q "kioskctl --state-dir $D/state check" "$D/kioskd.log" || fail "$1: the log does not say what to do"
    ctl weather clear >/dev/null 2>"$D/ctl.err" && fail "$1: a command was accepted while the state is refused"
    grep -q "refused at start" "$D/ctl.err" || fail "$1: the daemon's answer does not say why: $(cat "$D/ctl.err")"
    status=0
    ctl events >/dev/null 2>"$D/ctl.err" || status=$?
    [ "$status" = 65 ] || fail "$1: kioskctl events exited $status, not 65: $(cat "$D/ctl.err")"
    grep -q "no kiosk state" "$D/ctl.err" && fail "$1: kioskctl blames the state dir: $(cat "$D/ctl.err")"
    status=0
    ctl check >"$D/check.out" 2>&1 || status=$?
    [ "$status" = 65 ] || fail "$1: kioskctl check exited $status, not 65"
    grep -q "DAMAGED" "$D/check.out" || fail "$1: kioskctl check does not say DAMAGED: $(cat "$D/check.out")"
}

# 1. The -wal file deleted while kioskd runs, then kill -9.
start "$D/kiosk.conf"
i=0
until ctl events 2>/dev/null | grep -q "ticket.issued"; do
    i=$((i + 1)); [ $i -le 120 ] || fail "no ticket was issued from the recorded keys"
    sleep 0.5
done
ctl backup "$D/before.sqlite" >/dev/null || fail "kioskctl backup while kioskd runs"
sleep 6  # the rest of the recording
rm -f "$D/state/kiosk.sqlite-wal"
kill -9 "$PID"; wait "$PID" 2>/dev/null || true; PID=""
start "$D/quiet.conf"
expect_refused "lost WAL" "are lost"
# Restore: refused while kioskd runs, refused without --accept-loss when events would be lost.
status=0; ctl restore "$D/before.sqlite" >/dev/null 2>"$D/ctl.err" || status=$?
[ "$status" = 75 ] || fail "restore while kioskd runs exited $status, not 75: $(cat "$D/ctl.err")"
stop
last_before=$(sqlite3 "$D/before.sqlite" "SELECT MAX(seq) FROM events")
status=0; ctl restore "$D/before.sqlite" >/dev/null 2>"$D/ctl.err" || status=$?
if [ "$(cat "$D/state/kiosk.sqlite.mark" | awk '{print $4}')" -gt "$last_before" ]; then
    [ "$status" = 65 ] || fail "a backup lacking stored events was restored without --accept-loss"
    grep -q "accept-loss" "$D/ctl.err" || fail "the refusal does not mention --accept-loss: $(cat "$D/ctl.err")"
fi
ctl restore "$D/before.sqlite" --accept-loss > "$D/restore.out" || fail "restore --accept-loss"
ls "$D/state" | grep -q "kiosk.sqlite.damaged-" || fail "the previous file was not kept aside"
start "$D/quiet.conf"
grep -q "REFUSING" "$D/kioskd.log" && fail "kioskd refused the restored file"
ctl check >/dev/null || fail "kioskctl check on the restored file"
stop

# 2. 4 KB of random bytes in the middle of kiosk.sqlite (after enough rows to have a middle).
sqlite3 "$D/state/kiosk.sqlite" "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)
    INSERT INTO sync_receipts SELECT 1000000 + i, '2026-12-03T08:00:00Z', '2026-12-03T08:00:00Z', 0 FROM n"
size=$(stat -c %s "$D/state/kiosk.sqlite")
dd if=/dev/urandom of="$D/state/kiosk.sqlite" bs=4096 seek=$((size / 2 / 4096)) count=1 conv=notrunc 2>/dev/null
sum=$(md5sum < "$D/state/kiosk.sqlite")
start "$D/quiet.conf"
expect_refused "4 KB of garbage" "is damaged"
stop
[ "$(md5sum < "$D/state/kiosk.sqlite")" = "$sum" ] || fail "kioskd wrote to the damaged file"
ctl restore "$(ls -d "$D"/state/backups/kiosk-*.sqlite | tail -1)" --accept-loss >/dev/null || fail "restore a daily backup"

# 3. The tickets table dropped.
sqlite3 "$D/state/kiosk.sqlite" "DROP TABLE tickets"
start "$D/quiet.conf"
expect_refused "dropped table" "lacks the table tickets"
stop

# 4. A zero-length kiosk.sqlite.
: > "$D/state/kiosk.sqlite"
start "$D/quiet.conf"
expect_refused "zero-length file" "is empty (0 bytes)"
stop
[ "$(stat -c %s "$D/state/kiosk.sqlite")" = 0 ] || fail "the emptied file was replaced"
echo "storage-damage: ok (lost WAL, 4 KB garbage, dropped table, zero-length: refused, named, restored)"
