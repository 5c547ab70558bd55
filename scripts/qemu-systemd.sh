#!/bin/sh
# kioskd under a real systemd, as on a site box: Debian's kernel boots in QEMU (TCG) with this
# machine's own Debian userland as its root (shared read-only over 9p, a tmpfs overlay on top)
# and systemd as PID 1. The project's systemd/kioskd.service is installed unchanged (plus a
# drop-in that shortens WatchdogSec for the test), with a framebuffer and a USB keypad. Checked
# inside the guest by a one-shot service (Tests/EndToEnd/systemd-checks.sh): ExecStartPre
# --check-config, Type=notify reaching "active" only after READY=1, the daemon drawing and storing
# a ticket under the full hardening, the console in graphics mode, a hung main loop (SIGSTOP)
# killed by the watchdog and restarted, a crash (SIGSEGV) restarted, `systemctl stop` running
# ExecStopPost=kioskd --restore-vt (text mode back), and `systemd-analyze security` on the live
# unit. Needs root for apt-get; never skips silently.
set -eu
cd "$(dirname "$0")/.."
ROOT=$PWD
SB="swift build ${SWIFT_SCRATCH:+--scratch-path $SWIFT_SCRATCH}"
KW=${KIOSK_QEMU_WORK:-$ROOT/.build-qemu}   # the kernel is shared with scripts/qemu-e2e.sh
W=$KW/systemd
mkdir -p "$W"
. "$ROOT/scripts/qemu-lib.sh"
install_qemu_packages qemu-system-x86 busybox-static kmod cpio systemd udev
[ -x /lib/systemd/systemd ] || { echo "FAIL: /lib/systemd/systemd is missing (apt-get install systemd)"; exit 1; }
fetch_kernel "$KW"

$SB -c release --static-swift-stdlib --product kioskd >/dev/null
BIN=$($SB -c release --show-bin-path)/kioskd

