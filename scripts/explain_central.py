#!/usr/bin/env python3
"""The plans of the statements kiosk-central really sends, at fleet size (docs/central.md "Hot
queries and their plans"). scripts/explain-central.sh starts the throwaway PostgreSQL (jsonlog)
and calls this; it:

1. creates a database, migrates it (`kiosk-central migrate`) and seeds it at fleet size with SQL
   (scripts/explain_seed.sql: by default 5,000 kiosks over 500 sites with tokens, a year of
   visits = 2 M events, 200 k commands nearly all answered, 20 k cases), then VACUUM ANALYZE;
2. turns auto_explain on for that database only (ALTER DATABASE … SET: every statement with
   EXPLAIN ANALYZE, nested ones too, as JSON in the server log), so the plans are those of the
   centre's own statements with their own parameters (no SQL copied from the Swift code);
3. runs the real centre (Tests/Central/cluster.py) under a short run of the load generator
   (scripts/loadtest.py: its own load-* kiosks long-poll, beat, upload and acknowledge) while
   seeded kiosks upload case events and pull cases and configuration, and an admin lists the
   kiosks, queues a command for a kiosk and for a site and publishes a configuration;
4. prints one plan per distinct statement (scripts/explain_plans.py), flagging any Seq Scan on a
   table of more than --large-rows rows. Exits 1 when a request of step 3 failed.
Python 3 standard library only."""
import argparse
import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "Tests", "Central"))
sys.path.insert(0, HERE)
from cluster import Cluster  # noqa: E402
import explain_plans  # noqa: E402


