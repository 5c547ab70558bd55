"""A kiosk-central cluster for tests and the fleet load test: N `kiosk-central serve` processes
on one PostgreSQL database and, when N > 1 (or asked), one nginx in front of them, as a big fleet
is deployed (docs/central.md). Nothing here keeps state a centre needs: any process can be
SIGKILLed and started again, and the cluster's URL keeps working through the others.

    from cluster import Cluster
    c = Cluster(pgport=5432, db="proof_multi", central="Central/.build/debug/kiosk-central",
                work="/tmp/work", processes=2)
    try:
        ... c.url, c.admin, c.process_urls, c.pids ...
        c.kill(0); c.start(0)
    finally:
        c.stop()

Python 3 standard library only; needs `psql` and (for nginx) `nginx` on PATH or in /usr/sbin.
"""
import os
import resource
import shutil
import signal
import socket
import subprocess
import time
import urllib.request

# Long-polls wait at most 30 s (ProtocolLimits.maxCommandWaitSeconds): nginx must hold a quiet
# upstream read longer than that, or it answers 504 to a kiosk that is only waiting.
PROXY_READ_TIMEOUT_S = 75


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def raise_nofile():
    """Lifts this process's open-file limit to the hard limit (a centre or nginx holding thousands
    of long-polls needs a descriptor for each); used as the children's preexec_fn."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def find_nginx():
    path = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
    if not path:
        raise SystemExit("cluster: nginx not found; run scripts/setup-debian.sh (it installs nginx)")
    return path


class Cluster:
    """`processes` centres on database `db` of the PostgreSQL at 127.0.0.1:`pgport`.

    fresh: drop and create the database first. nginx: None = only when processes > 1. args: more
    `serve` options for every process. Logs (<name>-<i>.log, nginx-error.log) go to `work`/<db>/."""

    def __init__(self, pgport, db, central, work, processes=1, nginx=None, fresh=True, pghost="127.0.0.1",
                 args=(), name="centre"):
        self.pgport, self.pghost, self.db, self.central = str(pgport), pghost, db, os.path.abspath(central)
        self.args, self.name = list(args), name
        if not os.access(self.central, os.X_OK):
            raise SystemExit(f"cluster: {self.central} is not an executable kiosk-central; build Central first "
                             "(swift build --package-path Central) or set CENTRAL")
        self.dir = os.path.join(os.path.abspath(work), db)
        os.makedirs(self.dir, exist_ok=True)
        self.database_url = f"postgres://postgres@{pghost}:{self.pgport}/{db}"
        if fresh:
            self.psql("postgres", f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
            self.psql("postgres", f"CREATE DATABASE {db}")
        # Migrate once, before any process starts: `serve` also migrates, but N processes doing it
        # at once would race on the schema.
        self._run_central("migrate")
        self.admin = self._run_central("create-admin-token", "--label", "cluster").strip()
        self.ports = [free_port() for _ in range(processes)]
        self.procs = [None] * processes
        self.logs = [open(os.path.join(self.dir, f"{name}-{i}.log"), "a") for i in range(processes)]
        self.nginx_proc, self.nginx_port = None, None
        try:
            for i in range(processes):
                self.start(i)
            if nginx or (nginx is None and processes > 1):
                self._start_nginx()
        except BaseException:
            self.stop()
            raise

    # MARK: addresses

    @property
    def process_urls(self):
        return [f"http://127.0.0.1:{p}" for p in self.ports]

    @property
    def url(self):
        """nginx's URL when there is one, otherwise the single process's."""
        return f"http://127.0.0.1:{self.nginx_port}" if self.nginx_proc else self.process_urls[0]

    @property
    def pids(self):
        """The running centre processes' ids (not nginx's)."""
        return [p.pid for p in self.procs if p and p.poll() is None]

    @property
    def nginx_pids(self):
        """nginx's master and workers (for CPU accounting)."""
        if not self.nginx_proc or self.nginx_proc.poll() is not None:
            return []
        master = self.nginx_proc.pid
        return [master] + children_of(master)

    # MARK: processes

    def start(self, i):
        """Starts centre `i` (again) and waits until it answers GET /v1/health."""
        if self.procs[i] and self.procs[i].poll() is None:
            return
        env = dict(os.environ, KIOSK_CENTRAL_DATABASE_URL=self.database_url, LOG_LEVEL="warning")
        self.procs[i] = subprocess.Popen([self.central, "serve", "--port", str(self.ports[i])] + self.args, env=env,
                                         stdout=self.logs[i], stderr=self.logs[i], preexec_fn=raise_nofile)
        url = self.process_urls[i] + "/v1/health"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.procs[i].poll() is not None:
                break
            try:
                urllib.request.urlopen(url, timeout=1).read()
                return
            except Exception:
                time.sleep(0.05)
        raise SystemExit(f"cluster: kiosk-central {i} did not answer {url} within 30 s; see {self.logs[i].name}")

    def kill(self, i):
        """SIGKILLs centre `i` (a crash: no goodbye to its clients or to PostgreSQL)."""
        p = self.procs[i]
        if p and p.poll() is None:
            p.send_signal(signal.SIGKILL)
            p.wait()
        self.procs[i] = None

    def stop(self, timeout=10):
        """Stops nginx and every centre: SIGTERM, then SIGKILL for those still running after
        `timeout` s (a centre finishes its held long-polls first, which takes up to their wait)."""
        procs = [p for p in [self.nginx_proc, *self.procs] if p and p.poll() is None]
        for p in procs:
            p.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for p in procs:
            try:
                p.wait(timeout=max(0.01, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        self.nginx_proc = None
        self.procs = [None] * len(self.procs)
        for log in self.logs:
            log.close()

    # MARK: helpers

    def psql(self, db, sql):
        out = subprocess.run(["psql", "-h", self.pghost, "-p", self.pgport, "-U", "postgres", "-d", db, "-Atqc", sql],
                             check=True, capture_output=True, text=True).stdout
        return out.strip()

    def _run_central(self, *args):
        env = dict(os.environ, KIOSK_CENTRAL_DATABASE_URL=self.database_url, LOG_LEVEL="warning")
        p = subprocess.run([self.central, *args], env=env, capture_output=True, text=True)
        if p.returncode != 0:
            raise SystemExit(f"cluster: kiosk-central {' '.join(args)} failed on {self.database_url}: {p.stderr.strip()}")
        return p.stdout

    def _start_nginx(self):
        """nginx on loopback, plain HTTP, round robin over the centres with upstream keepalive.
        Its temp folders and pid file live in the work folder (no root-owned /var paths)."""
        d = os.path.join(self.dir, "nginx")
        for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            os.makedirs(os.path.join(d, sub), exist_ok=True)
            os.chmod(os.path.join(d, sub), 0o777)  # workers run as nobody when started by root
        os.chmod(d, 0o755)
        self.nginx_port = free_port()
        _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        nofile = hard if hard != resource.RLIM_INFINITY else 1 << 20
        # Each held long-poll costs a worker two connections (kiosk side and centre side).
        connections = max(1024, nofile - 64)
        servers = "\n".join(f"        server 127.0.0.1:{p} max_fails=1 fail_timeout=2s;" for p in self.ports)
        conf = os.path.join(d, "nginx.conf")
        with open(conf, "w") as f:
            f.write(f"""daemon off;
worker_processes 1;
worker_rlimit_nofile {nofile};
pid {d}/nginx.pid;
error_log {d}/nginx-error.log warn;
events {{ worker_connections {connections}; multi_accept on; }}
http {{
    access_log off;
    client_body_temp_path {d}/body; proxy_temp_path {d}/proxy; fastcgi_temp_path {d}/fastcgi;
    uwsgi_temp_path {d}/uwsgi; scgi_temp_path {d}/scgi;
    keepalive_timeout 120s;
    keepalive_requests 1000000;
    upstream centres {{
{servers}
        keepalive 512;
        keepalive_requests 1000000;
        keepalive_timeout 60s;
    }}
    server {{
        listen 127.0.0.1:{self.nginx_port} backlog=4096;
        client_max_body_size 5m;
        location / {{
            proxy_pass http://centres;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_read_timeout {PROXY_READ_TIMEOUT_S}s;
            proxy_buffering off;
        }}
    }}
}}
""")
        log = os.path.join(d, "nginx-error.log")
        self.nginx_proc = subprocess.Popen([find_nginx(), "-p", d, "-c", conf, "-e", log], stdout=subprocess.DEVNULL,
                                           stderr=open(os.path.join(d, "nginx-stderr.log"), "a"),
                                           preexec_fn=raise_nofile)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.nginx_proc.poll() is not None:
                break
            try:
                urllib.request.urlopen(self.url + "/v1/health", timeout=1).read()
                return
            except Exception:
                time.sleep(0.05)
        raise SystemExit(f"cluster: nginx did not answer {self.url}/v1/health within 15 s; see {log}")


def children_of(pid):
    """Process ids whose parent is `pid` (from /proc)."""
    kids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            kids.append(int(entry))
    return kids
