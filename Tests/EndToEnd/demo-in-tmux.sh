#!/usr/bin/env bash
# End to end: the real `kioskd --demo` in tmux. Types keys like a resident and a staff member,
# reads the screen, checks the stored events with `kioskctl events --json`, kills the daemon
# with SIGKILL and checks that a restart shows the same queue.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${KIOSK_BIN:-$(swift build --show-bin-path)}
STATE=$(mktemp -d)
SOCK=kiosk-e2e-$$
T="tmux -L $SOCK"
cleanup() { $T kill-server 2>/dev/null || true; rm -rf "$STATE"; }
trap cleanup EXIT

fail() {
    echo "FAIL: $*" >&2
    echo "--- screen ---" >&2; $T capture-pane -p -t e2e >&2 || true
    echo "--- kioskd stderr ---" >&2; cat "$STATE/stderr.log" >&2 || true
    exit 1
}
screen() { $T capture-pane -p -t e2e; }
# wait_for TEXT: until the screen shows TEXT (5 s).
wait_for() {
    for _ in $(seq 50); do screen | grep -F -- "$1" >/dev/null && return 0; sleep 0.1; done
    fail "screen never showed '$1'"
}
keys() { for k in "$@"; do $T send-keys -t e2e "$k"; sleep 0.05; done; }
start() {
    $T new-session -d -s e2e -x 160 -y 48 "$BIN/kioskd --demo --state-dir $STATE 2>>$STATE/stderr.log; echo kioskd-exited-\$?; sleep 30"
}

start
wait_for "欢迎光临"
wait_for "报修"

# A resident takes a repairs ticket.
keys 1 Enter
wait_for "您的号码"
wait_for "您前面还有 0 人"
keys Enter
wait_for "1 人"

# Counter 1: log in as 1001 with PIN 1234, call, start, finish.
keys Tab 0 1 0 0 1 Enter 1 2 3 4 Enter
wait_for "张敏"
keys +
wait_for "请 A001 号到 1 号窗口"
keys Enter Enter
wait_for "请您对本次服务评价"
# The resident rates 不满意 and picks the reason 服务态度.
keys 4
wait_for "请告诉我们原因"
keys 2
wait_for "承诺兑现单"
wait_for "R$(date -u +%Y)"

# A second ticket, then the power goes: SIGKILL.
keys Tab Tab 1 Enter
wait_for "您的号码"
pkill -KILL -f "kioskd --demo --state-dir $STATE" || fail "kioskd was not running"
sleep 0.3
$T kill-server 2>/dev/null || true

# The events as stored.
EVENTS=$("$BIN/kioskctl" --state-dir "$STATE" events --json)
types=$(echo "$EVENTS" | python3 -c 'import sys,json; print(" ".join(json.loads(l)["type"] for l in sys.stdin if l.strip()))')
expected="ticket.issued staff.login counter.opened ticket.called service.started service.finished rating.recorded rating.reason case.opened ticket.issued"
[ "$types" = "$expected" ] || fail "events were: $types; expected: $expected"
echo "$EVENTS" | python3 -c '
import sys, json
events = [json.loads(l) for l in sys.stdin if l.strip()]
seqs = [e["seq"] for e in events]
assert seqs == list(range(1, len(events) + 1)), seqs
rating = next(e for e in events if e["type"] == "rating.recorded")
assert rating["rating"] == 4 and rating["score"] == 0 and rating["staff"] == "1001", rating
case = next(e for e in events if e["type"] == "case.opened")
assert case["reason"] == "reason.attitude" and case["ticket"] == "A001", case
assert events[-1]["ticket"] == "A002", events[-1]
assert "1234" not in json.dumps(events), "the PIN must never be stored"
' || fail "event contents"
sqlite3 "$STATE/kiosk.sqlite" "PRAGMA integrity_check" | grep -x ok >/dev/null || fail "integrity_check"

# Restart: the queue is restored (A002 waiting, A001 in the recent calls, counter 1 logged in).
start
wait_for "请 A001 号到 1 号窗口"
keys Tab
wait_for "张敏"
keys +
wait_for "请 A002 号到 1 号窗口"
# Ctrl-C leaves cleanly and gives the terminal back.
keys C-c
wait_for "kioskd-exited-0"
# (grep without -q: with pipefail, grep -q stopping at the first match can SIGPIPE the writer.)
"$BIN/kioskctl" --state-dir "$STATE" status | grep "A002" >/dev/null || fail "kioskctl status should show A002 at counter 1"
"$BIN/kioskctl" --state-dir "$STATE" report --json | python3 -c '
import sys, json
r = json.load(sys.stdin)
print("report keys:", sorted(r)[:6])
' >/dev/null || fail "report --json"
echo "end-to-end demo test passed"
