#!/bin/sh
# End to end on a real Linux kernel: Debian's kernel boots in QEMU (TCG) with kioskd as the
# program, a real /dev/fb0 (bochs-drm) and a real evdev USB keyboard as the lobby keypad. Keys
# are pressed through QMP, the screen is captured with screendump, QEMU is killed (power cut),
# and the ticket must be in the database on the virtual disk. Needs root for apt-get (it
# installs qemu-system-x86, busybox-static, kmod, cpio, e2fsprogs); never skips silently.
# Recipe: ../shared/notes/qemu.md.
set -eu
cd "$(dirname "$0")/.."
ROOT=$PWD
SB="swift build ${SWIFT_SCRATCH:+--scratch-path $SWIFT_SCRATCH}"   # SWIFT_SCRATCH: a build folder of your own
W=${KIOSK_QEMU_WORK:-$ROOT/.build-qemu}
mkdir -p "$W"
need=""
for pkg in qemu-system-x86 busybox-static kmod cpio e2fsprogs; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || need="$need $pkg"
done
if [ -n "$need" ]; then
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $need
fi

# Kernel: the one linux-image-amd64 points to, uncompressed for the fast PVH boot.
KPKG=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-/ {print $2; exit}')
if [ -z "$KPKG" ]; then
    apt-get update -qq
    KPKG=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-/ {print $2; exit}')
fi
[ -n "$KPKG" ] || { echo "FAIL: cannot find Debian's kernel package (apt-cache depends linux-image-amd64)"; exit 1; }
V=${KPKG#linux-image-}
if [ ! -f "$W/vmlinux-$V" ]; then
    (cd "$W" && rm -rf kernel ./*.deb && apt-get download "$KPKG" >/dev/null && dpkg -x ./*.deb kernel)
    python3 -c "
import lzma, glob, sys
data = open(glob.glob('$W/kernel/boot/vmlinuz-*')[0], 'rb').read()
out = lzma.LZMADecompressor().decompress(data[data.find(b'\xfd7zXZ\x00'):])
open('$W/vmlinux-$V', 'wb').write(out)"
    depmod -b "$W/kernel" "$V"
fi

# kioskd, release, with the Swift runtime linked in.
$SB -c release --static-swift-stdlib --product kioskd >/dev/null
BIN=$($SB -c release --show-bin-path)/kioskd

# Initramfs: busybox, the modules in load order, kioskd and its C libraries, assets, font.
I=$W/initrd
rm -rf "$I"; mkdir -p "$I/bin" "$I/lib/modules" "$I/usr/share/kiosk" "$I/usr/share/fonts" "$I/etc" "$I/data" "$I/proc" "$I/sys" "$I/dev" "$I/run" "$I/tmp"
cp /bin/busybox "$I/bin/busybox"
for t in sh mount insmod sleep cat ls mkdir echo grep sync poweroff; do ln -s busybox "$I/bin/$t"; done
: > "$I/modules.order"
for m in evdev bochs xhci_pci usbhid hid_generic virtio_pci virtio_blk crc32c_generic ext4; do
    modprobe -d "$W/kernel" -S "$V" --show-depends "$m" | awk '$1 == "insmod" {print $2}'
done | awk '!seen[$0]++' | while read -r ko; do cp "$ko" "$I/lib/modules/"; echo "/lib/modules/$(basename "$ko")" >> "$I/modules.order"; done
cp "$BIN" "$I/bin/kioskd"
for lib in $(ldd "$BIN" | awk '/=>/ {print $3} /ld-linux/ {print $1}'); do mkdir -p "$I$(dirname "$lib")"; cp -L "$lib" "$I$lib"; done
cp -r "$ROOT/Kiosk/messages" "$ROOT/Kiosk/keymap.conf" "$I/usr/share/kiosk/"
mkdir -p "$I/usr/share/zoneinfo"; cp -r /usr/share/zoneinfo/Asia /usr/share/zoneinfo/UTC "$I/usr/share/zoneinfo/" 2>/dev/null || true
mkdir -p "$I/usr/share/fonts/truetype/wqy"; cp /usr/share/fonts/truetype/wqy/wqy-microhei.ttc "$I/usr/share/fonts/truetype/wqy/"
cat > "$I/init" <<'INIT'
#!/bin/sh
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
for ko in $(cat /modules.order); do insmod "$ko" 2>/dev/null; done
i=0; while [ ! -e /dev/fb0 ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
mount -t ext4 /dev/vda /data || echo "KIOSK-E2E: cannot mount the data disk"
# The lobby keypad is the USB keyboard (QMP keys go to the most recently added keyboard).
KBD=""
i=0
while [ -z "$KBD" ] && [ $i -lt 100 ]; do
    for e in /sys/class/input/event*; do grep -q "USB Keyboard" "$e/device/name" 2>/dev/null && KBD=/dev/input/${e##*/}; done
    sleep 0.1; i=$((i + 1))
done
printf '[station lobby]\nrole = lobby\ndisplay = fb:/dev/fb0\nkeypad = %s\n' "$KBD" > /etc/kiosk.conf
echo "KIOSK-E2E: keypad $KBD"
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
    rm -f "$W/qmp.sock" "$W/serial.log"
    qemu-system-x86_64 -accel tcg -m 512 -smp 1 -kernel "$W/vmlinux-$V" -initrd "$W/initrd.cpio.gz" \
        -append "console=ttyS0 quiet" -display none -serial "file:$W/serial.log" -monitor none -no-reboot \
        -qmp "unix:$W/qmp.sock,server=on,wait=off" -vga none -device bochs-display -device qemu-xhci -device usb-kbd \
        -drive "file=$W/data.img,if=virtio,format=raw" &
    QPID=$!
    i=0
    until grep -q "keypad .* connected" "$W/serial.log" 2>/dev/null; do
        i=$((i + 1)); [ $i -le 240 ] || fail "kioskd did not come up with its keypad in 120 s"
        kill -0 "$QPID" 2>/dev/null || fail "QEMU exited"
        sleep 0.5
    done
}

