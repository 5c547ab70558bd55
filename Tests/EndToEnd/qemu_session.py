#!/usr/bin/env python3
"""Drives kioskd inside QEMU for scripts/qemu-e2e.sh: keys go to one station's USB keyboard
through QMP (each keyboard is bound to its own display, so input-send-event with that display's
id reaches that keyboard), screens are taken with screendump, and shell commands (chvt) reach the
guest through a second serial port. scripts/qemu-systemd.sh uses its `ticket` step too.

    qemu_session.py WORK visit          a whole visit: ticket, login, call, start, finish, rating
    qemu_session.py WORK vt-switch      switch to VT 2 and back; the picture must come back
    qemu_session.py WORK busy N         N tickets while the counter calls and serves, then the
                                        machine is frozen mid-work (power cut follows)
    qemu_session.py WORK ticket [SHOT]  one more ticket, then a screendump (default shot-after.png)
Exits non-zero with a FAIL line when a check fails."""
import json
import os
import socket
import sys
import time

WORK, STEP = sys.argv[1], sys.argv[2]


class QMP:
    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.connect(path)
        self.file = self.sock.makefile("rw")
        self.file.readline()
        self.cmd("qmp_capabilities")

    def cmd(self, name, **args):
        self.file.write(json.dumps({"execute": name, "arguments": args} if args else {"execute": name}) + "\n")
        self.file.flush()
        while True:
            reply = json.loads(self.file.readline())
            if "error" in reply:
                sys.exit(f"FAIL: QMP {name}: {reply['error']}")
            if "return" in reply:
                return reply["return"]

    def press(self, display, key, wait=0.35):
        """One key on the keyboard bound to `display` (lobby or desk), held 50 ms."""
        for down in (True, False):
            self.cmd("input-send-event", device=display,
                     events=[{"type": "key", "data": {"down": down, "key": {"type": "qcode", "data": key}}}])
            time.sleep(0.05)
        time.sleep(wait)

    def keys(self, display, keys, wait=0.35):
        for k in keys:
            self.press(display, k, wait)

    def shot(self, display, name, fmt="png"):
        path = f"{WORK}/{name}"
        self.cmd("screendump", filename=path, device=display, format=fmt)
        return path


def guest(command):
    """A shell command for the guest's control loop on its second serial port."""
    s = socket.socket(socket.AF_UNIX)
    s.connect(f"{WORK}/ctl.sock")
    s.sendall((command + "\n").encode())
    time.sleep(0.2)
    s.close()


def read_ppm(path):
    data = open(path, "rb").read()
    fields, pos = [], 0
    while len(fields) < 4:  # P6 width height maxval, whitespace separated
        while data[pos:pos + 1].isspace():
            pos += 1
        end = pos
        while not data[end:end + 1].isspace():
            end += 1
        fields.append(data[pos:end])
        pos = end
    return int(fields[1]), int(fields[2]), data[pos + 1:]


def differing_share(a, b):
    """Share of pixels that differ between two screendumps of the same size."""
    wa, ha, pa = read_ppm(a)
    wb, hb, pb = read_ppm(b)
    if (wa, ha) != (wb, hb):
        return 1.0
    diff = sum(1 for i in range(0, len(pa), 3 * 7) if pa[i:i + 3] != pb[i:i + 3])  # every 7th pixel
    return diff / (len(pa) // (3 * 7))


def serial():
    return open(f"{WORK}/serial.log", errors="replace").read()


def wait_for(text, seconds=20):
    end = time.time() + seconds
    while time.time() < end:
        if text in serial():
            return
        time.sleep(0.25)
    sys.exit(f"FAIL: '{text}' did not appear in the guest's log within {seconds} s")


q = QMP(f"{WORK}/qmp.sock")
if STEP == "visit":
    q.keys("lobby", ["kp_1", "kp_enter"], wait=1.0)              # a repairs ticket
    wait_for("ticket A001 issued")
    q.shot("lobby", "shot-ticket.png")
    q.keys("desk", ["kp_0", "kp_1", "kp_0", "kp_0", "kp_1", "kp_enter"])   # staff 1001
    q.keys("desk", ["kp_1", "kp_2", "kp_3", "kp_4", "kp_enter"], wait=1.0)  # PIN
    q.press("desk", "kp_add", wait=1.5)                          # call the next ticket
    wait_for("call A001 to counter 1")
    q.press("desk", "kp_enter", wait=1.0)                        # start service
    q.press("desk", "kp_enter", wait=1.5)                        # finish: the pad asks for a rating
    q.press("desk", "kp_2", wait=2.5)                            # 满意
    q.shot("desk", "shot-farewell.png")
elif STEP == "vt-switch":
    # The lobby must hold still while we look away: the visit left its ticket screen up, which
    # goes back to the idle screen by itself after ticket-screen seconds (10) — possibly while
    # VT 2 is shown, and then "before" and "back" differ for a reason that is not the switch.
    q.press("lobby", "kp_enter", wait=0.5)                      # ticket screen -> idle screen
    before = q.shot("lobby", "vt-before.ppm", "ppm")
    for _ in range(20):                                          # until the picture holds still
        time.sleep(0.5)
        again = q.shot("lobby", "vt-before-again.ppm", "ppm")
        if differing_share(before, again) == 0:
            break
        os.replace(again, before)
    guest("chvt 2")
    wait_for("console switched away")
    time.sleep(2.0)
    away = q.shot("lobby", "vt-away.ppm", "ppm")
    guest("chvt 1")
    wait_for("console back: redrawn")
    time.sleep(0.2)
    q.shot("lobby", "vt-back-early.ppm", "ppm")
    time.sleep(2.5)
    back = q.shot("lobby", "vt-back.ppm", "ppm")
    print(f"right after the switch back {differing_share(before, f'{WORK}/vt-back-early.ppm'):.2%} differed")
    changed, restored = differing_share(before, away), differing_share(before, back)
    print(f"VT 2 changed {changed:.0%} of the lobby picture; back on VT 1, {restored:.2%} still differs")
    if changed < 0.05:
        sys.exit("FAIL: switching to VT 2 did not change the picture (is the kernel console there?)")
    if restored > 0.01:
        sys.exit("FAIL: back on VT 1 the kiosk picture was not redrawn")
elif STEP == "busy":
    count = int(sys.argv[3])
    for n in range(count):
        q.press("lobby", "kp_enter", wait=0.15)                  # back to the lobby screen
        q.keys("lobby", ["kp_2" if n % 3 == 2 else "kp_1", "kp_enter"], wait=0.15)
        if n % 2 == 1:   # the counter serves one while two arrive
            q.keys("desk", ["kp_add", "kp_enter", "kp_enter", "kp_1"], wait=0.15)
    time.sleep(0.3)      # mid-work: the last keys may still be in flight
    q.cmd("stop")        # power cut: freeze first so the picture is the one at the cut
    q.shot("lobby", "shot-cut-lobby.png")
    q.shot("desk", "shot-cut-desk.png")
elif STEP == "ticket":
    q.keys("lobby", ["kp_1", "kp_enter"], wait=1.5)
    q.shot("lobby", sys.argv[3] if len(sys.argv) > 3 else "shot-after.png")
else:
    sys.exit(f"unknown step {STEP}")
