"""One simulated kiosk for the fleet load test (scripts/loadtest.py), as SyncWorker behaves: a
long-poll connection (GET /v1/commands?wait=25, each command acknowledged), and a second one for
heartbeats (each followed by the configuration check) and uploads of whole visits. A client
process runs its share of the kiosks on one event loop and sends back what it saw."""
import asyncio
import json
import os
import random
import time
import urllib.parse

from loadtest_http import HTTPConn, HTTPError
import loadtest_measure as measure

KINDS = ("heartbeat", "upload", "config", "ack", "delivery")


class Kiosk:
    def __init__(self, kid, site, token):
        self.id, self.site, self.token = kid, site, token
        self.seq = 0
        self.config_version = 0
        self.visit = 0


def visit_events(k, now):
    """One visit as a kiosk records it (5 events), with the fields the reports fold reads."""
    k.visit += 1
    t = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now))
    day = t[:10]
    ticket = f"A{k.visit % 1000:03d}"
    service = ("repairs", "rent", "keys")[k.visit % 3]
    counter = 1 + k.visit % 4
    rows = [
        {"type": "ticket.issued", "ticket": ticket, "service": service, "number": k.visit, "position": 2,
         "estimateLow": 4, "estimateHigh": 9, "priority": False},
        {"type": "ticket.called", "ticket": ticket, "service": service, "counter": counter, "staff": f"staff-{counter}"},
        {"type": "service.started", "ticket": ticket, "service": service, "counter": counter},
        {"type": "service.finished", "ticket": ticket, "service": service, "counter": counter},
        {"type": "rating.recorded", "ticket": ticket, "service": service, "rating": 1 + k.visit % 5},
    ]
    out = []
    for r in rows:
        k.seq += 1
        payload = dict(r, time=t, day=day)
        out.append({"seq": k.seq, "type": r["type"], "deviceTime": t, "payload": payload})
    return out


class Recorder:
    """What one client process saw: latencies (start time, seconds) per kind, errors, deliveries."""

    def __init__(self):
        self.samples = {k: [] for k in KINDS if k != "delivery"}
        self.errors = []
        self.delivered = {}  # command id -> first receipt time
        self.redelivered = 0

    def error(self, kind, message):
        self.errors.append((time.time(), kind, str(message)[:400]))


async def timed(rec, kind, coro):
    t = time.time()
    try:
        result = await coro
    except (HTTPError, OSError, asyncio.TimeoutError, asyncio.IncompleteReadError) as e:
        rec.error(kind, f"{type(e).__name__}: {e}")
        return None
    rec.samples[kind].append((t, time.time() - t))
    return result


async def sleep_until(t):
    d = t - time.time()
    if d > 0:
        await asyncio.sleep(d)


async def poll_loop(k, conn, plan, rec):
    """The long-poll: GET /v1/commands?wait=25, ack each command, again, until the end."""
    while time.time() < plan["end"]:
        try:
            status, body = await conn.request("GET", f"/v1/commands?wait={plan['wait']}", k.token,
                                              timeout=plan["wait"] + 20)
        except (HTTPError, OSError, asyncio.TimeoutError, asyncio.IncompleteReadError) as e:
            rec.error("poll", f"{type(e).__name__}: {e}")
            await asyncio.sleep(1)
            continue
        now = time.time()
        for c in json.loads(body).get("commands", []):
            if c["id"] in rec.delivered:
                rec.redelivered += 1
            else:
                rec.delivered[c["id"]] = now
            if c.get("type") != "sync":
                rec.error("poll", f"unexpected command {c}")
            await timed(rec, "ack", conn.request("POST", f"/v1/commands/{c['id']}/ack", k.token, {"result": "done"}))


async def work_loop(k, conn, plan, start, rec):
    """Heartbeat (then the config check) every `heartbeat` s, an upload every `upload` s, until
    the idle phase."""
    next_beat = start + random.uniform(0, plan["heartbeat"])
    next_upload = start + random.uniform(0, plan["upload"])
    born = time.time()
    while True:
        t = min(next_beat, next_upload)
        if t >= plan["idle_start"]:
            return
        await sleep_until(t)
        if next_beat <= next_upload:
            next_beat += plan["heartbeat"]
            beat = {"version": "1.4.0", "uptimeSeconds": int(time.time() - born), "backlog": 0,
                    "lastSuccess": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "diskFreeBytes": 12_000_000_000,
                    "configVersion": k.config_version, "clockOffsetMs": 12}
            reply = await timed(rec, "heartbeat", conn.request("POST", "/v1/heartbeat", k.token, beat))
            if reply is None:
                continue
            if json.loads(reply[1]).get("kiosk") != k.id:
                rec.error("heartbeat", f"reply names another kiosk: {reply[1][:200]!r}")
            site = urllib.parse.quote(k.site)
            reply = await timed(rec, "config", conn.request("GET", f"/v1/sites/{site}/config?after={k.config_version}", k.token))
            if reply and reply[0] == 200:
                k.config_version = json.loads(reply[1])["version"]
        else:
            next_upload += plan["upload"]
            events = []
            for _ in range(max(1, plan["events"] // 5)):
                events += visit_events(k, time.time())
            events = events[:plan["events"]]
            body = {"kiosk": k.id, "site": k.site, "sentAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                    "events": events}
            reply = await timed(rec, "upload", conn.request("POST", "/v1/events", k.token, body))
            if reply and json.loads(reply[1]).get("ackedSeq") != k.seq:
                rec.error("upload", f"ackedSeq is not {k.seq}: {reply[1][:200]!r}")


async def kiosk_life(k, host, port, plan, rec):
    start = plan["t0"] + random.uniform(0, plan["ramp"])
    await sleep_until(start)
    poll, work = HTTPConn(host, port), HTTPConn(host, port)
    tasks = [asyncio.create_task(poll_loop(k, poll, plan, rec)), asyncio.create_task(work_loop(k, work, plan, start, rec))]
    await sleep_until(plan["end"])
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    poll.close()
    work.close()
    return poll.reconnects + work.reconnects


def client_process(kiosks, url, plan, pipe):
    """One client process: its share of the kiosks on its own event loop; sends back a summary."""
    measure.raise_nofile()
    random.seed(os.getpid())
    u = urllib.parse.urlsplit(url)
    rec = Recorder()

    lags = []

    async def lag_probe():
        """How late this event loop wakes up during the window: when it is late, the latencies
        measured here include the generator's own delay, not only the centre's."""
        await sleep_until(plan["window_start"])
        while time.time() < plan["window_end"]:
            t = time.monotonic()
            await asyncio.sleep(0.05)
            lags.append(time.monotonic() - t - 0.05)

    async def main():
        probe = asyncio.create_task(lag_probe())
        lives = await asyncio.gather(*(kiosk_life(Kiosk(*k), u.hostname, u.port, plan, rec) for k in kiosks))
        await probe
        return lives

    reconnects = sum(asyncio.run(main()))
    pipe.send({"samples": rec.samples, "errors": rec.errors, "delivered": rec.delivered,
               "redelivered": rec.redelivered, "reconnects": reconnects, "lags": lags})
    pipe.close()
