#!/bin/sh
# Writes packaging/first-frame.order: the functions of the static binary that kiosk-bench's
# first-frame child runs (exec, replay, fonts, first frame, settled frame), which Package.swift's
# leanStart asks lld to lay out side by side (--symbol-ordering-file). The kernel maps 64 kB of
# code around every page a process touches, so the start's code spread over the whole binary
# kept most of it resident. Run after changes to what a start does (a stale list costs memory,
# never correctness):
#   swift build -c release --static-swift-stdlib --product kiosk-bench && scripts/first-frame-order.sh
set -eu
cd "$(dirname "$0")/.."
BENCH=${BENCH:-.build/release/kiosk-bench}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
"$BENCH" --write-events "$WORK/events"
"$BENCH" --first-frame --events "$WORK/events" --glyph-cache "$WORK/glyphs"  # writes the glyph cache, as a kiosk's later starts have it
valgrind --tool=callgrind --demangle=no --callgrind-out-file="$WORK/callgrind" \
    "$BENCH" --first-frame --events "$WORK/events" --glyph-cache "$WORK/glyphs" 2>/dev/null
python3 - "$WORK/callgrind" "$(readlink -f "$BENCH")" > packaging/first-frame.order <<'PY'
import re, sys
objects, names, functions, current = {}, {}, set(), None
for line in open(sys.argv[1], errors="replace"):
    m = re.match(r"^(ob|cob|fn|cfn)=\((\d+)\)(?: (.*))?$", line.rstrip("\n"))
    if not m:
        continue
    kind, index, name = m.groups()
    if kind in ("ob", "cob"):
        if name:
            objects[index] = name
        if kind == "ob":
            current = objects.get(index)
    else:
        if name:
            names[index] = name
        if kind == "fn" and current == sys.argv[2] and not names[index].startswith("0x"):
            functions.add(names[index])
print("\n".join(sorted(functions)))
PY
echo "packaging/first-frame.order: $(wc -l < packaging/first-frame.order) functions"
