#!/usr/bin/env python3
"""The whole case loop with real processes: kioskd (in tmux, every station in its terminal) synced
to kiosk-central on a real PostgreSQL, and the case desk in headless Chromium through Selenium.

1. A resident rates 不满意 at the counter: the kiosk opens a case; it is on the desk within 5 s.
2. A handler signs in, records the reply and resolves it with a root cause.
3. The lobby lookup on the kiosk (`.` and the reference's 11 digits) shows it resolved.
4. The kiosk's report and the centre's (report API and the desk's figures) count it as replied in
   time, and their case figures agree.
5. Escalation on a shortened deadline (an enquiry rated 一般 at the start, its service resolved
   within 1 minute): the notify command runs once per threshold, the counter shows the alert,
   staff acknowledge it with the case key, and the acknowledgement reaches the case's timeline.
6. The call-back number (issue 15): typed on the pad with `ask-contact = yes`, shown masked as
   typed, handed to the centre once (sealed with --contact-key-file) and erased at the kiosk;
   another site's handler never sees it, this site's handler opens it and the view is in the
   timeline; erased after the (shortened) retention; never in `kioskctl events`, the kiosk's
   log or its report.
7. Cases exactly once: the life of CASE_PROOF_CASES cases at a kiosk and at the desk while the
   centre is SIGKILLed twice, a kiosk's sync once and answers are cut after commit; each case
   event is applied once and the kiosk's pulled copy equals the centre's.

Run by scripts/test-central.sh (PGPORT, CENTRAL, KIOSK_BIN, WORK as for sync_proof.py).
Screenshots go to .artifacts/case-loop-*.png.
"""
import json, os, random, re, signal, sqlite3, stat, subprocess, sys, threading, time, urllib.request, uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sync_proof  # noqa: E402
from sync_proof import Centre, CuttingProxy, Kioskd, acked, kiosk_folder, kioskctl, psql  # noqa: E402
from desk_test import By, Client, Select, browser, login, shot, submit, cli, PASSWORD  # noqa: E402

check = sync_proof.check
WORK = os.environ["WORK"]


def case_opened(d):
    """The reference of the case the kiosk opened, from its own event log (None yet)."""
    con = sqlite3.connect(os.path.join(d, "kiosk.sqlite"))
    row = con.execute("SELECT payload FROM events WHERE type = 'case.opened' ORDER BY seq DESC LIMIT 1").fetchone()
    con.close()
    return json.loads(row[0])["caseRef"] if row else None


def wait(cond, seconds, step=0.1):
    end = time.time() + seconds
    while time.time() < end:
        v = cond()
        if v:
            return v
        time.sleep(step)
    return cond()


def admin_get(centre, path):
    r = urllib.request.Request(centre.url + path, headers={"Authorization": "Bearer " + centre.admin})
    return json.loads(urllib.request.urlopen(r, timeout=10).read())


def rate_visit(kioskd, d, service_key, label, rating, reason):
    """A ticket at the lobby, served at counter 1 by staff 1001 (already signed in) and rated;
    returns the reference of the case the rating opened."""
    before = case_opened(d)
    kioskd.keys(str(service_key), "Enter")          # lobby: a ticket
    kioskd.keys("Tab")                              # counter 1
    kioskd.keys("+")
    check(kioskd.wait_for_screen(f"{label} 号到 1 号窗口") is not None, f"counter 1 calls {label}")
    kioskd.keys("Enter", "Enter")                   # start, finish
    check(kioskd.wait_for_screen("请您对本次服务评价") is not None, "the pad asks for a rating")
    kioskd.keys(str(rating))
    kioskd.wait_for_screen("请告诉我们原因")
    kioskd.keys(str(reason))
    ref = wait(lambda: (case_opened(d) or before) != before and case_opened(d), 5)
    check(ref and kioskd.wait_for_screen(ref) is not None, f"the pad shows the commitment with reference {ref}")
    kioskd.keys("Tab", "Tab")                       # back to the lobby
    return ref