def psql(port, db, sql=None, file=None, variables=()):
    cmd = ["psql", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-d", db, "-Atq", "-v", "ON_ERROR_STOP=1"]
    for k, v in variables:
        cmd += ["-v", f"{k}={v}"]
    cmd += ["-f", file] if file else ["-c", sql]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit(f"explain: psql on {db} failed: {p.stderr.strip()}")
    return p.stdout.strip()


class Driver:
    """The requests the load generator does not make, over plain HTTP: seeded kiosks (their
    tokens are 'kck_seed_<id>') uploading a case, pulling cases, configuration and commands; an
    admin listing kiosks, queueing commands and publishing a configuration."""

    def __init__(self, url, admin, sites, events_per_kiosk, kiosks_per_site=2):
        self.url, self.admin, self.failures = url, admin, []
        self.kiosks = [(f"fleet-{k:05d}", f"fleet-{k % sites:03d}") for s in range(1, 5)
                       for k in range(s, s + sites * kiosks_per_site, sites)]
        self.seq = {k: events_per_kiosk for k, _ in self.kiosks}
        self.case_next = {k: 0 for k, _ in self.kiosks}

    def request(self, method, path, token, body=None):
        data = json.dumps(body).encode() if body is not None else None
        r = urllib.request.Request(self.url + path, data=data, method=method,
                                   headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(r, timeout=30) as resp:
                text = resp.read()
                return resp.status, (json.loads(text) if text else None)
        except urllib.error.HTTPError as e:
            self.failures.append(f"{method} {path}: {e.code} {e.read()[:300]!r}")
        except OSError as e:
            self.failures.append(f"{method} {path}: {e}")
        return None, None

    def kiosk_round(self, kiosk, site, n):
        token = f"kck_seed_{kiosk}"
        _, reply = self.request("GET", f"/v1/cases?after={self.case_next[kiosk]}", token)
        if reply:
            self.case_next[kiosk] = reply["next"]
        now = time.time()
        iso = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now))
        day = iso[:10]
        ref = f"R{day.replace('-', '')}-{kiosk[-3:]}{n}"
        base = {"day": day, "ticket": f"B{n:03d}", "service": "repairs"}
        visit = [dict(base, type="rating.recorded", time=iso, counter=2, staff="1001", rating=4, score=0),
                 dict(base, type="case.opened", time=iso, caseRef=ref, counter=2, staff="1001", rating=4,
                      reason="reason.attitude", severity="ordinary",
                      deadline=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now + 48 * 3600)),
                      resolveBy=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now + 6 * 3600)))]
        events = []
        for e in visit:
            self.seq[kiosk] += 1
            events.append({"seq": self.seq[kiosk], "type": e["type"], "deviceTime": iso, "payload": e})
        self.request("POST", "/v1/events", token, {"kiosk": kiosk, "site": site, "sentAt": iso, "events": events})
        _, reply = self.request("GET", f"/v1/cases?after={self.case_next[kiosk]}", token)
        if reply:
            self.case_next[kiosk] = reply["next"]
        self.request("POST", "/v1/heartbeat", token, {"version": "1.4.0", "uptimeSeconds": 100, "backlog": 0,
                                                      "configVersion": 3, "clockOffsetMs": 12})
        self.request("GET", f"/v1/sites/{site}/config?after=3", token)
        _, reply = self.request("GET", "/v1/commands?wait=0", token)
        for c in (reply or {}).get("commands", []):
            self.request("POST", f"/v1/commands/{c['id']}/ack", token, {"result": "done"})

    def admin_round(self, n):
        site, kiosk = self.kiosks[0][1], self.kiosks[1][0]
        self.request("GET", "/v1/admin/kiosks", self.admin)
        self.request("GET", f"/v1/admin/kiosks?site={site}", self.admin)
        self.request("POST", "/v1/admin/commands", self.admin, {"site": site, "type": "sync"})
        self.request("POST", "/v1/admin/commands", self.admin, {"kiosk": kiosk, "type": "reload-config"})
        self.request("POST", "/v1/admin/config", self.admin, {"site": site, "body": f"[kiosk]\nsync-interval = 30\n# round {n}\n"})
        self.request("GET", f"/v1/admin/commands?site={site}&limit=50", self.admin)

    def run(self, rounds, gap):
        for n in range(1, rounds + 1):
            self.admin_round(n)
            for kiosk, site in self.kiosks:
                self.kiosk_round(kiosk, site, n)
            time.sleep(gap)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--pg-port", type=int, required=True)
    p.add_argument("--central", required=True)
    p.add_argument("--work", required=True)
    p.add_argument("--log", required=True, help="the server's jsonlog file")
    p.add_argument("--db", default="explain_central")
    p.add_argument("--kiosks", type=int, default=5000)
    p.add_argument("--sites", type=int, default=500)
    p.add_argument("--events-per-kiosk", type=int, default=400)
    p.add_argument("--commands-per-kiosk", type=int, default=40)
    p.add_argument("--cases-per-site", type=int, default=40)
    p.add_argument("--load-kiosks", type=int, default=200, help="the load generator's kiosks")
    p.add_argument("--seconds", type=float, default=30, help="the load generator's window")
    p.add_argument("--large-rows", type=int, default=5_000, help="a Seq Scan on a table this big is flagged")
    p.add_argument("--out", help="also write the markdown here")
    p.add_argument("--try-sql", action="append", default=[],
                   help="SQL run after seeding, before ANALYZE (e.g. a candidate index, to see its plans before "
                        "writing its migration); repeatable")
    a = p.parse_args()
    db, port = a.db, a.pg_port

    t = time.time()
    psql(port, "postgres", f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
    psql(port, "postgres", f"CREATE DATABASE {db}")
    env = dict(os.environ, KIOSK_CENTRAL_DATABASE_URL=f"postgres://postgres@127.0.0.1:{port}/{db}", LOG_LEVEL="warning")
    m = subprocess.run([a.central, "migrate"], env=env, capture_output=True, text=True)
    if m.returncode != 0:
        raise SystemExit(f"explain: kiosk-central migrate failed: {m.stderr.strip()}")
    psql(port, db, file=os.path.join(HERE, "explain_seed.sql"),
         variables=[("kiosks", a.kiosks), ("sites", a.sites), ("events_per_kiosk", a.events_per_kiosk),
                    ("commands_per_kiosk", a.commands_per_kiosk), ("cases_per_site", a.cases_per_site)])
    for sql in a.try_sql:
        psql(port, db, sql)
    psql(port, db, "VACUUM (ANALYZE)")
    print(f"explain: seeded {db} in {time.time() - t:.0f} s", file=sys.stderr, flush=True)
    for setting in ("session_preload_libraries = 'auto_explain'", "auto_explain.log_min_duration = 0",
                    "auto_explain.log_analyze = on", "auto_explain.log_format = json",
                    "auto_explain.log_nested_statements = on"):
        psql(port, "postgres", f"ALTER DATABASE {db} SET {setting}")

    cluster = Cluster(port, db, a.central, a.work, processes=1, fresh=False)
    time.sleep(0.5)  # the start-up's own statements (migration check, admin token) are not counted
    offset = os.path.getsize(a.log) if os.path.exists(a.log) else 0
    try:
        load = subprocess.Popen(
            [sys.executable, os.path.join(HERE, "loadtest.py"), "--url", cluster.url, "--token", cluster.admin,
             "--kiosks", str(a.load_kiosks), "--seconds", str(a.seconds), "--warmup", "8", "--drain", "2",
             "--idle", "4", "--heartbeat", "10", "--upload", "15", "--commands", "3"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        driver = Driver(cluster.url, cluster.admin, a.sites, a.events_per_kiosk)
        time.sleep(12)  # the generator registers its kiosks and warms up first
        worker = threading.Thread(target=driver.run, args=(2, a.seconds / 3))
        worker.start()
        out, _ = load.communicate()
        worker.join()
    finally:
        cluster.stop(timeout=2)
    time.sleep(1)  # the logging collector writes what the backends sent
    print(out.rstrip(), file=sys.stderr)

    rows = psql(port, db, "SELECT relname, reltuples::bigint FROM pg_class WHERE relkind = 'r' "
                          f"AND relnamespace = 'public'::regnamespace AND reltuples >= {a.large_rows}")
    large = {r.split("|")[0]: int(r.split("|")[1]) for r in rows.splitlines() if r}
    stmts = explain_plans.summarise(explain_plans.read_plans(a.log, offset, db), large)
    tried = "".join(f" Tried before ANALYZE: `{sql}`." for sql in a.try_sql)
    md = (f"Seeded: {a.kiosks:,} kiosks over {a.sites:,} sites, {a.kiosks * a.events_per_kiosk:,} events, "
          f"{a.kiosks * a.commands_per_kiosk:,} commands, {a.sites * a.cases_per_site:,} cases; load: "
          f"{a.load_kiosks} generated kiosks for {a.seconds:.0f} s plus the admin and seeded-kiosk requests.{tried} "
          f"Large tables (a Seq Scan on them is flagged): "
          + ", ".join(f"{k} ({v:,})" for k, v in sorted(large.items(), key=lambda kv: -kv[1])) + ".\n\n"
          + explain_plans.markdown(stmts, large))
    print(md)
    if a.out:
        with open(a.out, "w") as f:
            f.write(md + "\n")
    flagged = [s for s in stmts if s["flagged"]]
    print(f"explain: {len(stmts)} distinct statements, {sum(s['calls'] for s in stmts):,} runs; "
          f"{len(flagged)} read a large table whole", file=sys.stderr)
    if driver.failures or load.returncode != 0:
        print("explain: requests failed:\n  " + "\n  ".join(driver.failures[:20]) +
              (f"\n  the load generator exited {load.returncode}" if load.returncode else ""), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
