#!/bin/sh
# kiosk-sim's smoke test (make test): one seed of the busy day, one warm-up day and one measured
# day, into a throwaway state folder; then the real tools read that folder and check the
# invariants: no ticket lost (every ticket a resident was handed is stored), ticket numbers
# never repeated within a day, an estimate (low, high, estimateSeconds) stored on every
# ticket.issued, and kiosk-sim's figures for the configured estimator equal to what
# `kioskctl report --json` computes from the same folder. The accuracy targets are not checked
# here: they belong to the benchmark (make sim).
set -eu
cd "$(dirname "$0")/../.."
BIN=${BIN:-$(swift build --show-bin-path)}
D=$(mktemp -d)
trap 'rm -rf "$D"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$BIN/kiosk-sim" Kiosk/scenarios/busy-day.scenario --seed 1 --warm-up 1 --days 1 --state-dir "$D" --json \
    >"$D/sim.json" 2>"$D/sim.log" || { cat "$D/sim.log"; fail "kiosk-sim failed"; }
S=$D/seed-1
[ -f "$S/kiosk.sqlite" ] && [ -f "$S/kiosk.conf" ] || fail "kiosk-sim left no state folder in $S"
ctl() { "$BIN/kioskctl" --state-dir "$S" --config "$S/kiosk.conf" "$@"; }
DAY=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["seeds"][0]["figures"]["days"][0])' "$D/sim.json")
ctl events --json >"$D/events.jsonl" || fail "kioskctl events cannot read the state folder"
ctl report --date "$DAY" --json >"$D/report.json" || fail "kioskctl report cannot read the state folder"
ctl screenshot lobby "$D/lobby.png" >/dev/null || fail "kioskctl screenshot cannot draw the lobby"
[ -s "$D/lobby.png" ] || fail "the lobby screenshot is empty"

python3 - "$D/sim.json" "$D/events.jsonl" "$D/report.json" <<'PY'
import json, sys
sim = json.load(open(sys.argv[1]))
events = [json.loads(line) for line in open(sys.argv[2]) if line.strip()]
report = json.load(open(sys.argv[3]))
seed = sim["seeds"][0]
problems = []

issued = [e for e in events if e["type"] == "ticket.issued"]
stored = {(e["day"], e["ticket"]) for e in issued}
handed = [(d["day"], t) for d in seed["issued"] for t in d["tickets"]]
if not handed:
    problems.append("kiosk-sim handed out no tickets")
lost = [h for h in handed if h not in stored]
if lost:
    problems.append(f"{len(lost)} ticket(s) handed out but not stored, e.g. {lost[:3]}")
if len(issued) != len(handed):
    problems.append(f"{len(issued)} ticket.issued events stored, {len(handed)} tickets handed out")

labels = [(e["day"], e["ticket"]) for e in issued]
if len(labels) != len(set(labels)):
    problems.append("a ticket label was issued twice within a day")
numbers = [(e["day"], e["ticket"].rstrip("0123456789"), e["number"]) for e in issued]
if len(numbers) != len(set(numbers)):
    problems.append("a ticket number was repeated within a day")

for e in issued:
    low, high, seconds = e.get("estimateLow"), e.get("estimateHigh"), e.get("estimateSeconds")
    if not all(isinstance(v, int) for v in (low, high, seconds)) or not 0 <= low <= high or seconds < 0:
        problems.append(f"ticket {e['day']} {e['ticket']} has no whole estimate: {low}, {high}, {seconds}")
        break

def same(a, b):
    if isinstance(a, float) or isinstance(b, float):
        return a is not None and b is not None and abs(a - b) <= 1e-9
    return a == b

configured = [x for x in seed["figures"]["estimators"] if x["configured"]]
if len(configured) != 1 or configured[0]["name"] != sim["configuredEstimator"]:
    problems.append("kiosk-sim's JSON does not name the configured estimator once")
else:
    mine, theirs = configured[0]["figures"], report["overall"]["estimates"]
    for key in sorted(set(mine) | set(theirs)):
        if not same(mine.get(key), theirs.get(key)):
            problems.append(f"{key}: kiosk-sim says {mine.get(key)}, kioskctl report says {theirs.get(key)}")
    if mine["count"] == 0:
        problems.append("no ticket was counted for the estimate figures")
totals = seed["figures"]["totals"]
if totals["tickets"] != report["overall"]["issued"] or totals["served"] != report["overall"]["served"]:
    problems.append(f"totals differ: kiosk-sim {totals}, report issued {report['overall']['issued']} served {report['overall']['served']}")

if problems:
    print("\n".join("FAIL: " + p for p in problems))
    sys.exit(1)
print(f"kiosk-sim smoke: {len(handed)} tickets over {len(seed['issued'])} day(s) stored with estimates; "
      f"{configured[0]['name']} figures equal kioskctl report's ({mine['count']} tickets counted)")
PY