def loop():
    print("The case loop: kioskd + kiosk-central + PostgreSQL + Chromium", flush=True)
    notified = os.path.join(WORK, "notified.txt")
    script = os.path.join(WORK, "notify.sh")
    with open(script, "w") as f:
        f.write(f'#!/bin/sh\necho "$1 $2 $3" >> {notified}\n')
    os.chmod(script, os.stat(script).st_mode | stat.S_IEXEC | stat.S_IXGRP | stat.S_IXOTH)
    centre = Centre("proof_loop")
    centre.start("--notify-command", f"{script} {{site}} {{ref}} {{level}}", "--escalate-share", "0.5")
    token = centre.admin_cli("register", "--kiosk", "lk-1", "--site", "site-a").strip()
    status, out = cli(centre, "add", "wang.fang", "--role", "handler", "--site", "site-a", "--display-name", "王芳",
                      password=PASSWORD)
    check(status == 0, f"a handler account for site-a is made with `kiosk-central admin user add` ({out.strip()[:80]})")
    # Repairs, and enquiries settled at the counter: ordinary cases resolved within a minute (a
    # shortened deadline for the escalation part).
    d = kiosk_folder("lk-1", centre.url, token, "[service repairs]\n[service enquiries]\nresolve-ordinary = 1m\n"
                     "[counter 1]\nservices = repairs, enquiries\n[counter 2]\nservices = repairs, enquiries\n")
    kioskd = Kioskd(d, f"case-loop-{os.getpid()}")
    driver = browser(1280, 900)
    try:
        kioskd.keys("Tab", "0", "1", "0", "0", "1", "Enter", "1", "2", "3", "4", "Enter", "Tab", "Tab")
        # First an enquiry rated 一般 (reason 1, 等候时间): an ordinary case, resolved within a minute,
        # left alone; its escalation is checked at the end, while the rest goes on meanwhile.
        enquiry = rate_visit(kioskd, d, 6, "F001", 3, 1)
        enquiry_opened = time.time()
        # A repair rated 不满意 (reason 2, 服务态度): a serious case, handled at the desk.
        ref = rate_visit(kioskd, d, 1, "A001", 4, 2)
        check(ref is not None and ref.startswith("R") and ref != enquiry, f"the kiosk opened cases {enquiry} and {ref}")
        opened = time.time()
        login(driver, centre, "wang.fang")

        def on_desk():
            driver.get(centre.url + "/desk")
            return ref in [r.get_attribute("data-ref") for r in driver.find_elements(By.CSS_SELECTOR, "#cases tr.case")]
        seen = wait(on_desk, 5, step=0.3)
        took = time.time() - opened
        check(seen, f"the case is on the handler's desk {took:.1f} s after the rating (< 5 s)")
        shot(driver, "case-loop-desk.png")

        driver.get(f"{centre.url}/desk/cases/site-a/{ref}")
        check("A001" in driver.find_element(By.TAG_NAME, "main").text,
              "the case page shows the visit behind it (ticket A001)")
        form = driver.find_element(By.ID, "form-contact")
        Select(form.find_element(By.NAME, "channel")).select_by_value("phone")
        form.find_element(By.NAME, "note").send_keys("电话联系业主，已致歉并说明改进措施。")
        submit(driver, form.find_element(By.TAG_NAME, "button"))
        form = driver.find_element(By.ID, "form-resolve")
        Select(form.find_element(By.NAME, "rootCause")).select_by_value("cause.staff")
        form.find_element(By.NAME, "note").send_keys("已与服务人员面谈并培训。")
        submit(driver, form.find_element(By.TAG_NAME, "button"))
        check(driver.find_element(By.ID, "status").text == "已解决", "the handler recorded the reply and resolved the case")
        shot(driver, "case-loop-case.png")

        # The lobby lookup on the kiosk: the centre queued a `sync`, the kiosk pulled the state.
        digits = ref[1:].replace("-", "")
        t0 = time.time()

        def looked_up():
            kioskd.keys(".", *digits, "Enter")
            found = kioskd.wait_for_screen("已解决：", seconds=2) is not None
            if not found:
                kioskd.keys("Enter")  # back to the lobby; the kiosk shows its own fold until it pulls
            return found
        found = wait(looked_up, 20, step=0.5)
        check(found and "状态：已解决" in kioskd.screen(),
              f"the lobby lookup of {digits} shows the case resolved ({time.time() - t0:.1f} s after resolving)")
        kioskd.keys("Enter")

        # Figures: the kiosk's report, the centre's report API and the desk's figures agree.
        day = time.strftime("%Y-%m-%d", time.localtime())
        p = kioskctl(d, "sync")
        p.communicate()
        out, err = kioskctl(d, "report", "--json").communicate()
        mine = json.loads(out)["cases"]
        rows = admin_get(centre, "/v1/admin/reports?site=site-a")["rows"]
        check(mine.get("opened") == 2 and mine.get("answered") == 1,
              f"the kiosk's report counts two cases opened and one replied ({ {k: mine.get(k) for k in ('opened', 'answered', 'answeredInTime', 'overdue')} })")
        centre_opened = sum(r["casesOpened"] for r in rows)
        centre_answered = sum(r["casesAnswered"] for r in rows)
        check((centre_opened, centre_answered) == (mine.get("opened"), mine.get("answered")),
              f"the centre's report agrees: {centre_opened} opened, {centre_answered} replied")
        driver.get(centre.url + "/desk/figures")
        figures = {e.get_attribute("data-metric"): e.get_attribute("data-value")
                   for e in driver.find_elements(By.CSS_SELECTOR, "[data-metric]")}
        check(figures.get("replyInTime") == "0.5", f"the desk's figures: first reply within deadline 50 % ({figures.get('replyInTime')})")
        shot(driver, "case-loop-figures.png")

        escalation(centre, kioskd, enquiry, enquiry_opened, notified)
    finally:
        driver.quit()
        kioskd.stop()
        centre.kill()


