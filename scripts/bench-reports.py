#!/usr/bin/env python3
"""make bench-reports: the year-long fleet report page at fleet size, and the old path beside it.

A real kiosk's days come first: kiosk-sim runs the busy-day scenario (the whole kiosk under
simulated residents and staff) for SEED_DAYS days, `kioskctl events --json` exports them, and
they are uploaded to kiosk-central through /v1/events like any kiosk's, where the centre folds
them into its stored day folds (report_days). Generating real events for 500 kiosks × 365 days is
beyond this machine (tens of millions of events), so those few real day folds are then copied in
SQL to KIOSKS kiosks (5 per site) × DAYS days, each copy relabelled with its day. The page then
merges 182,500 real busy-day folds, as it would for a real fleet; only case states are missing
(the copies' cases have no rows in `cases`, so they are not counted).

Measured, each on a freshly started centre: the time of GET /v1/admin/report.html for the whole
period and the centre's peak RSS (VmHWM). The baseline in the same run: the same kind of page
over BASE_KIOSKS × BASE_DAYS kiosk-days of copied real events, by the old centre
(BASELINE_CENTRAL, built from the commit before day folds: it reads every event of the period
into memory) and by the new one, cold (every day still to fold) and warm.

Environment: PARTS (fleet,baseline), CENTRAL (new binary), BASELINE_CENTRAL (old binary; empty: no baseline), KIOSK_BIN
(kiosk-sim, kioskctl), PGPORT (a running PostgreSQL on 127.0.0.1 with trust auth), WORK.
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CENTRAL = os.environ.get("CENTRAL", os.path.join(ROOT, "Central/.build/release/kiosk-central"))
BASELINE = os.environ.get("BASELINE_CENTRAL", "")
KIOSK_BIN = os.environ.get("KIOSK_BIN", os.path.join(ROOT, ".build/debug"))
PGPORT = os.environ["PGPORT"]
WORK = os.environ.get("WORK", "/tmp/bench-reports")
KIOSKS = int(os.environ.get("KIOSKS", "500"))
DAYS = int(os.environ.get("DAYS", "365"))
SEED_DAYS = int(os.environ.get("SEED_DAYS", "7"))
BASE_KIOSKS = int(os.environ.get("BASE_KIOSKS", "20"))
BASE_DAYS = int(os.environ.get("BASE_DAYS", "30"))
FIRST = "2025-12-01"
PARTS = os.environ.get("PARTS", "fleet,baseline")


def psql(db, sql):
    return subprocess.run(["psql", "-h", "127.0.0.1", "-p", PGPORT, "-U", "postgres", "-d", db, "-qAtX",
                           "-v", "ON_ERROR_STOP=1", "-c", sql], check=True, capture_output=True, text=True).stdout.strip()


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Centre:
    def __init__(self, binary, db, fresh=True):
        self.binary, self.db = binary, db
        if fresh:
            psql("postgres", f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
            psql("postgres", f"CREATE DATABASE {db}")
        self.env = dict(os.environ, KIOSK_CENTRAL_DATABASE_URL=f"postgres://postgres@127.0.0.1:{PGPORT}/{db}",
                        LOG_LEVEL="warning")
        subprocess.run([binary, "migrate"], env=self.env, check=True, capture_output=True)
        self.admin = subprocess.run([binary, "create-admin-token", "--label", "bench"], env=self.env, check=True,
                                    capture_output=True, text=True).stdout.strip()
        self.proc = None

    def start(self):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(os.path.join(WORK, f"{self.db}.log"), "a")
        self.proc = subprocess.Popen([self.binary, "serve", "--port", str(self.port)], env=self.env,
                                     stdout=self.log, stderr=self.log)
        for _ in range(400):
            try:
                urllib.request.urlopen(self.url + "/v1/health", timeout=1)
                return self
            except Exception:
                time.sleep(0.05)
        raise SystemExit(f"kiosk-central did not start; see {self.log.name}")

    def stop(self):
        if self.proc:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc = None

    def call(self, method, path, token=None, body=None, timeout=600):
        data = json.dumps(body).encode() if body is not None else None
        r = urllib.request.Request(self.url + path, data=data, method=method, headers={
            "Authorization": "Bearer " + (token or self.admin), "Content-Type": "application/json"})
        with urllib.request.urlopen(r, timeout=timeout) as resp:
            return resp.read()

    def rss(self):
        """(VmHWM, VmRSS) in MB of the running centre."""
        fields = dict(line.split(":", 1) for line in open(f"/proc/{self.proc.pid}/status"))
        return tuple(int(fields[k].split()[0]) / 1024 for k in ("VmHWM", "VmRSS"))

    def timed_page(self, path):
        start = time.monotonic()
        html = self.call("GET", path)
        self.last_page = html.decode()
        return time.monotonic() - start, len(html)


def seed_events():
    """SEED_DAYS real busy days of one kiosk: kiosk-sim, then `kioskctl events --json`."""
    state = os.path.join(WORK, "seed-kiosk")
    shutil.rmtree(state, ignore_errors=True)
    subprocess.run([os.path.join(KIOSK_BIN, "kiosk-sim"), os.path.join(ROOT, "Kiosk/scenarios/busy-day.scenario"),
                    "--seed", "1", "--days", str(SEED_DAYS), "--warm-up", "0", "--state-dir", state],
                   check=True, capture_output=True)
    state = os.path.join(state, "seed-1")  # kiosk-sim's folder per seed
    out = subprocess.run([os.path.join(KIOSK_BIN, "kioskctl"), "--state-dir", state, "--config", state + "/kiosk.conf",
                          "--runtime-dir", state, "events", "--json"], check=True, capture_output=True, text=True).stdout
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def upload(centre, kiosk, site, events):
    reply = json.loads(centre.call("POST", "/v1/admin/kiosks", body={"kiosk": kiosk, "site": site}))
    for start in range(0, len(events), 500):
        batch = [{"seq": start + i + 1, "type": e["type"], "deviceTime": e["time"], "payload": e}
                 for i, e in enumerate(events[start:start + 500])]
        centre.call("POST", "/v1/events", token=reply["token"], body={"kiosk": kiosk, "events": batch})


def day(i):
    return psql("postgres", f"SELECT to_char(date '{FIRST}' + {i}, 'YYYY-MM-DD')")


def replicate_folds(db, kiosks, days):
    """The seed kiosk's day folds copied to `kiosks` kiosks (5 per site) × `days` days. A packed
    fold starts with its version byte, the day's length (10, one byte) and the day: the copy's
    day is written over it."""
    psql(db, f"""
        INSERT INTO report_days (kiosk_id, site_id, day, dirty, dirty_since, fold, time_zone, events, unreadable, folded_at)
        SELECT 'k' || lpad(k::text, 4, '0'), 'site-' || lpad((k / 5)::text, 3, '0'), d.day, false, now(),
               overlay(t.fold PLACING convert_to(d.day, 'UTF8') FROM 3 FOR 10),
               t.time_zone, t.events, 0, now()
        FROM generate_series(0, {kiosks - 1}) k
        CROSS JOIN (SELECT i, to_char(date '{FIRST}' + i, 'YYYY-MM-DD') AS day FROM generate_series(0, {days - 1}) i) d
        JOIN (SELECT row_number() OVER (ORDER BY day) - 1 AS n, fold, time_zone, events FROM report_days
              WHERE kiosk_id = 'seed' AND events > 0) t ON t.n = (k + d.i) % {SEED_DAYS}""")
    psql(db, "ANALYZE report_days")


def replicate_events(db, kiosks, days):
    """The seed kiosk's events copied to `kiosks` kiosks × `days` days (the old path's input)."""
    psql(db, f"""
        INSERT INTO sites (id) SELECT DISTINCT 'site-' || lpad((k / 5)::text, 3, '0') FROM generate_series(0, {kiosks - 1}) k
        ON CONFLICT DO NOTHING;
        INSERT INTO kiosks (id, site_id) SELECT 'k' || lpad(k::text, 4, '0'), 'site-' || lpad((k / 5)::text, 3, '0')
        FROM generate_series(0, {kiosks - 1}) k""")
    psql(db, f"""
        INSERT INTO events (kiosk_id, seq, site_id, type, device_time, received_at, clock_offset_ms, payload)
        SELECT 'k' || lpad(k::text, 4, '0'),
               row_number() OVER (PARTITION BY k ORDER BY d.i, e.seq),
               'site-' || lpad((k / 5)::text, 3, '0'), e.type, e.device_time, now(), 0,
               jsonb_set(e.payload, '{{day}}', to_jsonb(d.day))
        FROM generate_series(0, {kiosks - 1}) k
        CROSS JOIN (SELECT i, to_char(date '{FIRST}' + i, 'YYYY-MM-DD') AS day FROM generate_series(0, {days - 1}) i) d
        JOIN (SELECT dense_rank() OVER (ORDER BY payload->>'day') - 1 AS n, seq, type, device_time, payload
              FROM events WHERE kiosk_id = 'seed') e ON e.n = (k + d.i) % {SEED_DAYS}""")
    psql(db, "ANALYZE events")


def measure(label, centre, path, runs=2):
    centre.start()
    try:
        rows = []
        for run in range(runs):
            seconds, size = centre.timed_page(path)
            hwm, rss = centre.rss()
            rows.append((seconds, size, hwm))
            print(f"  {label}, request {run + 1}: {seconds:.2f} s, page {size // 1024} KB, peak RSS {hwm:.0f} MB", flush=True)
        return rows, figures(centre.last_page)
    finally:
        centre.stop()


def figures(html):
    """Every figure a page draws: data-metric → data-value."""
    import re
    return dict(re.findall(r'data-metric="([^"]+)" data-value="([^"]+)"', html))


def main():
    os.makedirs(WORK, exist_ok=True)
    print(f"bench-reports: {SEED_DAYS} real busy days from kiosk-sim ...", flush=True)
    events = seed_events()
    days = sorted({e["day"] for e in events})
    print(f"  {len(events)} events, {sum(e['type'] == 'ticket.issued' for e in events)} tickets over {len(days)} days", flush=True)

    results = {"kiosks": KIOSKS, "days": DAYS}
    if "fleet" in PARTS:
        results["fleet"] = fleet(events, days)
    if BASELINE and "baseline" in PARTS:
        results.update(baseline(events))
    print(json.dumps(results))


def fleet(events, days):
    # The new centre: the seed kiosk's days folded through the ordinary path, then copied.
    new = Centre(CENTRAL, "bench_reports").start()
    upload(new, "seed", "seed", events)
    new.call("GET", f"/v1/admin/sites/seed/report.html?from={days[0]}&to={days[-1]}")
    new.stop()
    sizes = psql("bench_reports", "SELECT min(length(fold)), max(length(fold)), avg(length(fold))::int FROM report_days WHERE kiosk_id = 'seed'")
    print(f"  stored day folds of the seed kiosk: {sizes} bytes (min|max|avg)", flush=True)
    replicate_folds("bench_reports", KIOSKS, DAYS)
    total = psql("bench_reports", "SELECT count(*), pg_size_pretty(sum(length(fold))) FROM report_days WHERE kiosk_id <> 'seed'")
    print(f"fleet: {KIOSKS} kiosks × {DAYS} days = {total} (day folds | their size)", flush=True)
    last = day(DAYS - 1)
    rows, shown = measure(f"fleet page {FIRST}…{last}", new, f"/v1/admin/report.html?from={FIRST}&to={last}")
    print(f"  the page shows {shown.get('overall.issued')} tickets issued, {shown.get('overall.served')} served", flush=True)
    return rows


def baseline(events):
    results = {}
    base_last = day(BASE_DAYS - 1)
    print(f"baseline: {BASE_KIOSKS} kiosks × {BASE_DAYS} days of copied real events", flush=True)
    old = Centre(BASELINE, "bench_baseline").start()
    upload(old, "seed", "seed", events)
    old.stop()
    replicate_events("bench_baseline", BASE_KIOSKS, BASE_DAYS)
    n = psql("bench_baseline", "SELECT count(*) FROM events WHERE kiosk_id <> 'seed'")
    print(f"  {n} events", flush=True)
    path = f"/v1/admin/report.html?from={FIRST}&to={base_last}"
    results["old"], before = measure("old centre (events in memory)", old, path)
    # The same database under the new centre: migration 12 marks every stored kiosk-day to fold
    # (and, should the database have it already, the copies are marked here).
    cold = Centre(CENTRAL, "bench_baseline", fresh=False)
    psql("bench_baseline", """
        INSERT INTO report_days (kiosk_id, site_id, day) SELECT DISTINCT kiosk_id, site_id, payload->>'day' FROM events
        ON CONFLICT (kiosk_id, site_id, day) DO UPDATE SET dirty = true""")
    results["new"], after = measure("new centre (first request folds every day, then merges)", cold, path)
    # Figures added since the old commit exist on one page only; the shared ones must be equal
    # (fractions to 1e-9: the new centre sums per day, then merges, so the last bits differ).
    # Case figures are left out: the old centre counted cases from the events, the new one from
    # its `cases` table, where the copied events have no rows.
    def is_case(m):
        return m.startswith(("cases.", "caseFigures."))

    def equal(a, b):
        try:
            x, y = float(a), float(b)
            return abs(x - y) <= 1e-9 * max(1.0, abs(x), abs(y))
        except (TypeError, ValueError):
            return a == b

    shared = sorted(m for m in before.keys() & after.keys() if not m.startswith("daily[") and not is_case(m))
    differ = [m for m in shared if not equal(before[m], after[m])]
    only_new = sorted(m for m in after.keys() - before.keys() if not is_case(m))
    only_old = sorted(m for m in before.keys() - after.keys() if not is_case(m))
    print(f"  both pages show {before.get('overall.issued')} tickets issued; {len(shared) - len(differ)} of {len(shared)} "
          f"shared figures equal (case figures not compared); only on the new page: {len(only_new)} {only_new[:6]}; only on the old: {len(only_old)} {only_old[:6]}",
          flush=True)
    for m in differ[:20]:
        print(f"    differs: {m}: old {before[m]} new {after[m]}", flush=True)
    return results


if __name__ == "__main__":
    main()
