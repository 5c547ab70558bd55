#!/usr/bin/env python3
"""Fleet load test of kiosk-central: N simulated kiosks that behave as real ones do, and one
table row per size with what the centre and PostgreSQL spent and how fast the kiosks were served.

Each simulated kiosk (registered through the admin API) holds `GET /v1/commands?wait=25` open on
its own connection (SyncWorker's commandWait) and acknowledges every command it gets; on a second
connection it sends a heartbeat every 30 s followed by `GET /v1/sites/{site}/config?after=V` (as
SyncWorker does after each heartbeat) and 20 events every 60 s (a visit: issued, called, service
started and finished, rated). Kiosks start spread over the warm-up, so there is no thundering
herd. A commander queues a `sync` command to a random kiosk a few times a second through the admin
API; delivery is the time from the admin reply to the kiosk receiving the command.

Phases per size: registration, warm-up, the measuring window (figures), a drain (late
deliveries), then an idle phase in which kiosks only hold long-polls (the idle cost per kiosk).

Two ways to run it (scripts/loadtest.sh does the first, with a throwaway PostgreSQL):
  loadtest.py --pg-port P --central BIN --work DIR [--sizes "100 1000"] [--processes "1 2"]
      a fresh database and a cluster (Tests/Central/cluster.py) per size and process count;
  loadtest.py --url http://127.0.0.1:8080 --token ADMIN --kiosks 100 [--centre-pid PID ...]
      against a running centre (its CPU only with --centre-pid; PostgreSQL via --pg-port).
Loopback only, at most 10,000 kiosks. --smoke exits 1 on any error or undelivered command.
Python 3 standard library only.
"""
import argparse
import asyncio
import ipaddress
import json
import math
import multiprocessing
import os
import random
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "Central"))
from loadtest_http import HTTPConn, HTTPError  # noqa: E402  (scripts/, beside this file)
import loadtest_measure as measure  # noqa: E402
from loadtest_kiosk import KINDS, client_process, sleep_until  # noqa: E402

MAX_KIOSKS = 10_000


# MARK: the admin side

async def register(url, admin, n, concurrency=32):
    """Registers n kiosks (10 per site) and publishes one configuration per site, concurrently."""
    u = urllib.parse.urlsplit(url)
    todo = [(f"load-{i:05d}", f"site-{i // 10:04d}") for i in range(n)]
    sites = sorted({s for _, s in todo})
    out = {}

    async def worker(items, make):
        conn = HTTPConn(u.hostname, u.port)
        try:
            for item in items:
                await make(conn, item)
        finally:
            conn.close()

    async def reg(conn, item):
        kid, site = item
        status, body = await conn.request("POST", "/v1/admin/kiosks", admin, {"kiosk": kid, "site": site, "name": kid})
        out[kid] = (kid, site, json.loads(body)["token"])

    async def publish(conn, site):
        await conn.request("POST", "/v1/admin/config", admin,
                           {"site": site, "body": f"[kiosk]\nsync-interval = 30\n# {site}: load test\n"})

    try:
        await asyncio.gather(*(worker(todo[i::concurrency], reg) for i in range(concurrency)))
        await asyncio.gather(*(worker(sites[i::concurrency], publish) for i in range(concurrency)))
    except (HTTPError, OSError, asyncio.TimeoutError, asyncio.IncompleteReadError) as e:
        raise SystemExit(f"loadtest: registering {n} kiosks at {url} failed ({type(e).__name__}: {e}); "
                         "is the centre up and the admin token right?")
    return [out[kid] for kid, _ in todo]


async def commander(url, admin, kiosk_ids, plan, rate):
    """Queues `sync` to random kiosks at `rate`/s during the window; returns {id: reply time},
    queue latencies and errors."""
    u = urllib.parse.urlsplit(url)
    queued, latencies, errors = {}, [], []
    conns = [HTTPConn(u.hostname, u.port) for _ in range(4)]
    free = asyncio.Queue()
    for c in conns:
        free.put_nowait(c)

    async def one():
        conn = await free.get()
        t = time.time()
        try:
            _, body = await conn.request("POST", "/v1/admin/commands", admin,
                                         {"kiosk": random.choice(kiosk_ids), "type": "sync"})
            now = time.time()
            latencies.append((t, now - t))
            for cid in json.loads(body)["ids"]:
                queued[cid] = now
        except (HTTPError, OSError, asyncio.TimeoutError, asyncio.IncompleteReadError) as e:
            errors.append((t, "command", f"{type(e).__name__}: {e}"))
        finally:
            free.put_nowait(conn)

    await sleep_until(plan["window_start"])
    tasks, t = [], plan["window_start"]
    while t < plan["window_end"]:
        await sleep_until(t)
        tasks.append(asyncio.create_task(one()))
        t += random.expovariate(rate)
    await asyncio.gather(*tasks)
    for c in conns:
        c.close()
    return queued, latencies, errors