def escalation(centre, kioskd, ref, opened, notified):
    """The enquiry's ordinary case is due within a minute: with --escalate-share 0.5 it is near
    after 30 s and overdue after 60 s; each threshold runs the notify command once and shows at
    the counters until acknowledged."""
    kioskd.keys("Tab")                              # counter 1's screen
    alert = None
    end = opened + 120
    while time.time() < end and alert is None:
        screen = kioskd.screen()
        if f"跟进单 {ref} 已超时" in screen:
            alert = "overdue"
        time.sleep(0.5)
    check(alert == "overdue", f"counter 1 shows '跟进单 {ref} 已超时' once the resolution deadline passed "
          f"({time.time() - opened:.0f} s after opening)")
    # The notifier runs what the escalation queued within seconds (it may come after the counter).
    def notified_lines():
        lines = open(notified).read().splitlines() if os.path.exists(notified) else []
        return [l for l in lines if ref in l]
    mine = wait(lambda: len(notified_lines()) >= 2 and notified_lines(), 15) or notified_lines()
    check(sorted(l.split()[-1] for l in mine) == ["resolve.near", "resolve.overdue"],
          f"the notify command ran once per threshold: {mine}")
    # The counter's own case (the repair) is resolved: the case key acknowledges the alert.
    kioskd.keys("7")
    check(wait(lambda: f"跟进单 {ref} 已超时" not in kioskd.screen(), 5),
          "staff acknowledged the alert with the case key; the counter no longer shows it")
    n = wait(lambda: int(psql(centre.db, f"SELECT count(*) FROM case_events WHERE ref = '{ref}' AND type = 'case.alert-acknowledged'")), 10)
    check(n >= 1, f"the acknowledgement is in the case's timeline at the centre ({n} event(s))")
    time.sleep(2)
    lines = open(notified).read().splitlines()
    check(len([l for l in lines if ref in l]) == 2, "no threshold was notified twice")


