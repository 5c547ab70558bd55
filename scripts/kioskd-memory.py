#!/usr/bin/env python3
"""The real kioskd's resident memory at start, beside kiosk-bench's first-frame child (issue 14).

kiosk-bench's first-frame child does what a starting kioskd does before its first frame, in a
harness that links no storage, control socket or sync; this starts the real daemon: one lobby
station at 1920×1080×32 on a file framebuffer in $TMPDIR, and
NOTIFY_SOCKET, so it says READY=1 after its first frame as under systemd; a first start makes the
state folder, then each measured start finds it, as after a power cut. It prints kioskd's
peak RSS at READY=1 and 2 s later, each without the framebuffer mapping's pages (a file here, not
memory a /dev/fb device costs), and where the resident pages are: the program's code, its data,
libraries, heap. Runs five starts (or N); uses the release kioskd as shipped:

    swift build -c release --static-swift-stdlib --product kioskd && scripts/kioskd-memory.py [N]

`--history DB` starts on a copy of a stored history instead (a kiosk after weeks of service:
kioskd replays the last seven days and reads four weeks of tickets for its quiet hours), e.g.
a week of the busy day written by kiosk-sim:

    kiosk-sim Kiosk/scenarios/busy-day.scenario --seed 1 --warm-up 0 --days 7 --state-dir DIR
    scripts/kioskd-memory.py 5 --history DIR/seed-1/kiosk.sqlite
"""
import os, shutil, socket, subprocess, sys, tempfile, time

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
binary = os.environ.get("KIOSKD", os.path.join(root, ".build", "release", "kioskd"))
arguments = sys.argv[1:]
history = None
if "--history" in arguments:
    at = arguments.index("--history")
    if at + 1 >= len(arguments) or not os.path.isfile(arguments[at + 1]):
        sys.exit("--history needs a kiosk database file (a state folder's kiosk.sqlite, e.g. one kiosk-sim wrote)")
    history = arguments[at + 1]
    del arguments[at:at + 2]
starts = int(arguments[0]) if arguments else 5
if not os.access(binary, os.X_OK):
    sys.exit(f"{binary} is missing: build it first (swift build -c release --static-swift-stdlib --product kioskd)")


def status_kb(pid, key):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


def resident(pid, framebuffer):
    """Resident kB by kind: the program's code and data, the framebuffer, libraries, the rest."""
    kinds, name, perms = {}, "", ""
    for line in open(f"/proc/{pid}/smaps"):
        fields = line.split()
        if "-" in fields[0] and len(fields) >= 5 and ":" in fields[3]:
            perms, name = fields[1], fields[5] if len(fields) > 5 else "[anonymous]"
        elif fields[0] == "Rss:":
            if name == framebuffer:
                kind = "framebuffer"
            elif name == os.path.realpath(binary):
                kind = "program code" if "x" in perms else "program data"
            elif name.startswith("/"):
                kind = "libraries"
            else:
                kind = "heap and stacks"
            kinds[kind] = kinds.get(kind, 0) + int(fields[1])
    return kinds


def one_start(folder):
    framebuffer = os.path.join(folder, "lobby.fb")
    config = os.path.join(folder, "kiosk.conf")
    with open(config, "w") as f:
        f.write(f"[station lobby]\nrole = lobby\ndisplay = file:{framebuffer}?width=1920&height=1080&bpp=32\n")
    notify_path = os.path.join(folder, "notify")
    if os.path.exists(notify_path):
        os.unlink(notify_path)
    notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    notify.bind(notify_path)
    notify.settimeout(30)
    env = dict(os.environ, NOTIFY_SOCKET=notify_path)
    log = open(os.path.join(folder, "kioskd.log"), "w")
    started = time.monotonic()
    daemon = subprocess.Popen([binary, "--config", config, "--state-dir", os.path.join(folder, "state"),
                               "--runtime-dir", folder], stdin=subprocess.DEVNULL, stdout=log, stderr=log, env=env)
    try:
        while True:
            message = notify.recv(4096).decode()
            if "READY=1" in message:
                break
        ready = time.monotonic() - started
        at_ready = status_kb(daemon.pid, "VmHWM"), resident(daemon.pid, framebuffer)
        time.sleep(2)
        settled = status_kb(daemon.pid, "VmHWM"), resident(daemon.pid, framebuffer)
    except socket.timeout:
        sys.exit("kioskd did not say READY=1 within 30 s; its log: " + open(os.path.join(folder, "kioskd.log")).read())
    finally:
        daemon.terminate()
        daemon.wait()
        notify.close()
    return ready, at_ready, settled


def mb(kb):
    return f"{kb / 1024:.1f}"


print(f"kioskd: {binary} ({os.path.getsize(binary) / 1048576:.1f} MB), {starts} starts, one lobby at 1920×1080×32")
with tempfile.TemporaryDirectory(dir=os.environ.get("TMPDIR", "/tmp")) as folder:
    # The first start makes the state folder (database, first backup); a kiosk's every later
    # start (after a power cut) finds it, which the measured starts do.
    one_start(folder)
    if history:
        # The first start's database and its files give way to the history's (its WAL and mark too).
        database = os.path.join(folder, "state", "kiosk.sqlite")
        for suffix in ("", "-wal", "-shm", ".mark"):
            if os.path.exists(database + suffix):
                os.unlink(database + suffix)
        for suffix in ("", "-wal", ".mark"):
            if os.path.exists(history + suffix):
                shutil.copyfile(history + suffix, database + suffix)
        print(f"  on a copy of {history} ({os.path.getsize(history) / 1048576:.1f} MB)")
    peaks = []
    for _ in range(starts):
        ready, (peak_ready, kinds_ready), (peak_settled, kinds_settled) = one_start(folder)
        fb_ready, fb_settled = kinds_ready.get("framebuffer", 0), kinds_settled.get("framebuffer", 0)
        peaks.append(peak_ready - fb_ready)
        parts = ", ".join(f"{k} {mb(v)}" for k, v in sorted(kinds_settled.items()) if k != "framebuffer")
        print(f"  READY=1 after {ready * 1000:.0f} ms: peak RSS without the framebuffer {mb(peak_ready - fb_ready)} MB; "
              f"2 s later {mb(peak_settled - fb_settled)} MB (resident: {parts})")
    # Starts differ by 0.1-0.3 MB (what the page cache holds around each page touched): the
    # median and the range, to the kB, for comparing two builds alternated in the same session.
    peaks.sort()
    print(f"  peak RSS at READY=1 without the framebuffer: median {peaks[len(peaks) // 2] / 1024:.2f} MB "
          f"(range {peaks[0] / 1024:.2f}-{peaks[-1] / 1024:.2f}, {len(peaks)} starts)")
