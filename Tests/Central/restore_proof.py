#!/usr/bin/env python3
"""Proof of `kioskctl restore --from-central` with real processes: a real kioskd (in tmux) syncing
to kiosk-central on a real PostgreSQL, its storage damaged and then lost, rebuilt from the
centre's copy. What a resident and IT must be able to rely on:

- numbering goes on where it stood: no ticket number is given twice in a day, also when the
  events the centre never received are gone;
- the seqs of the lost events are never used again, and the kiosk's outbox drains (the centre
  acknowledges through the declared loss);
- the restore says what was restored and what was lost.

Run by scripts/test-central.sh (part `restore`) with the environment sync_proof.py takes.
"""
import os, shutil, sqlite3, sys, time

from sync_proof import Centre, Kioskd, check, kiosk_folder, kioskctl, acked, psql
import sync_proof


def tickets(d):
    """The day's ticket labels in the kiosk's log, in order."""
    con = sqlite3.connect(os.path.join(d, "kiosk.sqlite"))
    rows = [r[0] for r in con.execute(
        "SELECT json_extract(payload, '$.ticket') FROM events WHERE type = 'ticket.issued' ORDER BY seq")]
    con.close()
    return rows


def last_seq(d):
    con = sqlite3.connect(os.path.join(d, "kiosk.sqlite"))
    n = con.execute("SELECT COALESCE(MAX(seq), 0) FROM events").fetchone()[0]
    con.close()
    return n


def take_ticket(kioskd, d):
    """Service 1 on the lobby keypad; returns the label the kiosk stored."""
    before = len(tickets(d))
    kioskd.keys("1", "Enter")
    for _ in range(50):
        now = tickets(d)
        if len(now) > before:
            kioskd.keys("Enter")  # back to the lobby for the next resident
            return now[-1]
        time.sleep(0.1)
    raise SystemExit("kioskd stored no ticket; see its screen:\n" + kioskd.screen())


def restore(d, *args):
    p = kioskctl(d, "restore", *args)
    out, err = p.communicate()
    return p.returncode, out, err


def wait_drained(centre, d, kiosk, seconds=15):
    t0 = time.time()
    while time.time() - t0 < seconds:
        if acked(d) == last_seq(d) and int(psql(centre.db, f"SELECT acked_seq FROM kiosks WHERE id = '{kiosk}'")) == last_seq(d):
            return time.time() - t0
        time.sleep(0.2)
    return None


def number(label):
    return int(label.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))