def desk_session(centre, name):
    """A handler's desk session over HTTP: (client, cookie headers, csrf token)."""
    http = Client(centre.url)
    _, headers, _ = http.login(name, PASSWORD)
    session = re.search(r"kiosk_desk=([^;]+)", " ".join(headers.get_all("Set-Cookie") or [])).group(1)
    cookie = {"Cookie": "kiosk_desk=" + session}
    _, _, page = http.request("GET", "/desk", headers=cookie)
    return http, cookie, re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def contacts():
    number, masked = "13812345678", "138****5678"
    print("The call-back number: pad → kiosk → centre (sealed) → desk → retention", flush=True)
    key = os.path.join(WORK, "contact.key")
    with open(key, "w") as f:
        f.write(os.urandom(32).hex() + "\n")
    os.chmod(key, 0o600)
    sms = os.path.join(WORK, "sms.txt")
    script = os.path.join(WORK, "sms.sh")
    with open(script, "w") as f:
        f.write(f'#!/bin/sh\necho "$1 $2 $3 $4" >> {sms}\n')
    os.chmod(script, 0o755)
    centre = Centre("proof_contacts")
    centre.start("--contact-key-file", key, "--contact-retention", "4s", "--notify-command", f"{script} {{ref}} {{level}} {{phone}} {{message}}")
    token = centre.admin_cli("register", "--kiosk", "ct-1", "--site", "site-a").strip()
    for name, site in (("zhao.lei", "site-a"), ("sun.mei", "site-b")):
        status, out = cli(centre, "add", name, "--role", "handler", "--site", site, password=PASSWORD)
        check(status == 0, f"a handler account {name} for {site}")
    d = kiosk_folder("ct-1", centre.url, token, "ask-contact = yes\n[service repairs]\n[counter 1]\nservices = repairs\n")
    kioskd = Kioskd(d, f"case-contacts-{os.getpid()}")
    try:
        kioskd.keys("Tab", "0", "1", "0", "0", "1", "Enter", "1", "2", "3", "4", "Enter", "Tab")
        kioskd.keys("1", "Enter", "Tab", "+")
        check(kioskd.wait_for_screen("A001 号到 1 号窗口") is not None, "counter 1 calls A001")
        kioskd.keys("Enter", "Enter")
        kioskd.wait_for_screen("请您对本次服务评价")
        kioskd.keys("4")
        kioskd.wait_for_screen("请告诉我们原因")
        kioskd.keys("2")
        check(kioskd.wait_for_screen("如需回访，请输入手机号码（按 确认 跳过）") is not None,
              "the case opened and the pad asks for a call-back number")
        kioskd.keys(*number[:7])
        screen = kioskd.screen()
        check("***1234" in screen and number[:7] not in screen, "the digits are masked as typed, except the last four")
        kioskd.keys(*number[7:], "Enter")
        ref = case_opened(d)
        check(ref and kioskd.wait_for_screen(ref) is not None, f"the pad shows the commitment of {ref}")

        def at_centre():
            return psql(centre.db, f"SELECT masked FROM case_contacts WHERE ref = '{ref}' AND sealed IS NOT NULL") == masked

        def erased_here():
            con = sqlite3.connect(os.path.join(d, "kiosk.sqlite"))
            row = con.execute("SELECT number IS NULL, masked FROM case_contacts WHERE ref = ?", (ref,)).fetchone()
            con.close()
            return row == (1, masked)
        t0 = time.time()
        check(wait(at_centre, 10, step=0.2), f"the centre keeps the number sealed ({time.time() - t0:.1f} s)")
        check(wait(erased_here, 10, step=0.2), "the kiosk erased its copy once the centre had it (the masked form stays)")
        clear = psql(centre.db, f"SELECT count(*) FROM case_contacts WHERE position('{number}'::bytea in sealed) > 0")
        check(clear == "0", "the number is not in the centre's database in clear")

        other, other_cookie, _ = desk_session(centre, "sun.mei")
        status, _, page = other.request("GET", f"/desk/cases/site-a/{ref}", headers=other_cookie)
        status2, _, _ = other.request("POST", f"/desk/cases/site-a/{ref}/show-contact", {"csrf": "x", "request": "y"}, headers=other_cookie)
        check(status == 404 and number not in page and status2 in (403, 404),
              f"a handler of another site sees neither the case nor the number ({status}, {status2})")
        http, cookie, csrf = desk_session(centre, "zhao.lei")
        _, _, page = http.request("GET", f"/desk/cases/site-a/{ref}", headers=cookie)
        check(masked in page and number not in page, "this site's handler sees the number masked on the case page")
        status, _, page = http.request("POST", f"/desk/cases/site-a/{ref}/show-contact",
                                       {"csrf": csrf, "request": str(uuid.uuid4())}, headers=cookie)
        views = psql(centre.db, f"SELECT actor FROM case_events WHERE ref = '{ref}' AND type = 'case.contact-viewed'")
        check(status == 200 and number in page and views == "zhao.lei",
              f"…opens it on asking, and the view is in the case's timeline ({views})")

        for action, fields in (("callback", {"outcome": "reached", "note": "已电话回访"}),
                               ("resolve", {"rootCause": "cause.staff", "note": "已回访致歉"}), ("close", {"verdict": "satisfied"})):
            status, headers, _ = http.request("POST", f"/desk/cases/site-a/{ref}/{action}",
                                              dict(fields, csrf=csrf, request=str(uuid.uuid4())), headers=cookie)
            check(status == 303 and "error=" not in headers.get("Location", ""), f"the handler records '{action}'")
        _, _, page = http.request("GET", "/desk/figures", headers=cookie)
        figure = re.search(r'data-metric="callbackInTime" data-value="([^"]+)"', page)
        check(figure and figure.group(1) == "1.0", f"the desk's figures: call-back reached within deadline 100 % ({figure and figure.group(1)})")
        t0 = time.time()
        gone = wait(lambda: psql(centre.db, f"SELECT count(*) FROM case_contacts WHERE ref = '{ref}' AND sealed IS NULL "
                                            "AND erased_why = 'retention'") == "1", 15, step=0.3)
        check(gone, f"the number is erased {time.time() - t0:.1f} s after closing (retention 4 s)")
        def messages():
            lines = open(sms).read().splitlines() if os.path.exists(sms) else []
            return [l.split(" ", 3) for l in lines if l.startswith(ref + " resident.")]
        wait(lambda: len(messages()) >= 2, 5, step=0.3)
        time.sleep(1)
        got = sorted(m[1] for m in messages())
        check(got == ["resident.received", "resident.resolved"] and all(m[2] == number for m in messages()),
              f"the notify script got the resident's received and resolved messages once each, to their number ({got})")
        check(any("已受理" in m[3] and ref in m[3] for m in messages()), "…worded from the catalog, with the reference")
        sends = psql(centre.db, f"SELECT string_agg(payload->>'level' || ':' || (payload->>'detail'), ',' ORDER BY id) FROM case_events "
                                f"WHERE ref = '{ref}' AND type = 'case.resident-notified'")
        check(sends == "resident.received:sent,resident.resolved:sent", f"each send is on the case with its outcome ({sends})")
        out = centre.admin_cli("erase-contact", "site-a", ref)
        erasures = psql(centre.db, f"SELECT count(*) FROM case_events WHERE ref = '{ref}' AND type = 'case.contact-erased'")
        check("no call-back number left" in out and erasures == "1",
              f"`admin erase-contact` finds nothing left; the erasure is recorded once ({erasures})")

        leaks = []
        for args in (["events"], ["events", "--json"], ["report"], ["report", "--json"]):
            out, _ = kioskctl(d, *args).communicate()
            if number in out:
                leaks.append("kioskctl " + " ".join(args))
        for name in ("kioskd.log",):
            if number in open(os.path.join(d, name), errors="replace").read():
                leaks.append(name)
        if number in open(centre.log.name, errors="replace").read():
            leaks.append("the centre's log")
        con = sqlite3.connect(os.path.join(d, "kiosk.sqlite"))
        if any(number in p for (p,) in con.execute("SELECT payload FROM events")):
            leaks.append("the kiosk's events table")
        con.close()
        check(not leaks, f"the full number is in none of kioskctl events/report, the logs, the event log ({leaks})")
    finally:
        kioskd.stop()
        centre.kill()