# keys TICKETS SHOT: take TICKETS tickets at the lobby keypad (1, Enter, Enter) through QMP, then
# take a screendump of the last ticket screen.
keys() {
    python3 - "$W" "$1" "$2" <<'PY'
import json, socket, sys, time
w, count, shot = sys.argv[1], int(sys.argv[2]), sys.argv[3]
s = socket.socket(socket.AF_UNIX); s.connect(w + "/qmp.sock"); f = s.makefile("rw")
def cmd(c, **a):
    f.write(json.dumps({"execute": c, "arguments": a} if a else {"execute": c}) + "\n"); f.flush()
    while True:
        r = json.loads(f.readline())
        if "return" in r or "error" in r: return r
f.readline(); cmd("qmp_capabilities")
def press(key, wait=0.6):
    cmd("send-key", keys=[{"type": "qcode", "data": key}]); time.sleep(wait)
for n in range(count):
    if n: press("kp_enter")   # back to the lobby from the previous ticket
    press("kp_1"); press("kp_enter", 1.5)
time.sleep(3)  # let a slow (emulated) guest catch up before the picture is taken
r = cmd("screendump", filename=shot, format="png")
assert "return" in r, r
time.sleep(0.5)
PY
    [ "$(stat -c %s "$2")" -gt 20000 ] || fail "the screendump $2 looks blank"
}

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
keys 5 "$W/shot-busy.png"
kill -9 "$QPID"; wait "$QPID" 2>/dev/null || true; QPID=""   # power cut right after A005 was shown
events
for t in A001 A002 A003 A004 A005; do grep -q "ticket.issued.*$t " "$W/events.txt" || fail "$t was shown on screen but is not in the database after the power cut"; done

boot   # the same disk: numbering must go on from the stored day
keys 1 "$W/shot-after.png"
kill -9 "$QPID"; wait "$QPID" 2>/dev/null || true; QPID=""
events
grep -q "ticket.issued.*A006 " "$W/events.txt" || fail "after the reboot the next ticket is not A006: $(grep ticket.issued "$W/events.txt" | tail -1)"
cat "$W/events.txt"
echo "qemu end to end: ok (real kernel, /dev/fb0 + evdev keyboard via QMP; 5 tickets shown then a power cut: all stored, integrity ok; after reboot the next is A006; screendumps in $W)"
