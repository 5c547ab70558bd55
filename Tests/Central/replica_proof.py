#!/usr/bin/env python3
"""Report pages read from a streaming replica (`serve --report-database-url`), and never show less
than the primary holds (scripts/test-central.sh, part `replica`).

A real busy day from kiosk-sim is uploaded in two halves to a centre whose reports read a hot
standby of the test server (STANDBY_PGPORT, started by test-central.sh with pg_basebackup -R).
A second centre on the same database reads only the primary: the control.

1. After the first half: the replica centre's page and JSON reports say (X-Kiosk-Report-Source)
   they were read from the replica, and their figures equal the control's.
2. Replay paused on the standby, the second half uploaded: the replica centre's page is read from
   the primary (the replica never replays what the page must show), has every event, equals the
   control, and the log says why.
3. Replay resumed: read from the replica again, equal again.
4. A centre whose replica URL is not a standby (the primary itself), and one whose replica is
   unreachable: pages still answer, from the primary, and their logs say what to fix.

Environment: PGPORT, STANDBY_PGPORT, CENTRAL, KIOSK_BIN (kiosk-sim, kioskctl), WORK.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cluster import Cluster, free_port  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PGPORT, STANDBY = os.environ["PGPORT"], os.environ["STANDBY_PGPORT"]
CENTRAL, KIOSK_BIN, WORK = os.environ["CENTRAL"], os.environ["KIOSK_BIN"], os.environ["WORK"]
DB = "replica_proof"


def check(cond, what):
    if not cond:
        raise SystemExit(f"replica_proof: FAILED: {what}")
    print(f"replica_proof: ok: {what}", flush=True)


def psql(port, sql, db="postgres"):
    return subprocess.run(["psql", "-h", "127.0.0.1", "-p", port, "-U", "postgres", "-d", db, "-qAtX",
                           "-v", "ON_ERROR_STOP=1", "-c", sql], check=True, capture_output=True, text=True).stdout.strip()


def call(centre, method, path, token=None, body=None):
    data = json.dumps(body).encode() if body is not None else None
    r = urllib.request.Request(centre.url + path, data=data, method=method, headers={
        "Authorization": "Bearer " + (token or centre.admin), "Content-Type": "application/json"})
    with urllib.request.urlopen(r, timeout=60) as resp:
        return resp.read().decode(), resp.headers.get("X-Kiosk-Report-Source")


def busy_day():
    """One simulated busy day of a real kiosk (kiosk-sim), as `kioskctl events --json` exports it."""
    base = "/dev/shm" if os.path.isdir("/dev/shm") else WORK
    state = os.path.join(base, f"replica-proof-{os.getpid()}")
    try:
        subprocess.run([os.path.join(KIOSK_BIN, "kiosk-sim"), os.path.join(ROOT, "Kiosk/scenarios/busy-day.scenario"),
                        "--seed", "3", "--days", "1", "--warm-up", "0", "--state-dir", state],
                       check=True, capture_output=True)
        seed = os.path.join(state, "seed-3")
        out = subprocess.run([os.path.join(KIOSK_BIN, "kioskctl"), "--state-dir", seed, "--config", seed + "/kiosk.conf",
                              "--runtime-dir", seed, "events", "--json"], check=True, capture_output=True, text=True).stdout
    finally:
        shutil.rmtree(state, ignore_errors=True)
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def upload(centre, token, events, first_seq):
    for start in range(0, len(events), 500):
        batch = [{"seq": first_seq + start + i, "type": e["type"], "deviceTime": e["time"], "payload": e}
                 for i, e in enumerate(events[start:start + 500])]
        call(centre, "POST", "/v1/events", token=token, body={"kiosk": "lobby-1", "events": batch})


def figures(html):
    """The page without what differs between two renderings of the same data (the time it was made)."""
    return re.sub(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d(:\d\d)?", "TIME", html)


def compare(replica, control, expect, what):
    page, source = call(replica, "GET", "/v1/admin/report.html")
    reference, control_source = call(control, "GET", "/v1/admin/report.html")
    check(source == expect and control_source == "primary",
          f"{what}: the page was read from the {expect} (X-Kiosk-Report-Source: {source}; control: {control_source})")
    check(figures(page) == figures(reference), f"{what}: the page's figures equal the primary-only centre's")
    rows, source = call(replica, "GET", "/v1/admin/reports")
    reference_rows, _ = call(control, "GET", "/v1/admin/reports")
    check(source == expect and json.loads(rows) == json.loads(reference_rows),
          f"{what}: GET /v1/admin/reports read from the {expect}, rows equal the control's")
    return page


def reason_labels():
    """reason.* keys of the shipped Chinese catalog → their text."""
    out = {}
    for line in open(os.path.join(ROOT, "Kiosk/messages/zh-Hans.catalog"), encoding="utf-8"):
        key, _, text = line.partition("=")
        if key.strip().startswith("reason.") and text.strip():
            out[key.strip()] = text.strip()
    return out


def log_of(centre):
    centre.logs[0].flush()
    with open(centre.logs[0].name, errors="replace") as f:
        return f.read()


def main():
    events = busy_day()
    half = len(events) // 2
    tickets = sum(1 for e in events if e["type"] == "ticket.issued")
    check(tickets > 20, f"kiosk-sim made a busy day ({len(events)} events, {tickets} tickets)")

    standby_url = f"postgres://postgres@127.0.0.1:{STANDBY}/{DB}"
    # Both with the kiosk's catalogs: reasons on the pages by their labels.
    catalogs = ["--catalog-dir", os.path.join(ROOT, "Kiosk/messages")]
    replica = Cluster(PGPORT, DB, CENTRAL, WORK, args=["--report-database-url", standby_url] + catalogs, name="replica")
    control = replica
    others = []
    try:
        control = Cluster(PGPORT, DB, CENTRAL, WORK, fresh=False, name="control", args=catalogs)
        reply, _ = call(replica, "POST", "/v1/admin/kiosks", body={"kiosk": "lobby-1", "site": "tower-a"})
        token = json.loads(reply)["token"]

        upload(replica, token, events[:half], 1)
        first = compare(replica, control, "replica", "first half")
        check(f"{half} events" in first, f"the page counts the {half} events of the first half")
        reasons = reason_labels()
        shown = [label for key, label in reasons.items() if f"{label}: " in first]
        keys = [key for key in reasons if f"{key}: " in first or f">{key}<" in first]
        check(shown and not keys, f"reasons are shown by their catalog labels (serve --catalog-dir), not their keys: {shown}")

        psql(STANDBY, "SELECT pg_wal_replay_pause()")
        upload(replica, token, events[half:], half + 1)
        started = time.monotonic()
        paused = compare(replica, control, "primary", "replay paused, second half uploaded")
        waited = time.monotonic() - started
        check(f"{len(events)} events" in paused, f"the page counts all {len(events)} events although the replica lags")
        check("has not replayed the primary's WAL" in log_of(replica),
              f"the log says why the page was read from the primary (the page waited {waited:.1f} s)")

        psql(STANDBY, "SELECT pg_wal_replay_resume()")
        compare(replica, control, "replica", "replay resumed")

        not_standby = Cluster(PGPORT, DB, CENTRAL, WORK, fresh=False, name="not-standby",
                              args=["--report-database-url", f"postgres://postgres@127.0.0.1:{PGPORT}/{DB}"] + catalogs)
        others.append(not_standby)
        compare(not_standby, control, "primary", "--report-database-url at the primary itself")
        check("is not a standby" in log_of(not_standby), "the log says the report database is not a standby")

        unreachable = Cluster(PGPORT, DB, CENTRAL, WORK, fresh=False, name="unreachable",
                              args=["--report-database-url", f"postgres://postgres@127.0.0.1:{free_port()}/{DB}"] + catalogs)
        others.append(unreachable)
        compare(unreachable, control, "primary", "an unreachable replica")
        check("cannot be read" in log_of(unreachable), "the log says the replica cannot be read and what to check")
    finally:
        for c in others + [control, replica]:
            c.stop()
    print("replica_proof: all passed")


if __name__ == "__main__":
    main()