CASES = int(os.environ.get("CASE_PROOF_CASES", "40"))


def kiosk_with_cases(name, url, token, n):
    """A kiosk whose outbox holds the life of `n` cases as the kiosk records it: each opened, every
    other one also replied to at the counter (`case.contacted`), in the real schema."""
    d = kiosk_folder(name, url, token, "sync-batch-size = 7\n")
    db = os.path.join(d, "kiosk.sqlite")
    probe = subprocess.Popen([os.path.join(sync_proof.KIOSK_BIN, "kiosk-crash-probe"), db], stdout=subprocess.PIPE)
    probe.stdout.readline()
    probe.send_signal(signal.SIGKILL)
    probe.wait()
    con = sqlite3.connect(db)
    con.execute("DELETE FROM tickets")
    con.execute("DELETE FROM events")
    # Opened in the last hour: no deadline is near while the proof runs (no escalation joins in).
    start, rows, seq = int(time.time()) - 3600, [], 0
    iso = lambda t: time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))
    day = time.strftime("%Y-%m-%d", time.gmtime(start))
    for i in range(1, n + 1):
        t = start + i * 60
        ref = f"R20261203-{i:03d}"
        events = [{"type": "case.opened", "time": iso(t), "day": day, "caseRef": ref, "ticket": f"A{i:03d}",
                   "service": "repairs", "counter": 1, "staff": "1001", "rating": 4, "reason": "reason.attitude",
                   "severity": "serious", "deadline": iso(t + 48 * 3600), "resolveBy": iso(t + 6 * 3600)}]
        if i % 2:
            events.append({"type": "case.contacted", "time": iso(t + 30), "day": day, "caseRef": ref,
                           "channel": "counter", "counter": 1, "staff": "1001"})
        for e in events:
            seq += 1
            rows.append((seq, name, e["type"], e["time"], e["day"], json.dumps(e, sort_keys=True)))
    con.executemany("INSERT INTO events (seq, kiosk, type, device_time, day, payload) VALUES (?, ?, ?, ?, ?, ?)", rows)
    con.commit()
    con.close()
    return d, seq


