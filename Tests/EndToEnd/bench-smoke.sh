#!/bin/sh
# kiosk-bench in a few seconds (the debug build of `swift build --build-tests`; figures from a
# debug build mean nothing, the release benchmark is README "Performance"): it runs to the end
# with every figure measured, and `--write-layouts` (what scripts/lvgl-bench draws with LVGL)
# holds the busiest lobby and the two counter screens, which differ only in the banner's number.
set -eu
cd "$(dirname "$0")/../.."
bench=$(swift build --show-bin-path)/kiosk-bench
work=$(mktemp -d "${TMPDIR:-/tmp}/kiosk-bench-smoke.XXXXXX")
trap 'rm -rf "$work"' EXIT
fail() { echo "bench smoke: $*" >&2; exit 1; }

TMPDIR=$work "$bench" --assets Kiosk --iterations 3 > "$work/out.txt" || fail "kiosk-bench failed"
for figure in 'full-frame render' 'with write(2)' 'update (1 number)' 'key-to-flush' 'first frame' 'peak RSS w/o fb' 'binary'; do
    grep -qF "  $figure" "$work/out.txt" || { cat "$work/out.txt" >&2; fail "no '$figure' line"; }
done
if grep -q 'n/a' "$work/out.txt"; then cat "$work/out.txt" >&2; fail "a figure was not measured (n/a)"; fi
[ -z "$(ls -A "$work" | grep -v '^out.txt$')" ] || fail "kiosk-bench left files behind in TMPDIR: $(ls "$work")"

layouts=$work/layouts.txt
"$bench" --assets Kiosk --write-layouts "$layouts" || fail "kiosk-bench --write-layouts failed"
[ "$(grep -c '^screen ' "$layouts")" -eq 3 ] || fail "expected 3 screens in the layouts, got: $(grep '^screen ' "$layouts" | tr '\n' ' ')"
sed -n 2p "$layouts" | grep -q '^rect 0 0 1920 1080 [0-9A-F]\{6\}$' || fail "the lobby does not start with its full-screen background"
grep -q '^text [0-9]* [0-9]* [0-9]* [0-9A-F]\{6\} .*客户服务中心' "$layouts" || fail "the lobby's title is missing"
bad=$(grep -v -e '^screen [A-Za-z0-9-]*$' -e '^rect [0-9]* [0-9]* [0-9]* [0-9]* [0-9A-F]\{6\}$' -e '^text [0-9]* [0-9]* [0-9]* [0-9A-F]\{6\} .' "$layouts" || true)
[ -z "$bad" ] || fail "lines that are neither screen, rect nor text: $bad"
sed -n '/^screen counter-A100$/,/^screen counter-A101$/p' "$layouts" | sed '1d;$d' > "$work/a100"
sed -n '/^screen counter-A101$/,$p' "$layouts" | sed '1d' > "$work/a101"
changed=$(diff "$work/a100" "$work/a101" | grep -c '^[<>]' || true)
[ "$changed" -eq 2 ] || fail "the counter screens should differ in one line (the banner), got $changed changed lines"
diff "$work/a100" "$work/a101" | grep -q '^> text .* A101$' || fail "the line that changes is not the banner's A101"
echo "bench smoke: kiosk-bench ran with every figure, layouts written ($(wc -l < "$layouts") lines)"
