#!/bin/sh
# Runs inside the QEMU guest of scripts/qemu-systemd.sh, as a one-shot service next to
# kioskd.service, and reports on the serial console (KIOSK-SYSTEMD: lines). The host presses
# keys when asked to.
exec > /dev/ttyS0 2>&1
say() { echo "KIOSK-SYSTEMD: $*"; }
fail() {
    say "FAIL $*"
    systemctl status kioskd --no-pager -l 2>&1 | tail -20
    journalctl -b --no-pager -o short-monotonic -u kioskd 2>&1 | tail -40
    poweroff -f
}
show() { systemctl show -p "$1" --value kioskd; }
# wait_until SECONDS COMMAND…: polls every half second.
wait_until() {
    limit=$(( $1 * 2 )); shift; n=0
    until "$@"; do n=$((n + 1)); [ $n -le $limit ] || return 1; sleep 0.5; done
}
is_active() { [ "$(show ActiveState)" = active ]; }
restarts_above() { [ "$(show NRestarts)" -gt "$1" ] && is_active; }
# KDGETMODE on tty1: 0 text, 1 graphics.
vt_mode() { python3 -c "import fcntl, struct; print(struct.unpack('i', fcntl.ioctl(open('/dev/tty1', 'rb'), 0x4B3B, b'0000'))[0])"; }

wait_until 120 is_active || fail "kioskd.service did not become active (Type=notify waits for READY=1)"
say "active: type $(show Type), main pid $(show MainPID), status '$(show StatusText)', watchdog $(show WatchdogUSec)"
[ "$(show ExecMainStatus)" = 0 ] || fail "kioskd's main status is $(show ExecMainStatus)"
[ "$(vt_mode)" = 1 ] || fail "kioskd runs but tty1 is not in graphics mode (KD_GRAPHICS)"
say "press keys"
has_ticket() { kioskctl --state-dir /var/lib/kiosk events 2>/dev/null | grep -q "ticket.issued.*A001"; }
wait_until 60 has_ticket || fail "no ticket was stored from the USB keypad under the hardened unit"
say "ticket A001 issued from the keypad and stored in /var/lib/kiosk (StateDirectory)"
kioskctl status >/dev/null 2>&1 && say "kioskctl reaches the daemon over /run/kiosk/control.sock" || fail "kioskctl status through the control socket failed"
journalctl -b --no-pager -u kioskd | grep -q "ticket A001 issued" || fail "kioskd's log did not reach the journal"

before=$(show NRestarts); pid=$(show MainPID)
kill -STOP "$pid"
say "main loop of pid $pid stopped (hung); waiting for the watchdog"
wait_until 60 restarts_above "$before" || fail "a hung kioskd was not restarted by the watchdog (NRestarts $(show NRestarts))"
journalctl -b --no-pager -u kioskd | grep -qi "watchdog timeout" || fail "the restart was not a watchdog timeout"
say "watchdog: killed the hung pid $pid and restarted it as pid $(show MainPID) (NRestarts $(show NRestarts))"

before=$(show NRestarts); pid=$(show MainPID)
kill -SEGV "$pid"
wait_until 60 restarts_above "$before" || fail "a crashed kioskd was not restarted (Restart=on-failure)"
say "crash: SIGSEGV in pid $pid, restarted as pid $(show MainPID)"
wait_until 30 has_ticket || fail "the ticket is gone after the restarts"

systemctl stop kioskd
[ "$(show ActiveState)" = inactive ] || fail "kioskd did not stop"
[ "$(vt_mode)" = 0 ] || fail "after systemctl stop, tty1 is still in graphics mode (ExecStopPost=kioskd --restore-vt)"
say "stopped: ExecStopPost gave tty1 back in text mode"
say "$(systemd-analyze security kioskd.service --no-pager 2>&1 | tail -1)"
say "done"
poweroff -f
