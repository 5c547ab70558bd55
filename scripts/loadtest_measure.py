"""What the load test measures besides latencies (scripts/loadtest.py): CPU of process groups from
/proc (utime + stime), PostgreSQL statements from pg_stat_statements (or committed transactions
when that extension is not loaded), percentiles, and the printed table."""
import os
import resource
import subprocess
import sys
import time

TICK = os.sysconf("SC_CLK_TCK")
GROUPS = ("centre", "pg", "nginx", "generator")


def raise_nofile():
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def stat_fields(pid):
    with open(f"/proc/{pid}/stat") as f:
        return f.read().rsplit(")", 1)[1].split()


def ticks(pid):
    """utime + stime of one process, in clock ticks (None when it is gone)."""
    try:
        f = stat_fields(pid)
    except OSError:
        return None
    return int(f[11]) + int(f[12])


def children_of(pid):
    kids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if int(stat_fields(entry)[1]) == pid:
                    kids.append(int(entry))
            except (OSError, IndexError):
                pass
    return kids


class Postgres:
    """The PostgreSQL at 127.0.0.1:`port`: its processes and its statement counter for `db`."""

    def __init__(self, port, db):
        self.port, self.db = str(port), db
        # A long-lived child (our own backend exits with psql) names the postmaster as its parent.
        child = int(self.query("SELECT pid FROM pg_stat_activity WHERE backend_type = 'checkpointer'"))
        self.postmaster = int(stat_fields(child)[1])
        self.source = "pg_stat_statements"
        try:
            self.query("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
            self.statements()
        except subprocess.CalledProcessError:
            self.source = "xact_commit"
            print(f"loadtest: pg_stat_statements is not available (start PostgreSQL with "
                  f"shared_preload_libraries=pg_stat_statements); counting committed transactions instead",
                  file=sys.stderr, flush=True)

    def query(self, sql):
        return subprocess.run(["psql", "-h", "127.0.0.1", "-p", self.port, "-U", "postgres", "-d", self.db, "-Atqc", sql],
                              check=True, capture_output=True, text=True).stdout.strip()

    def statements(self):
        if self.source == "pg_stat_statements":
            sql = ("SELECT coalesce(sum(calls), 0) FROM pg_stat_statements "
                   "WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())")
        else:
            sql = "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()"
        return int(self.query(sql))

    def per_statement(self):
        """{queryid: (calls, normalised text)} for this database (pg_stat_statements only)."""
        if self.source != "pg_stat_statements":
            return {}
        out = subprocess.run(["psql", "-h", "127.0.0.1", "-p", self.port, "-U", "postgres", "-d", self.db, "-AtqF", "\t", "-c",
                              "SELECT queryid, calls, regexp_replace(left(query, 300), '\\s+', ' ', 'g') FROM pg_stat_statements "
                              "WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())"],
                             check=True, capture_output=True, text=True).stdout
        rows = {}
        for line in out.splitlines():
            qid, calls, text = line.split("\t", 2)
            rows[qid] = (int(calls), text)
        return rows

    def pids(self):
        return [self.postmaster] + children_of(self.postmaster)


class Snapshot:
    def __init__(self, pids, pg, detail=False):
        self.time = time.time()
        self.ticks = {g: {p: t for p in pids.get(g, []) if (t := ticks(p)) is not None} for g in GROUPS}
        self.source = pg.source if pg else None
        # One query per snapshot (the rate discounts it): per statement, or just the sum.
        self.per_statement = pg.per_statement() if pg and detail else {}
        if self.per_statement:
            self.statements = sum(calls for calls, _ in self.per_statement.values())
        else:
            self.statements = pg.statements() if pg else None


def cpu_percent(a, b):
    """Per group, CPU used between two snapshots as % of one core (200 % = both cores)."""
    wall = b.time - a.time
    out = {}
    for g in GROUPS:
        if not b.ticks[g]:
            out[f"{g}_cpu"] = None
            continue
        used = sum(t - a.ticks[g].get(p, 0) for p, t in b.ticks[g].items())
        out[f"{g}_cpu"] = 100.0 * used / TICK / wall
    return out


def rate(a, b):
    if a.statements is None:
        return None, None
    # The first snapshot's own query is counted in the second (it is recorded when it ends).
    own = 1 if a.source == "pg_stat_statements" else 0
    return max(0, b.statements - a.statements - own) / (b.time - a.time), a.source


def busiest(a, b, top=4):
    """The statements called most between two detailed snapshots: [(calls per second, text)]."""
    wall = b.time - a.time
    deltas = [((calls - a.per_statement.get(q, (0, ""))[0]) / wall, text) for q, (calls, text) in b.per_statement.items()
              if "pg_stat_statements" not in text]  # not our own counting query
    return [(round(r, 1), t) for r, t in sorted(deltas, reverse=True)[:top] if r > 0]


def percentiles(sorted_values):
    if not sorted_values:
        return None
    def q(p):
        return sorted_values[min(len(sorted_values) - 1, int(p * len(sorted_values)))]
    return {"n": len(sorted_values), "p50": q(0.5), "p99": q(0.99), "max": sorted_values[-1]}


def machine_line():
    load = open("/proc/loadavg").read().split()[0]
    return f"machine: {os.cpu_count()} cores, load {load}; CPU in % of one core over the window"


COLUMNS = [("kiosks", 6), ("procs", 5), ("centre CPU", 10), ("PG CPU", 7), ("nginx", 6), ("gen CPU", 7),
           ("stmts/s", 8), ("idle st/s/k", 11), ("heartbeat ms", 12), ("upload ms", 11), ("config ms", 10),
           ("ack ms", 9), ("delivery s", 11), ("cmds", 5), ("errors", 6)]


def fmt_pct(v):
    return "-" if v is None else f"{v:.0f}%"


def fmt_ms(p):
    return "-" if p is None else f"{p['p50'] * 1000:.0f}/{p['p99'] * 1000:.0f}"


def fmt_s(p):
    return "-" if p is None else f"{p['p50']:.2f}/{p['p99']:.2f}"


def print_rows(rows, header):
    if header:
        print("p50/p99 per request type; idle st/s/k = statements/s per kiosk while kiosks only wait")
        print(" | ".join(name.rjust(w) for name, w in COLUMNS))
        print("-+-".join("-" * w for _, w in COLUMNS))
    for r in rows:
        idle = r["idle_statements_per_s_per_kiosk"]
        cells = [str(r["kiosks"]), str(r["processes"]), fmt_pct(r["centre_cpu"]), fmt_pct(r["pg_cpu"]),
                 fmt_pct(r["nginx_cpu"]), fmt_pct(r["generator_cpu"]) + ("*" if starved(r) else ""),
                 "-" if r["statements_per_s"] is None else f"{r['statements_per_s']:.0f}",
                 "-" if idle is None else f"{idle:.3f}", fmt_ms(r["heartbeat"]), fmt_ms(r["upload"]),
                 fmt_ms(r["config"]), fmt_ms(r["ack"]), fmt_s(r["delivery"]), str(r["commands"]),
                 str(r["errors"] + len(r["undelivered"]))]
        print(" | ".join(c.rjust(w) for c, (_, w) in zip(cells, COLUMNS)), flush=True)


def starved(r):
    """The generator's event loop woke more than 50 ms late at p99: its latencies are not only the centre's."""
    lag = r.get("generator_lag")
    return bool(lag and lag["p99"] > 0.05)


def print_notes(rows):
    sources = {r["statements_source"] for r in rows if r["statements_source"]}
    if "xact_commit" in sources:
        print("note: statements/s are committed transactions (pg_stat_database.xact_commit): pg_stat_statements was not loaded")
    if any(starved(r) for r in rows):
        print("* the generator was short of CPU (event-loop lag p99 > 50 ms): those latencies include its own delay; "
              "an idle machine or more --clients")
    for r in rows:
        extra = []
        if r["undelivered"]:
            extra.append(f"{len(r['undelivered'])} commands undelivered")
        if r["redelivered"]:
            extra.append(f"{r['redelivered']} commands handed out twice")
        if r["reconnects"]:
            extra.append(f"{r['reconnects']} stale keep-alive connections reopened")
        if r["queue"]:
            extra.append(f"queueing a command p50/p99 {r['queue']['p50'] * 1000:.0f}/{r['queue']['p99'] * 1000:.0f} ms")
        extra.append(f"registration {r['register_s']} s, {r['clients']} client process(es)")
        if r["generator_lag"]:
            lag = r["generator_lag"]
            extra.append(f"generator's event-loop lag p50/p99 {lag['p50'] * 1000:.0f}/{lag['p99'] * 1000:.0f} ms")
        print(f"  {r['kiosks']} kiosks, {r['processes']} process(es): " + "; ".join(extra))
        for phase in ("window", "idle"):
            for per_s, text in r.get(f"busiest_{phase}", []):
                print(f"    {phase:6} {per_s:8.1f}/s  {text[:150]}")
        for e in r["error_examples"]:
            print(f"    error: {e}")