def restore_from_central():
    print("Restore from the centre: a damaged database, then a lost state folder", flush=True)
    centre = Centre("proof_restore")
    centre.start()
    token = centre.admin_cli("register", "--kiosk", "rs-1", "--site", "site-a").strip()
    d = kiosk_folder("rs-1", centre.url, token)
    session = f"kiosk-restore-proof-{os.getpid()}"
    kioskd = Kioskd(d, session)
    seen = []
    try:
        seen += [take_ticket(kioskd, d) for _ in range(3)]
        took = wait_drained(centre, d, "rs-1")
        check(took is not None, f"3 tickets ({', '.join(seen)}) reached the centre")
        # The centre goes away; two more residents take tickets that never reach it.
        centre.kill()
        seen += [take_ticket(kioskd, d) for _ in range(2)]
        stored = last_seq(d)
        kioskd.stop()

        # 1. The database is damaged (its first page overwritten), the mark survives.
        db = os.path.join(d, "kiosk.sqlite")
        with open(db, "r+b") as f:
            f.write(os.urandom(4096))
        code, out, err = restore(d, "--from-central")
        check(code == 69 and "cannot read this kiosk's events from the centre" in err,
              f"with the centre down the restore refuses and says why (exit {code}): {err.strip()[:160]}")
        centre.start()
        code, out, err = restore(d, "--from-central")
        held = int(psql(centre.db, "SELECT acked_seq FROM kiosks WHERE id = 'rs-1'"))
        check(code == 0 and f"from the centre: {held} events" in out and f"LOST: events #{held + 1}…#{stored}" in out,
              f"restored {held} events from the centre; the {stored - held} it never received are named: {out.strip()!r} {err.strip()[:200]}")
        check(any(n.startswith("kiosk.sqlite.damaged-") for n in os.listdir(d)), "the damaged file is kept aside")
        check(f"continue {stored - held} above the highest known" in out, "the restore says how far the day's numbering skips")
        code_check = kioskctl(d, "check")
        check_out, _ = code_check.communicate()
        check(code_check.returncode == 0 and f"declared lost (events.lost): #{held + 1}…#{stored}" in check_out,
              "kioskctl check finds the restored file sound, with the declared loss")

        status_out, _ = kioskctl(d, "status").communicate()
        check(f"Lost with the storage (a restore lacked them; events.lost): #{held + 1}…#{stored}" in status_out,
              "kioskctl status names the lost events")
        kioskd = Kioskd(d, session)
        label = take_ticket(kioskd, d)
        check(label not in seen and number(label) > max(number(s) for s in seen),
              f"the next ticket is {label}: above every number given today ({', '.join(seen)}), also the lost ones")
        seen.append(label)
        took = wait_drained(centre, d, "rs-1")
        check(took is not None,
              f"the outbox drains: the centre acknowledges through the declared loss to #{last_seq(d)} ({took or 0:.1f} s)")
        kioskd.stop()

        # 2. The whole state folder is lost (a new disk): no database, no mark, no backups.
        for name in os.listdir(d):
            if name.startswith("kiosk.sqlite") or name == "backups":
                path = os.path.join(d, name)
                if os.path.isdir(path):
                    shutil.rmtree(path)
                else:
                    os.unlink(path)
        # Started on the empty folder without a restore, kioskd would begin the day at 001
        # again: it asks the centre, finds it holds more of this kiosk, and gives no ticket.
        kioskd = Kioskd(d, session)
        refused, status_out = None, ""
        for _ in range(100):
            status_out, _ = kioskctl(d, "status").communicate()
            if "REFUSED" in status_out:
                refused = True
                break
            time.sleep(0.2)
        check(refused and "its state folder was replaced" in status_out and "kioskctl restore --from-central" in status_out,
              f"kioskd on a new disk refuses to give tickets and says to restore: {status_out.strip()[:300]!r}")
        check("暂停取号" in kioskd.screen(), "the lobby shows the neutral paused screen")
        kioskd.keys("1", "Enter")
        time.sleep(1)
        check(tickets(d) == [], "no ticket was given on the new disk")
        kioskd.stop()
        code, out, err = restore(d, "--from-central", "--skip-numbers", "20")
        check(code == 0 and "are unknown" in out and "continue 20 above the highest known" in out,
              f"the new disk's log gives way to the centre's copy (no --accept-loss), which says what is unknown: {out.strip()!r} {err.strip()[:200]}")
        kioskd = Kioskd(d, session)
        label = take_ticket(kioskd, d)
        check(number(label) == max(number(s) for s in seen) + 21,
              f"the next ticket is {label}: 20 numbers above the last the centre knew, none given twice")
        took = wait_drained(centre, d, "rs-1")
        check(took is not None, f"the outbox drains again ({took or 0:.1f} s)")
        labels = [r for r in psql(centre.db, "SELECT payload->>'ticket' FROM events WHERE kiosk_id = 'rs-1' AND type = 'ticket.issued'").split("\n") if r]
        check(len(labels) == len(set(labels)), f"the centre holds {len(labels)} tickets of the day, each number once")
    finally:
        kioskd.stop()
        centre.kill()


if __name__ == "__main__":
    restore_from_central()
    print(f"{sync_proof.passed} passed, {sync_proof.failed} failed", flush=True)
    sys.exit(1 if sync_proof.failed else 0)
