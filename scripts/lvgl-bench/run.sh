#!/bin/sh
# kiosk-bench and LVGL drawing the same lobby, on this machine, in alternated runs (issue 14).
#
#   scripts/lvgl-bench/run.sh LVGL_DIR [ROUNDS]
#
# LVGL_DIR is an LVGL 9 source tree (the comparison in the README used v9.5.0: `git clone
# --branch v9.5.0 https://github.com/lvgl/lvgl`; LVGL is not packaged in Debian). It is built
# here with LVGL's own lv_conf_template.h changed only where the comparison needs it (32-bit
# colour, FreeType on, the C library's malloc and string functions), gcc -O2 unless CFLAGS says
# otherwise, into .build/lvgl-bench. The harness (lobby.c) draws what `kiosk-bench
# --write-layouts` writes: the same rectangles and texts, at the same places and sizes, in
# WenQuanYi Micro Hei. ROUNDS (default 3) pairs of runs, kiosk-bench first, then LVGL.
# Needs: gcc, libfreetype-dev, fonts-wqy-microhei (scripts/setup-debian.sh installs them), and a
# Swift toolchain (kiosk-bench is built here as shipped).
set -eu
lvgl=${1:?usage: scripts/lvgl-bench/run.sh LVGL_DIR [ROUNDS]}
rounds=${2:-3}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
[ -f "$lvgl/lvgl.h" ] && [ -f "$lvgl/lv_conf_template.h" ] || { echo "$lvgl is not an LVGL source tree (no lvgl.h, lv_conf_template.h)" >&2; exit 2; }
font=/usr/share/fonts/truetype/wqy/wqy-microhei.ttc
[ -f "$font" ] || { echo "$font is missing: apt-get install fonts-wqy-microhei (or run scripts/setup-debian.sh)" >&2; exit 2; }
[ -f /usr/include/freetype2/ft2build.h ] || { echo "FreeType headers are missing: apt-get install libfreetype-dev" >&2; exit 2; }
cflags=${CFLAGS:--O2}
build="$root/.build/lvgl-bench"
mkdir -p "$build/obj"

# lv_conf.h: the template, enabled, with 32-bit colour, FreeType, and libc's malloc/memcpy.
sed -e 's|^#if 0 /\* Set this to "1" to enable content \*/|#if 1|' \
    -e 's|^#define LV_COLOR_DEPTH 16|#define LV_COLOR_DEPTH 32|' \
    -e 's|^#define LV_USE_STDLIB_MALLOC    LV_STDLIB_BUILTIN|#define LV_USE_STDLIB_MALLOC    LV_STDLIB_CLIB|' \
    -e 's|^#define LV_USE_STDLIB_STRING    LV_STDLIB_BUILTIN|#define LV_USE_STDLIB_STRING    LV_STDLIB_CLIB|' \
    -e 's|^#define LV_USE_STDLIB_SPRINTF   LV_STDLIB_BUILTIN|#define LV_USE_STDLIB_SPRINTF   LV_STDLIB_CLIB|' \
    -e 's|^#define LV_USE_FREETYPE 0|#define LV_USE_FREETYPE 1|' \
    "$lvgl/lv_conf_template.h" > "$build/lv_conf.h.new"
for key in 'LV_COLOR_DEPTH 32' 'LV_USE_FREETYPE 1' 'LV_USE_STDLIB_MALLOC    LV_STDLIB_CLIB'; do
    grep -q "^#define $key" "$build/lv_conf.h.new" || { echo "this LVGL's lv_conf_template.h has no line for $key: use LVGL 9.x" >&2; exit 2; }
done
# A changed configuration or flags rebuilds everything.
if ! cmp -s "$build/lv_conf.h.new" "$build/lv_conf.h" || [ "$(cat "$build/flags" 2>/dev/null)" != "$cflags $lvgl" ]; then
    mv "$build/lv_conf.h.new" "$build/lv_conf.h"; rm -f "$build"/obj/*.o; echo "$cflags $lvgl" > "$build/flags"
else
    rm "$build/lv_conf.h.new"
fi
includes="-I$build -I$lvgl -I/usr/include/freetype2 -DLV_CONF_INCLUDE_SIMPLE"
echo "building LVGL ($cflags) in $build ..." >&2
find "$lvgl/src" -name '*.c' | sort | while read -r c; do
    o="$build/obj/$(echo "${c#"$lvgl"/src/}" | tr / _ | sed 's/\.c$/.o/')"
    [ -f "$o" ] || echo "$c $o"
done | xargs -r -n 2 -P "$(nproc)" sh -c "gcc $cflags $includes -c \"\$0\" -o \"\$1\""
gcc $cflags $includes "$here/lobby.c" "$build"/obj/*.o -lfreetype -lm -o "$build/lobby"

echo "building kiosk-bench as shipped ..." >&2
(cd "$root" && swift build -c release --static-swift-stdlib --product kiosk-bench >&2)
bench="$root/.build/release/kiosk-bench"
layouts="$build/layouts.txt"
(cd "$root" && "$bench" --assets Kiosk --write-layouts "$layouts")

echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores; load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "LVGL: $(sed -n 's/^#define LVGL_VERSION_\(MAJOR\|MINOR\|PATCH\) *\([0-9]*\).*/\2/p' "$lvgl/lv_version.h" | paste -sd.), $cflags; binary $(stat -c %s "$build/lobby") bytes + libfreetype"
i=1
while [ "$i" -le "$rounds" ]; do
    echo "== round $i: kiosk-bench"
    (cd "$root" && "$bench" --assets Kiosk) | grep -E 'full-frame render|with write|update \(1|first frame  |w/o fb'
    echo "== round $i: LVGL"
    "$build/lobby" "$layouts" "$font"
    i=$((i + 1))
done