# MARK: one size

def run_size(url, admin, n, args, centre_pids=lambda: [], nginx_pids=lambda: [], pg=None):
    """Runs one size against `url`; returns the row (a dict)."""
    t_reg = time.time()
    kiosks = asyncio.run(register(url, admin, n))
    reg_s = time.time() - t_reg
    clients = args.clients or max(1, math.ceil(n / 2500))
    t0 = time.time() + 1.0
    plan = {"t0": t0, "ramp": args.warmup * 0.6, "wait": 25, "heartbeat": args.heartbeat, "upload": args.upload,
            "events": args.events}
    plan["window_start"] = t0 + args.warmup
    plan["window_end"] = plan["window_start"] + args.seconds
    plan["idle_start"] = plan["window_end"] + args.drain
    plan["end"] = plan["idle_start"] + args.idle
    ctx = multiprocessing.get_context("fork")
    procs, pipes = [], []
    for i in range(clients):
        parent_end, child_end = ctx.Pipe(duplex=False)
        p = ctx.Process(target=client_process, args=(kiosks[i::clients], url, plan, child_end), daemon=True)
        p.start()
        procs.append(p)
        pipes.append(parent_end)

    def pids():
        return {"centre": centre_pids(), "pg": pg.pids() if pg else [], "nginx": nginx_pids(),
                "generator": [os.getpid()] + [p.pid for p in procs]}

    async def orchestrate():
        cmd = asyncio.create_task(commander(url, admin, [k[0] for k in kiosks], plan, args.commands))
        await sleep_until(plan["window_start"])
        a = measure.Snapshot(pids(), pg, detail=True)
        await sleep_until(plan["window_end"])
        b = measure.Snapshot(pids(), pg, detail=True)
        # Idle: heartbeats and uploads have stopped; a second for the last ones in flight.
        await sleep_until(plan["idle_start"] + 1.5)
        c = measure.Snapshot(pids(), pg, detail=True)
        await sleep_until(plan["end"] - 0.5)
        d = measure.Snapshot(pids(), pg, detail=True)
        return await cmd, (a, b, c, d)

    (queued, queue_lat, cmd_errors), (a, b, c, d) = asyncio.run(orchestrate())
    results = []
    for p, pipe in zip(procs, pipes):
        if pipe.poll(plan["wait"] + 60):
            results.append(pipe.recv())
        else:
            results.append({"samples": {}, "errors": [(time.time(), "client", f"client process {p.pid} sent nothing")],
                            "delivered": {}, "redelivered": 0, "reconnects": 0})
        p.join(10)
    return summarise(n, plan, results, queued, queue_lat, cmd_errors, (a, b, c, d), reg_s, clients)


def summarise(n, plan, results, queued, queue_lat, cmd_errors, snaps, reg_s, clients):
    a, b, c, d = snaps
    ws, we = plan["window_start"], plan["window_end"]
    row = {"kiosks": n, "clients": clients, "register_s": round(reg_s, 1)}
    row.update(measure.cpu_percent(a, b))
    row["statements_per_s"], row["statements_source"] = measure.rate(a, b)
    idle_rate, _ = measure.rate(c, d)
    row["busiest_window"], row["busiest_idle"] = measure.busiest(a, b), measure.busiest(c, d)
    row["idle_statements_per_s_per_kiosk"] = None if idle_rate is None else idle_rate / n
    for kind in KINDS[:-1]:
        lat = sorted(x for r in results for t, x in r["samples"].get(kind, []) if ws <= t < we)
        row[kind] = measure.percentiles(lat)
    delivered = {}
    for r in results:
        delivered.update(r["delivered"])
    row["delivery"] = measure.percentiles(sorted(max(0.0, delivered[i] - t) for i, t in queued.items() if i in delivered))
    row["queue"] = measure.percentiles(sorted(x for _, x in queue_lat))
    row["commands"] = len(queued)
    row["undelivered"] = sorted(i for i in queued if i not in delivered)
    row["redelivered"] = sum(r["redelivered"] for r in results)
    row["reconnects"] = sum(r["reconnects"] for r in results)
    row["generator_lag"] = measure.percentiles(sorted(x for r in results for x in r.get("lags", [])))
    errors = sorted(cmd_errors + [e for r in results for e in r["errors"]])
    row["errors"] = len(errors)
    kinds = {}
    for _, k, m in errors:
        key = f"{k}: {' '.join(m.split())[:160]}"
        kinds[key] = kinds.get(key, 0) + 1
    row["error_examples"] = [f"{n} x {key}" for key, n in sorted(kinds.items(), key=lambda kv: -kv[1])[:5]]
    return row


# MARK: main

