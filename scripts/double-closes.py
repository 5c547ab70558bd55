#!/usr/bin/env python3
"""Closes of a descriptor that was already closed, from `strace -f -Z -k -e trace=close`.

The Swift suites run in parallel in one process, so a descriptor closed twice closes whatever
another test opened with that number in between. Run the suites under strace, then this:

    strace -f --seccomp-bpf -Z -k -e trace=close -o close.log \\
        "$(swift build --show-bin-path)/kioskPackageTests.xctest" --testing-library swift-testing
    scripts/double-closes.py close.log

It prints each close that failed with EBADF and its stack, leaving out close(-1) and the
close-everything loops of spawned children (posix_spawn, closefrom), and exits 1 if any.
"""
import sys

if len(sys.argv) != 2:
    sys.exit("usage: scripts/double-closes.py STRACE-LOG (written by strace -f -Z -k -e trace=close)")
entries, current = [], None
for line in open(sys.argv[1], errors="replace"):
    if line.startswith(" > "):
        if current:
            current[1].append(line.rstrip())
    else:
        current = (line.rstrip(), [])
        entries.append(current)
found = [(head, stack) for head, stack in entries
         if "EBADF" in head and "close(-1)" not in head
         and not any("posix_spawn" in frame or "closefrom" in frame for frame in stack)]
for head, stack in found:
    print(head)
    for frame in stack[:12]:
        print("   ", frame)
print(f"{len(found)} close(s) of a closed descriptor")
sys.exit(1 if found else 0)
