#!/bin/sh
# Installs the Debian package into a clean Debian 12 root (debootstrap, minbase) with apt, so its
# dependencies resolve like on a site box, then checks it there: `kioskd --check-config` on the
# installed /etc/kiosk/kiosk.conf and assets, the `kiosk` user in video/input/tty, the unit and
# kioskctl. Needs root and the Debian mirror. The bootstrapped root is cached as a tarball
# (KIOSK_DEBOOTSTRAP_CACHE) so later runs take seconds.
set -eu
cd "$(dirname "$0")/.."
DEB=${1:-$(ls -t dist/kioskd_*_amd64.deb 2>/dev/null | head -1)}
[ -n "$DEB" ] && [ -f "$DEB" ] || { echo "no package: run 'make deb' first (or pass the .deb)" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || { echo "test-deb.sh needs root (debootstrap, chroot)" >&2; exit 1; }
command -v debootstrap >/dev/null || { echo "debootstrap missing: run scripts/setup-debian.sh" >&2; exit 1; }
MIRROR=${KIOSK_DEBIAN_MIRROR:-http://deb.debian.org/debian}
CACHE=${KIOSK_DEBOOTSTRAP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kiosk/bookworm-minbase.tar.gz}
ROOT=$(mktemp -d)
cleanup() {
    umount "$ROOT/proc" 2>/dev/null || true
    rm -rf "$ROOT"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

start=$(date +%s)
if [ -f "$CACHE" ]; then
    tar -xzf "$CACHE" -C "$ROOT"
else
    debootstrap --variant=minbase bookworm "$ROOT" "$MIRROR" >"$ROOT.debootstrap.log" 2>&1 ||
        { tail -20 "$ROOT.debootstrap.log" >&2; fail "debootstrap"; }
    rm -f "$ROOT.debootstrap.log"
    mkdir -p "$(dirname "$CACHE")"
    tar -czf "$CACHE" -C "$ROOT" .
fi
echo "clean root ready in $(( $(date +%s) - start )) s"

cp "$DEB" "$ROOT/tmp/kioskd.deb"
cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
mount -t proc proc "$ROOT/proc"
in_root() { chroot "$ROOT" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 "$@"; }
in_root apt-get update -qq
in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends /tmp/kioskd.deb >/dev/null ||
    fail "apt-get install of $DEB"

out=$(in_root kioskd --check-config) || fail "kioskd --check-config: $out"
echo "$out" | grep -q "^ok: /etc/kiosk/kiosk.conf" || fail "check-config did not read /etc/kiosk/kiosk.conf: $out"
echo "$out" | grep -q "assets /usr/share/kiosk" || fail "check-config did not find the installed assets: $out"
groups=$(in_root id -nG kiosk) || fail "no kiosk user"
for g in kiosk video input tty; do echo " $groups " | grep -q " $g " || fail "kiosk is not in group $g ($groups)"; done
[ "$(in_root stat -c '%U:%G %a' /etc/kiosk/kiosk.conf)" = "root:kiosk 640" ] || fail "kiosk.conf ownership"
[ -f "$ROOT/lib/systemd/system/kioskd.service" ] || fail "unit not installed"
[ -L "$ROOT/etc/systemd/system/multi-user.target.wants/kioskd.service" ] || fail "kioskd.service not enabled at boot"
# New PIN hashes are yescrypt (libcrypt1, from Depends); the shipped demo staff are not in the old form.
line=$(in_root kioskctl hash-pin 1234) || fail "kioskctl hash-pin: $line"
echo "$line" | grep -q '^pin-hash = \$y\$' || fail "kioskctl hash-pin did not print a yescrypt line: $line"
echo "$out" | grep -q "warning" && fail "the shipped kiosk.conf has warnings: $out"
# A broken configuration is refused with its line number.
echo "prefx = Z" >> "$ROOT/etc/kiosk/kiosk.conf"
if in_root kioskd --check-config >/dev/null; then fail "a broken config passed --check-config"; fi
echo "test-deb: ok: $(basename "$DEB") installs into a clean Debian 12 root; $out ($(( $(date +%s) - start )) s)"