def is_loopback(url):
    host = urllib.parse.urlsplit(url).hostname or ""
    try:
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def parse():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--url", help="a running centre (loopback only)")
    p.add_argument("--token", help="its admin token (with --url)")
    p.add_argument("--kiosks", type=int, help="one size (with --url)")
    p.add_argument("--centre-pid", type=int, action="append", default=[], help="with --url: the centre's process id(s)")
    p.add_argument("--pg-port", type=int, help="the PostgreSQL on 127.0.0.1 (its CPU and statements)")
    p.add_argument("--central", help="kiosk-central binary (cluster mode)")
    p.add_argument("--baseline-central", help="an older kiosk-central binary measured the same way in the same run, "
                   "one process per size (its rows say 'baseline')")
    p.add_argument("--baseline-sizes", help="sizes for the baseline (default: --sizes)")
    p.add_argument("--work", help="scratch folder (cluster mode)")
    p.add_argument("--sizes", default="100 1000 2000 5000")
    p.add_argument("--processes", default="1 2", help="centre process counts; more than one runs behind nginx")
    p.add_argument("--seconds", type=float, default=60, help="the measuring window per size")
    p.add_argument("--warmup", type=float, default=20)
    p.add_argument("--drain", type=float, default=5, help="after the window, for late deliveries")
    p.add_argument("--idle", type=float, default=30, help="the idle phase (long-polls only); ≥ 25 s to see each re-poll")
    p.add_argument("--heartbeat", type=float, default=30, help="seconds between a kiosk's heartbeats")
    p.add_argument("--upload", type=float, default=60, help="seconds between a kiosk's uploads")
    p.add_argument("--events", type=int, default=20, help="events per upload")
    p.add_argument("--commands", type=float, default=3, help="commands queued per second")
    p.add_argument("--clients", type=int, default=0, help="client processes (default: one per 2,500 kiosks)")
    p.add_argument("--smoke", action="store_true", help="exit 1 on any error or undelivered command")
    p.add_argument("--json", help="also write the rows to this file")
    a = p.parse_args()
    if a.url and not is_loopback(a.url):
        p.error(f"--url {a.url} is not on loopback (127.0.0.0/8, ::1, localhost); the load test refuses to load another machine")
    if not 1 <= a.seconds <= 3600 or not 0 <= a.warmup <= 600 or not 0 <= a.idle <= 600:
        p.error("the window is 1–3600 s, the warm-up and the idle phase 0–600 s each: the load test is bounded")
    if a.url and not (a.token and a.kiosks):
        p.error("--url needs --token and --kiosks")
    if not a.url and not (a.pg_port and a.central and a.work):
        p.error("pass --pg-port, --central and --work (a cluster per size), or --url, --token and --kiosks")
    sizes = [a.kiosks] if a.url else [int(s) for s in a.sizes.split()]
    if any(not 1 <= s <= MAX_KIOSKS for s in sizes):
        p.error(f"sizes must be between 1 and {MAX_KIOSKS} kiosks: {sizes}")
    a.size_list = sizes
    return a


def main():
    args = parse()
    measure.raise_nofile()
    print(measure.machine_line(), flush=True)
    rows = []
    if args.url:
        pg = measure.Postgres(args.pg_port, "postgres") if args.pg_port else None
        row = run_size(args.url, args.token, args.kiosks, args, lambda: args.centre_pid, pg=pg)
        row["processes"] = "?"
        rows.append(row)
        measure.print_rows(rows, header=True)
    else:
        from cluster import Cluster
        header = True
        runs = [(args.central, int(p), n, str(p)) for p in args.processes.split() for n in args.size_list]
        if args.baseline_central:
            sizes = [int(s) for s in (args.baseline_sizes or args.sizes).split()]
            runs = [(args.baseline_central, 1, n, "1 (baseline)") for n in sizes] + runs
        for binary, procs, n, label in runs:
            db = f"loadtest_p{procs}_n{n}"
            cluster = Cluster(args.pg_port, db, binary, args.work, processes=procs)
            try:
                pg = measure.Postgres(args.pg_port, db)
                row = run_size(cluster.url, cluster.admin, n, args, lambda: cluster.pids, lambda: cluster.nginx_pids, pg)
            finally:
                cluster.stop(timeout=2)  # the figures are taken; no need to wait out held long-polls
            cluster.psql("postgres", f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
            row["processes"] = label
            rows.append(row)
            measure.print_rows([row], header=header)
            header = False
    measure.print_notes(rows)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=1)
    bad = [r for r in rows if r["errors"] or r["undelivered"] or r["commands"] == 0]
    if args.smoke and bad:
        for r in bad:
            print(f"loadtest: FAIL at {r['kiosks']} kiosks, {r['processes']} process(es): {r['errors']} errors, "
                  f"{len(r['undelivered'])} of {r['commands']} commands undelivered {r['undelivered'][:10]} "
                  "(the errors are listed above; the centres' logs follow)", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
