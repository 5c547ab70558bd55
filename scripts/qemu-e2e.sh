#!/bin/sh
# End to end on a real Linux kernel: Debian's kernel boots in QEMU (TCG) with kioskd as the
# program and two stations on real hardware: the lobby on /dev/fb0 with a USB keyboard found by
# capability (keypad = auto), counter 1 on /dev/fb1 with the other USB keyboard by path. Keys are
# pressed through QMP (Tests/EndToEnd/qemu_session.py), screens captured with screendump. A whole
# visit is checked in the stored events; a VT switch away and back must give the picture back;
# then, in a busy period (tickets issued while the counter serves), the machine is frozen and
# killed (power cut): every ticket kioskd reported as issued must be in the database, integrity
# ok, and after a reboot numbering goes on. Needs root for apt-get (it installs qemu-system-x86,
# busybox-static, kmod, cpio, e2fsprogs); never skips silently. Recipe: ../shared/notes/qemu.md.
set -eu
cd "$(dirname "$0")/.."
ROOT=$PWD
SB="swift build ${SWIFT_SCRATCH:+--scratch-path $SWIFT_SCRATCH}"   # SWIFT_SCRATCH: a build folder of your own
W=${KIOSK_QEMU_WORK:-$ROOT/.build-qemu}
mkdir -p "$W"
. "$ROOT/scripts/qemu-lib.sh"
install_qemu_packages qemu-system-x86 busybox-static kmod cpio e2fsprogs
fetch_kernel "$W"

# kioskd, release, with the Swift runtime linked in.
$SB -c release --static-swift-stdlib --product kioskd >/dev/null
BIN=$($SB -c release --show-bin-path)/kioskd