class Desk:
    """A handler at the desk posting forms over HTTP, each with its own one-time request id; a
    form whose answer was lost (the centre killed) is sent again with the same id, as a browser
    resending it would."""

    def __init__(self, centre):
        self.centre, self.sent, self.resent = centre, 0, 0
        self.http = Client(centre.url)
        status, headers, _ = self.http.login("chen.li", PASSWORD)
        self.session = re.search(r"kiosk_desk=([^;]+)", " ".join(headers.get_all("Set-Cookie") or [])).group(1)
        _, _, page = self.http.request("GET", "/desk", headers=self.cookie())
        self.csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)

    def cookie(self):
        return {"Cookie": "kiosk_desk=" + self.session}

    def act(self, ref, action, fields):
        form = dict(fields, csrf=self.csrf, request=str(uuid.uuid4()))
        tries = 0
        while True:
            tries += 1
            try:
                status, headers, body = self.http.request("POST", f"/desk/cases/site-a/{ref}/{action}", form, headers=self.cookie())
            except OSError:
                status = None
            if status == 303 and "error=" not in headers.get("Location", ""):
                self.sent += 1
                self.resent += tries - 1
                # Sometimes the answer "was lost" anyway: the same form again, applied once.
                if random.random() < 0.2:
                    self.http.request("POST", f"/desk/cases/site-a/{ref}/{action}", form, headers=self.cookie())
                    self.resent += 1
                return
            if status not in (None, 502, 503) and status < 500:
                raise SystemExit(f"desk {action} {ref}: {status} {headers.get('Location')} {body[:200]}")
            time.sleep(0.2)