# The initramfs only assembles the root (9p lower + tmpfs upper) and hands over to systemd.
I=$W/initrd
rm -rf "$I"; mkdir -p "$I/bin" "$I/proc" "$I/sys" "$I/dev" "$I/lower" "$I/upper" "$I/newroot"
cp /bin/busybox "$I/bin/busybox"
for t in sh mount umount insmod sleep cat mkdir cp echo switch_root poweroff mknod; do ln -s busybox "$I/bin/$t"; done
# The host root has no modules for this kernel: load what the kiosk needs here, before systemd.
copy_modules "$I" virtio_pci 9pnet_virtio 9p overlay evdev bochs xhci_pci usbhid hid_generic
cat > "$I/init" <<'INIT'
#!/bin/sh
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
for ko in $(cat /modules.order); do insmod "$ko" 2>/dev/null; done
i=0; while [ ! -e /dev/fb0 ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
mount -t 9p -o trans=virtio,version=9p2000.L,ro hostroot /lower || { echo "KIOSK-SYSTEMD: FAIL cannot mount the host root over 9p"; poweroff -f; }
mount -t tmpfs -o mode=0755 tmpfs /upper
mkdir -p /upper/data /upper/work /upper/files
mount -t 9p -o trans=virtio,version=9p2000.L,ro files /upper/files || { echo "KIOSK-SYSTEMD: FAIL cannot mount the test files"; poweroff -f; }
cp -a /upper/files/. /upper/data/
umount /upper/files
# The host is a Docker container: hide /.dockerenv (a whiteout) or systemd acts as a container's init.
mknod /upper/data/.dockerenv c 0 0
mount -t overlay overlay -o lowerdir=/lower,upperdir=/upper/data,workdir=/upper/work /newroot || { echo "KIOSK-SYSTEMD: FAIL overlay"; poweroff -f; }
umount /proc /sys /dev
exec switch_root /newroot /lib/systemd/systemd --unit=kiosk-e2e.target
INIT
chmod +x "$I/init"
(cd "$I" && find . | cpio -o -H newc 2>/dev/null | gzip -1 > "$W/initrd.cpio.gz")

# What an installation puts on the box (as packaging/ does), laid over the host root.
F=$W/files
rm -rf "$F"; mkdir -p "$F/usr/bin" "$F/usr/share/kiosk" "$F/etc/kiosk" "$F/etc/systemd/system/kioskd.service.d" "$F/usr/local/sbin"
cp "$BIN" "$F/usr/bin/kioskd"
ln -s kioskd "$F/usr/bin/kioskctl"
cp -r "$ROOT/Kiosk/messages" "$ROOT/Kiosk/keymap.conf" "$F/usr/share/kiosk/"
printf '[station lobby]\nrole = lobby\ndisplay = fb:/dev/fb0\nkeypad = auto\n' > "$F/etc/kiosk/kiosk.conf"
cp "$ROOT/systemd/kioskd.service" "$F/etc/systemd/system/kioskd.service"
printf '[Service]\n# The test does not wait 30 s for a hung loop.\nWatchdogSec=6\n' > "$F/etc/systemd/system/kioskd.service.d/test.conf"
cp /etc/passwd /etc/group "$F/etc/"
grep -q '^kiosk:' "$F/etc/group" || echo "kiosk:x:990:" >> "$F/etc/group"
grep -q '^kiosk:' "$F/etc/passwd" || echo "kiosk:x:990:990:kiosk daemon:/var/lib/kiosk:/usr/sbin/nologin" >> "$F/etc/passwd"
cp "$ROOT/Tests/EndToEnd/systemd-checks.sh" "$F/usr/local/sbin/kiosk-systemd-checks"
chmod 755 "$F/usr/local/sbin/kiosk-systemd-checks"
cat > "$F/etc/systemd/system/kiosk-checks.service" <<'UNIT'
[Unit]
Description=kioskd under systemd: the end-to-end checks
After=kioskd.service
[Service]
Type=oneshot
ExecStart=/usr/local/sbin/kiosk-systemd-checks
UNIT
cat > "$F/etc/systemd/system/kiosk-e2e.target" <<'UNIT'
[Unit]
Description=kioskd end-to-end under systemd
Requires=basic.target
Wants=systemd-udevd.service systemd-udev-trigger.service systemd-journald.service kioskd.service kiosk-checks.service
After=basic.target
AllowIsolate=yes
UNIT
: > "$F/etc/machine-id"
# Boot-time clean-up would walk the host's /tmp and /var over 9p for minutes: not part of the test.
for u in systemd-tmpfiles-setup.service systemd-tmpfiles-clean.timer; do ln -s /dev/null "$F/etc/systemd/system/$u"; done

QPID=""
cleanup() { [ -n "$QPID" ] && kill -9 "$QPID" 2>/dev/null || true; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; echo "--- guest serial console"; tail -60 "$W/serial.log" 2>/dev/null || true; exit 1; }
rm -f "$W/qmp.sock" "$W/serial.log"
qemu-system-x86_64 -accel tcg -m 1024 -smp 1 -kernel "$KERNEL" -initrd "$W/initrd.cpio.gz" \
    -append "console=ttyS0 quiet systemd.unit=kiosk-e2e.target systemd.show_status=0 systemd.firstboot=off" \
    -display none -serial "file:$W/serial.log" -monitor none -no-reboot \
    -qmp "unix:$W/qmp.sock,server=on,wait=off" -vga none -device bochs-display,id=lobby -device qemu-xhci -device usb-kbd,display=lobby \
    -virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
    -virtfs "local,path=$F,mount_tag=files,security_model=none,readonly=on" &
QPID=$!

# The checks ask for a ticket when kioskd is active: press 1, Enter on the USB keypad then.
i=0
until grep -q "KIOSK-SYSTEMD: press keys" "$W/serial.log" 2>/dev/null; do
    i=$((i + 1)); [ $i -le 480 ] || fail "kioskd did not become active under systemd in 240 s"
    kill -0 "$QPID" 2>/dev/null || fail "QEMU exited"
    grep -q "KIOSK-SYSTEMD: FAIL" "$W/serial.log" 2>/dev/null && fail "$(grep "KIOSK-SYSTEMD: FAIL" "$W/serial.log")"
    sleep 0.5
done
python3 "$ROOT/Tests/EndToEnd/qemu_session.py" "$W" ticket shot-systemd.png || fail "pressing keys through QMP"
i=0
until grep -q "KIOSK-SYSTEMD: done" "$W/serial.log" 2>/dev/null; do
    i=$((i + 1)); [ $i -le 480 ] || fail "the checks did not finish in 240 s"
    grep -q "KIOSK-SYSTEMD: FAIL" "$W/serial.log" && fail "$(grep "KIOSK-SYSTEMD: FAIL" "$W/serial.log")"
    kill -0 "$QPID" 2>/dev/null || fail "QEMU exited before the checks were done"
    sleep 0.5
done
grep "KIOSK-SYSTEMD:" "$W/serial.log"
echo "systemd end to end: ok (kioskd.service under a real systemd: notify, hardening, watchdog restart, crash restart, restore-vt; screendump $W/shot-systemd.png)"