# Initramfs: busybox, the modules in load order, kioskd and its C libraries, assets, font.
I=$W/initrd
rm -rf "$I"; mkdir -p "$I/bin" "$I/lib/modules" "$I/usr/share/kiosk" "$I/usr/share/fonts" "$I/etc" "$I/data" "$I/proc" "$I/sys" "$I/dev" "$I/run" "$I/tmp"
cp /bin/busybox "$I/bin/busybox"
for t in sh mount insmod sleep cat ls mkdir echo grep sync poweroff chvt cp; do ln -s busybox "$I/bin/$t"; done
copy_modules "$I" evdev bochs xhci_pci usbhid hid_generic virtio_pci virtio_blk crc32c_generic ext4
cp "$BIN" "$I/bin/kioskd"
for lib in $(ldd "$BIN" | awk '/=>/ {print $3} /ld-linux/ {print $1}'); do mkdir -p "$I$(dirname "$lib")"; cp -L "$lib" "$I$lib"; done
# Opened at first use (dlopen), so ldd does not list it; the .deb's Depends (libssl3) install it:
# libcrypto checks the counter PINs stored in the pbkdf2 form.
lib=$(ldconfig -p | awk '$1 == "libcrypto.so.3" && /x86-64/ {print $NF; exit}')
[ -n "$lib" ] || { echo "qemu-e2e: libcrypto.so.3 not found; run ./scripts/setup-debian.sh (libssl-dev)" >&2; exit 1; }
mkdir -p "$I$(dirname "$lib")"; cp -L "$lib" "$I$lib"
cp -r "$ROOT/Kiosk/messages" "$ROOT/Kiosk/keymap.conf" "$I/usr/share/kiosk/"
mkdir -p "$I/usr/share/zoneinfo"; cp -r /usr/share/zoneinfo/Asia /usr/share/zoneinfo/UTC "$I/usr/share/zoneinfo/" 2>/dev/null || true
mkdir -p "$I/usr/share/fonts/truetype/wqy"; cp /usr/share/fonts/truetype/wqy/wqy-microhei.ttc "$I/usr/share/fonts/truetype/wqy/"
cat > "$I/init" <<'INIT'
#!/bin/sh
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
for ko in $(cat /modules.order); do insmod "$ko" 2>/dev/null; done
i=0; while [ ! -e /dev/fb0 ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
mount -t ext4 /dev/vda /data || echo "KIOSK-E2E: cannot mount the data disk"
# Counter 1's keypad is the USB keyboard on port 2 (bound to the second display in QEMU), named
# by path; the lobby takes any other free USB numeric keypad (keypad = auto). The counter comes
# first: stations grab their keypads in config order.
DESK=""
i=0
while [ -z "$DESK" ] && [ $i -lt 100 ]; do
    for e in /sys/class/input/event*; do grep -q -- "-2/input0" "$e/device/phys" 2>/dev/null && DESK=/dev/input/${e##*/}; done
    sleep 0.1; i=$((i + 1))
done
printf '[station desk-1]\nrole = counter 1\ndisplay = fb:/dev/fb1\nkeypad = %s\n\n[station lobby]\nrole = lobby\ndisplay = fb:/dev/fb0\nkeypad = auto\n' "$DESK" > /etc/kiosk.conf
echo "KIOSK-E2E: counter keypad $DESK"
# Shell commands from the host (chvt) on the second serial port.
(while read -r line; do eval "$line"; done < /dev/ttyS1) &
# Through a pipe: on a tty, kioskd would send its log to the state folder instead.
/bin/kioskd --config /etc/kiosk.conf --state-dir /data/state --runtime-dir /run --assets /usr/share/kiosk 2>&1 | cat
echo "KIOSK-E2E: kioskd exited $?"
poweroff -f
INIT
chmod +x "$I/init"
(cd "$I" && find . | cpio -o -H newc 2>/dev/null | gzip -1 > "$W/initrd.cpio.gz")

truncate -s 64M "$W/data.img"; mkfs.ext4 -q -F "$W/data.img"
QPID=""
cleanup() { [ -n "$QPID" ] && kill -9 "$QPID" 2>/dev/null || true; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; echo "--- guest serial console"; tail -40 "$W/serial.log" 2>/dev/null || true; exit 1; }

# boot: start QEMU on the data disk and wait until kioskd has its keypad.
boot() {
    rm -f "$W/qmp.sock" "$W/ctl.sock" "$W/serial.log"
    qemu-system-x86_64 -accel tcg -m 512 -smp 1 -kernel "$KERNEL" -initrd "$W/initrd.cpio.gz" \
        -append "console=ttyS0 quiet" -display none -serial "file:$W/serial.log" -monitor none -no-reboot \
        -serial "unix:$W/ctl.sock,server=on,wait=off" -qmp "unix:$W/qmp.sock,server=on,wait=off" \
        -vga none -device bochs-display,id=lobby -device bochs-display,id=desk \
        -device qemu-xhci -device usb-kbd,id=lobby-kbd,display=lobby -device usb-kbd,id=desk-kbd,display=desk \
        -drive "file=$W/data.img,if=virtio,format=raw" &
    QPID=$!
    i=0
    until [ "$(grep -c "keypad .* connected" "$W/serial.log" 2>/dev/null)" = 2 ]; do
        i=$((i + 1)); [ $i -le 240 ] || fail "kioskd did not come up with both keypads in 120 s"
        kill -0 "$QPID" 2>/dev/null || fail "QEMU exited"
        sleep 0.5
    done
}

# session STEP…: one step of Tests/EndToEnd/qemu_session.py (keys, screendumps, checks).
session() { python3 "$ROOT/Tests/EndToEnd/qemu_session.py" "$W" "$@" || fail "step $1"; }
shot_ok() { [ "$(stat -c %s "$W/$1")" -gt 20000 ] || fail "the screendump $1 looks blank"; }

# events: the events on the disk, read from a checked copy (the last writes may sit in the journal).
events() {
    cp "$W/data.img" "$W/data-copy.img"; e2fsck -fy "$W/data-copy.img" >/dev/null 2>&1 || true
    rm -rf "$W/state"; mkdir -p "$W/state"
    for f in kiosk.sqlite kiosk.sqlite-wal; do debugfs -R "dump /state/$f $W/state/$f" "$W/data-copy.img" >/dev/null 2>&1 || true; done
    [ -s "$W/state/kiosk.sqlite" ] || fail "no kiosk.sqlite on the virtual disk"
    [ "$(sqlite3 "$W/state/kiosk.sqlite" 'PRAGMA integrity_check')" = "ok" ] || fail "integrity_check is not ok"
    "$KIOSKCTL" --state-dir "$W/state" events > "$W/events.txt"
}
KIOSKCTL=$($SB --show-bin-path)/kioskctl
[ -x "$KIOSKCTL" ] || $SB --product kioskctl >/dev/null

boot
grep -q "keypad QEMU QEMU USB Keyboard at /dev/input/event" "$W/serial.log" || fail "the lobby did not pick a USB keyboard by capability"
session visit; shot_ok shot-ticket.png; shot_ok shot-farewell.png
session vt-switch
session busy 8; shot_ok shot-cut-lobby.png
kill -9 "$QPID"; wait "$QPID" 2>/dev/null || true; QPID=""   # power cut in the middle of the busy period
events
for t in $(sed -n 's/.*ticket \([A-Z][0-9]*\) issued.*/\1/p' "$W/serial.log"); do
    grep -q "ticket.issued.*$t " "$W/events.txt" || fail "$t was issued and shown but is not in the database after the power cut"
done
shown=$(grep -c "ticket [A-Z][0-9]* issued" "$W/serial.log")
stored=$(grep -c "ticket.issued" "$W/events.txt")
[ "$shown" -ge 7 ] || fail "only $shown tickets were issued in the busy period"
for e in "ticket.called.*A001" "service.started.*A001" "service.finished.*A001" "rating.recorded.*A001" "farewell.shown"; do
    grep -q "$e" "$W/events.txt" || fail "the visit's $e is not stored"
done
last=$(awk -F'\t' '$3 == "ticket.issued" && $4 ~ /^A[0-9]+ / {print substr($4, 2, 3) + 0}' "$W/events.txt" | sort -n | tail -1)
next=$(printf 'A%03d' $((last + 1)))

boot   # the same disk: numbering must go on from the stored day
session ticket; shot_ok shot-after.png
kill -9 "$QPID"; wait "$QPID" 2>/dev/null || true; QPID=""
events
grep -q "ticket.issued.*$next " "$W/events.txt" || fail "after the reboot the next ticket is not $next: $(grep ticket.issued "$W/events.txt" | tail -1)"
echo "qemu end to end: ok (real kernel; lobby on /dev/fb0 with its USB keypad chosen by capability, counter on /dev/fb1; a whole visit stored; VT switch away and back redrawn; power cut in a busy period: all $shown tickets shown were stored ($stored in the database), integrity ok; after reboot the next is $next; screendumps in $W)"