def case_exactly_once():
    print(f"Cases exactly once: {CASES} cases lived through a kiosk and the desk while the centre is "
          "SIGKILLed twice and the kiosk's sync once; connections cut after commit", flush=True)
    random.seed(10)
    centre = Centre("proof_cases")
    centre.start()
    proxy = CuttingProxy(centre.port, every=5)
    token = centre.admin_cli("register", "--kiosk", "ck-1", "--site", "site-a").strip()
    status, out = cli(centre, "add", "chen.li", "--role", "handler", "--site", "site-a", password=PASSWORD)
    check(status == 0, "a handler for site-a")
    d, n = kiosk_with_cases("ck-1", f"http://127.0.0.1:{proxy.port}", token, CASES)
    desk = Desk(centre)
    stop = threading.Event()
    syncs = {"runs": 0, "kills": 0}

    def kiosk_syncs():
        while not stop.is_set():
            p = kioskctl(d, "sync")
            syncs["runs"] += 1
            if syncs["kills"] == 0 and syncs["runs"] == 3:
                time.sleep(0.3)
                p.send_signal(signal.SIGKILL)
                syncs["kills"] += 1
            p.communicate()
            time.sleep(0.1)
    syncer = threading.Thread(target=kiosk_syncs, daemon=True)
    syncer.start()
    kills = 0
    acts = 0
    for i in range(1, CASES + 1):
        ref = f"R20261203-{i:03d}"
        deadline = time.time() + 60
        while time.time() < deadline and psql(centre.db, f"SELECT count(*) FROM cases WHERE ref = '{ref}'") != "1":
            time.sleep(0.05)
        for action, fields in [("resolve", {"rootCause": "cause.staff", "note": f"{ref} 已处理"}),
                               ("close", {"verdict": "satisfied"})]:
            acts += 1
            if kills < 2 and acts in (CASES // 2, CASES + CASES // 2):
                # SIGKILL the centre while the form is on its way, and bring it back.
                threading.Timer(0.01, lambda: (centre.kill(), time.sleep(0.5), centre.start())).start()
                kills += 1
            desk.act(ref, action, fields)
    # Everything uploaded and pulled back, then the kiosk's copy is compared with the centre's.
    deadline = time.time() + 120
    while time.time() < deadline and acked(d) < n:
        time.sleep(0.2)
    stop.set()
    syncer.join()
    # The proxy cuts every 5th answer, pulls included: a cut pull is simply asked again later,
    # as the kiosk's next sync would.
    for _ in range(10):
        out, _ = kioskctl(d, "sync").communicate()
        if "case states pulled through" in out:
            break
    check(acked(d) == n, f"all {n} case events of the kiosk were acknowledged ({acked(d)})")
    check(kills == 2 and syncs["kills"] == 1 and proxy.cuts > 0,
          f"the centre was SIGKILLed {kills} times, a kiosk sync once, {proxy.cuts} answers cut after commit; "
          f"{desk.resent} desk forms sent again")
    dup = psql(centre.db, "SELECT count(*) FROM (SELECT source FROM case_events GROUP BY source HAVING count(*) > 1) x")
    per = psql(centre.db, "SELECT count(*) FILTER (WHERE type = 'case.opened'), count(*) FILTER (WHERE type = 'case.contacted'), "
                          "count(*) FILTER (WHERE type = 'case.resolved'), count(*) FILTER (WHERE type = 'case.closed') FROM case_events")
    expected = f"{CASES}|{(CASES + 1) // 2}|{CASES}|{CASES}"
    check(dup == "0" and per == expected,
          f"each case event is in the timeline once: opened|contacted|resolved|closed = {per} (expected {expected})")
    states = {r.split("|")[0]: r.split("|")[1:] for r in psql(
        centre.db, "SELECT ref, state->>'status', state->>'version', coalesce(state->>'firstReplyAt', '') FROM cases ORDER BY ref").splitlines()}
    wrong = [ref for ref, (status, version, reply) in states.items()
             if status != "closed" or int(version) != (4 if int(ref[-3:]) % 2 else 3)
             or bool(reply) != bool(int(ref[-3:]) % 2)]
    check(len(states) == CASES and not wrong,
          f"every case is closed with one event applied per act (version 4 when replied at the counter, else 3): wrong {wrong[:5]}")
    con = sqlite3.connect(os.path.join(d, "kiosk.sqlite"))
    pulled = {ref: [json.loads(s)["status"], str(v)] for ref, v, s in con.execute("SELECT ref, version, state FROM pulled_cases")}
    con.close()
    differ = {ref: (pulled.get(ref), [status, version]) for ref, (status, version, _) in states.items()
              if pulled.get(ref) != [status, version]}
    check(not differ and len(pulled) == CASES,
          f"the kiosk's pulled copy of all {len(pulled)} cases equals the centre's (status, version); differ: {list(differ.items())[:4]}")
    centre.kill()


if __name__ == "__main__":
    only = sys.argv[1:] or ["loop", "contacts", "case_exactly_once"]
    for name in only:
        globals()[name]()
    print(f"{sync_proof.passed} passed, {sync_proof.failed} failed", flush=True)
    sys.exit(1 if sync_proof.failed else 0)
