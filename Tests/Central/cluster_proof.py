#!/usr/bin/env python3
"""Proof that several kiosk-central processes on one PostgreSQL behave as one (issue 12): two
processes behind one nginx (Tests/Central/cluster.py), a real kioskd long-polling through nginx.

- A command queued directly on either process (one of them is not the process the kiosk's
  long-poll waits on) is delivered within a second (the centre's own created/delivered times):
  the processes wake each other through LISTEN/NOTIFY, nothing is polled.
- A token revoked through one process is refused by the other at once.
- A process killed with SIGKILL: the kiosk carries on through nginx with the other one; its
  commands and events still arrive, exactly once.
- A process stopped with SIGTERM answers its waiting long-polls at once and exits.

Run by scripts/test-central.sh (part `cluster`), with the environment of sync_proof.py.
"""
import json, os, signal, subprocess, sys, threading, time, urllib.error, urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sync_proof as sp  # noqa: E402
from cluster import Cluster  # noqa: E402


class Process:
    """IT's command line against one centre process, bypassing nginx."""

    def __init__(self, url, admin):
        self.url, self.admin = url, admin

    def admin_cli(self, *args):
        env = dict(os.environ, KIOSK_CENTRAL_URL=self.url, KIOSK_CENTRAL_TOKEN=self.admin)
        return subprocess.run([sp.CENTRAL, "admin", *args], env=env, check=True, capture_output=True, text=True).stdout


def seconds_between(a, b):
    """Seconds from ISO time `a` to ISO time `b` (the centre's millisecond UTC times)."""
    def parse(t):
        return time.mktime(time.strptime(t[:19], "%Y-%m-%dT%H:%M:%S")) + float("0" + t[19:-1])
    return parse(b) - parse(a)


def status(url, token):
    """The HTTP status of a heartbeat sent with `token` straight to one process."""
    request = urllib.request.Request(url + "/v1/heartbeat", data=b"{}", method="POST",
                                     headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    try:
        return urllib.request.urlopen(request, timeout=5).status
    except urllib.error.HTTPError as e:
        return e.code


def two_processes_behind_nginx():
    print("Two centre processes on one database behind nginx work as one", flush=True)
    cluster = Cluster(sp.PGPORT, "proof_cluster", sp.CENTRAL, sp.WORK, processes=2)
    via_nginx = Process(cluster.url, cluster.admin)
    processes = [Process(u, cluster.admin) for u in cluster.process_urls]
    kioskd = None
    try:
        token = via_nginx.admin_cli("register", "--kiosk", "mp-1", "--site", "site-m").strip()
        d = sp.kiosk_folder("mp-1", cluster.url, token)
        kioskd = sp.Kioskd(d, f"kiosk-central-cluster-{os.getpid()}")
        time.sleep(1.0)  # the first (empty) sync and the first command poll, through nginx
        for i, p in enumerate(processes):
            ids = sp.queue(p, "set-weather", "--kiosk", "mp-1", "--argument", ["rain", "hot"][i])
            row = sp.command_statuses(p, ids).get(ids[0], {})
            took = seconds_between(row["createdAt"], row["deliveredAt"]) if row.get("deliveredAt") else None
            sp.check(row.get("status") == "done" and took is not None and took < 1.0,
                     f"a command queued on process {i + 1} reached the kiosk waiting behind nginx in "
                     f"{took if took is not None else -1:.3f} s (< 1 s) and was done: {row.get('message')}")
        # The kiosk's events, through whichever process nginx picks.
        kioskd.keys("1", "Enter")
        out, err = sp.kioskctl(d, "sync").communicate()
        local = sp.local_events(d)
        held = int(cluster.psql("proof_cluster", "SELECT count(*) FROM events WHERE kiosk_id = 'mp-1'"))
        sp.check("backlog 0" in out and held == local, f"the kiosk's {local} events reached the centre once each ({held} held)")
        # One process crashes: the other serves the kiosk through nginx.
        cluster.kill(0)
        ids = sp.queue(processes[1], "set-weather", "--kiosk", "mp-1", "--argument", "clear")
        row = sp.command_statuses(processes[1], ids, seconds=30).get(ids[0], {})
        sp.check(row.get("status") == "done", f"with process 1 killed, a command through process 2 is still done: {row.get('message')}")
        kioskd.keys("2", "Enter")
        out, err = sp.kioskctl(d, "sync").communicate()
        local = sp.local_events(d)
        held = int(cluster.psql("proof_cluster", "SELECT count(*) FROM events WHERE kiosk_id = 'mp-1'"))
        sp.check("backlog 0" in out and held == local,
                 f"and its events still arrive exactly once ({held} held, {local} at the kiosk): {out.strip()[:80]} {err.strip()[:80]}")
        cluster.start(0)
        # Revocation through one process holds on the other at once (its token cache is told).
        sp.check(status(processes[1].url, token) == 200, "process 2 knows (and caches) the kiosk's token")
        processes[0].admin_cli("revoke", "--kiosk", "mp-1")
        t0 = time.time()
        code = status(processes[1].url, token)
        while code == 200 and time.time() - t0 < 5:
            code = status(processes[1].url, token)
        sp.check(code == 401 and time.time() - t0 < 1.0,
                 f"revoked through process 1 (restarted), the token is refused by process 2 after {time.time() - t0:.3f} s (< 1 s)")
        # SIGTERM: a waiting long-poll is answered at once and the process exits without
        # waiting out the poll (a rolling restart behind nginx).
        token2 = via_nginx.admin_cli("register", "--kiosk", "mp-2", "--site", "site-m").strip()
        answer = {}

        def poll():
            request = urllib.request.Request(processes[1].url + "/v1/commands?wait=25",
                                             headers={"Authorization": "Bearer " + token2})
            t = time.time()
            try:
                answer["status"] = urllib.request.urlopen(request, timeout=30).status
            except Exception as e:  # noqa: BLE001 (reported below)
                answer["status"] = repr(e)
            answer["seconds"] = time.time() - t
        poller = threading.Thread(target=poll)
        poller.start()
        time.sleep(0.5)
        t0 = time.time()
        cluster.procs[1].send_signal(signal.SIGTERM)
        cluster.procs[1].wait(timeout=30)
        stopped = time.time() - t0
        poller.join()
        sp.check(answer.get("status") == 200 and answer["seconds"] < 3 and stopped < 3,
                 f"SIGTERM: the waiting long-poll was answered ({answer.get('status')}) after {answer.get('seconds', -1):.2f} s "
                 f"and the process stopped in {stopped:.2f} s (< 3 s, not the poll's 25 s)")
    finally:
        if kioskd:
            kioskd.stop()
        cluster.stop()


if __name__ == "__main__":
    two_processes_behind_nginx()
    print(f"{sp.passed} passed, {sp.failed} failed", flush=True)
    sys.exit(1 if sp.failed else 0)
