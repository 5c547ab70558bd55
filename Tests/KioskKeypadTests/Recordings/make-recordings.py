#!/usr/bin/env python3
"""Writes the evemu recordings the keypad tests replay: a whole visit on a USB numeric keypad,
as evemu-record prints it (MSC_SCAN before each key, SYN_REPORT after, NumLock injected around
keys as cheap keypads do, auto-repeat while a key is held, one SYN_DROPPED gap). Run it only to
change the recordings; the tests use the files."""
import os

HEADER = """# EVEMU 1.3
# Kernel: 6.1.0-28-amd64
# DMI: dmi:bvnSeaBIOS:bvr1.16.2-debian-1.16.2-1:bd04/01/2014:svnQEMU:pnStandardPC
# Input device name: "{name}"
# Input device ID: bus 0x03 vendor 0x627 product 0x01 version 0x111
N: {name}
I: 0003 0627 0001 0111
P: 00 00 00 00 00 00 00 00
B: 00 0b 00 00 00 00 00 00 00
B: 01 fe ff ff ff ff ff ff ff
B: 01 ff ff ef ff df ff ff fe
B: 04 10 00 00 00 00 00 00 00
B: 11 1f 00 00 00 00 00 00 00
L: 00 0
L: 01 0
################################
#      Waiting for events      #
################################
"""
CODES = {"0": 82, "1": 79, "2": 80, "3": 81, "4": 75, "5": 76, "6": 77, "7": 71, "8": 72, "9": 73,
         "enter": 96, "+": 78, "-": 74, "*": 55, "/": 98, ".": 83, "numlock": 69}
SCAN = {k: 0x70000 + 0x53 + i for i, k in enumerate(CODES)}

class Rec:
    def __init__(self, name):
        self.name, self.t, self.lines = name, 0.0, []
    def ev(self, typ, code, value, note=""):
        s = int(self.t); us = int(round((self.t - s) * 1e6))
        self.lines.append(f"E: {s}.{us:06d} {typ:04x} {code:04x} {value}" + (f"\t# {note}" if note else ""))
    def syn(self): self.ev(0, 0, 0, "------------ SYN_REPORT (0) ----------")
    def key(self, k, value):
        self.ev(4, 4, SCAN[k], "EV_MSC / MSC_SCAN"); self.ev(1, CODES[k], value, f"EV_KEY / {k} {value}"); self.syn()
    def press(self, keys, gap=0.35, hold=0.09, numlock=False):
        for k in keys:
            if numlock: self.key("numlock", 1); self.key("numlock", 0)
            self.key(k, 1); self.t += hold; self.key(k, 0); self.t += gap
    def hold(self, k, seconds):
        self.key(k, 1); self.t += 0.5
        while self.t < seconds:
            self.ev(1, CODES[k], 2, "EV_KEY autorepeat"); self.syn(); self.t += 0.033
        self.key(k, 0); self.t += 0.4
    def write(self, path):
        with open(path, "w") as f:
            f.write(HEADER.format(name=self.name) + "\n".join(self.lines) + "\n")

here = os.path.dirname(os.path.abspath(__file__))

lobby = Rec("Lobby USB Keypad")
lobby.t = 0.2
lobby.press(["1"], numlock=True)        # 报修 repairs
lobby.t += 1.2
lobby.press(["enter"])                  # take the ticket
lobby.write(os.path.join(here, "lobby-take-ticket.evemu"))

c1 = Rec("Counter USB Keypad")
c1.t = 0.3
c1.press(["0", "1", "0", "0", "1", "enter"])          # staff number 1001
c1.press(["1", "2", "3", "4", "enter"], gap=0.25)     # PIN
# The kernel's buffer overflowed: a 9 (pause!) half-delivered, then SYN_DROPPED; everything up
# to the next SYN_REPORT must be discarded.
c1.ev(4, 4, SCAN["9"], "EV_MSC / MSC_SCAN"); c1.ev(1, CODES["9"], 1, "lost in the overflow")
c1.ev(0, 3, 0, "++++++++++++ SYN_DROPPED ++++++++++++")
c1.ev(1, CODES["9"], 0, "still inside the dropped report"); c1.syn()
c1.t += 0.5
c1.press(["+"])                                       # call the next ticket
c1.write(os.path.join(here, "counter-login-call.evemu"))

c2 = Rec("Counter USB Keypad")   # the same keypad after it was unplugged and plugged back
c2.t = 0.1
c2.press(["enter"])                                   # start service
c2.t += 2.0
c2.press(["enter"])                                   # finish: the pad asks for a rating
c2.t += 1.0
c2.hold("2", 1.9)                                     # 满意, held long enough to auto-repeat
c2.write(os.path.join(here, "counter-serve-rate.evemu"))
