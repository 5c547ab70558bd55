#!/bin/sh
# Builds dist/kioskd_<version>_amd64.deb: the static Swift binary kioskd (FoundationEssentials,
# no ICU; kioskctl is a symlink to it: the binary runs as whichever it is called), the systemd
# unit, the default configuration as a conffile in /etc/kiosk/, the site assets in
# /usr/share/kiosk, and a postinst that creates the `kiosk` system user (groups video, input,
# tty). Library dependencies are worked out from the binaries with ldd and dpkg -S.
set -eu
cd "$(dirname "$0")/.."
SCRATCH=${KIOSK_DEB_SCRATCH:-.build-deb}
VERSION=${KIOSK_VERSION:-0.1.0+git$(git log -1 --format=%cd --date=format:%Y%m%d 2>/dev/null || date +%Y%m%d)}
swift build -c release --static-swift-stdlib --scratch-path "$SCRATCH" --product kioskd
BIN=$(swift build -c release --scratch-path "$SCRATCH" --show-bin-path)
# kioskd links FoundationEssentials, not Foundation: Foundation's internationalisation layer (ICU)
# was about 40 MB of the binary and most of its resident memory (issue 14). One `import Foundation`
# in a module the daemon links brings it all back.
if nm "$BIN/kioskd" | grep -q 'FoundationInternationalization'; then
    echo "make-deb: kioskd links Foundation's internationalisation layer (ICU); a module kioskd links imports Foundation: import FoundationEssentials there instead (README, Performance)" >&2
    exit 1
fi

ROOT=$(mktemp -d)
trap 'rm -rf "$ROOT"' EXIT
install -d "$ROOT/DEBIAN" "$ROOT/usr/bin" "$ROOT/lib/systemd/system" "$ROOT/etc/kiosk" \
    "$ROOT/usr/share/kiosk/messages" "$ROOT/usr/share/doc/kioskd"
install -m 755 -s "$BIN/kioskd" "$ROOT/usr/bin/"
ln -s kioskd "$ROOT/usr/bin/kioskctl"
install -m 644 systemd/kioskd.service "$ROOT/lib/systemd/system/"
install -m 640 Kiosk/kiosk.conf "$ROOT/etc/kiosk/kiosk.conf"
install -m 644 Kiosk/messages/*.catalog "$ROOT/usr/share/kiosk/messages/"
install -m 644 Kiosk/keymap.conf "$ROOT/usr/share/kiosk/"
install -m 644 README.md packaging/debian/copyright "$ROOT/usr/share/doc/kioskd/"
install -m 755 packaging/debian/postinst packaging/debian/prerm packaging/debian/postrm "$ROOT/DEBIAN/"
install -m 644 packaging/debian/conffiles "$ROOT/DEBIAN/"

# Debian packages that hold the shared libraries the binaries link directly (ELF NEEDED: libc,
# sqlite, libevdev, …; FreeType, libpng, brotli, zlib and libstdc++ are linked statically, see
# Package.swift's leanStart and staticFreeType) and those they open at first use (dlopen: libcurl for the centre,
# libcrypto for PINs in the old form; Sources/CCurl, Sources/CLibcrypto); apt brings in what
# those need in turn.
DEPENDS=$({ objdump -p "$ROOT/usr/bin/kioskd" | awk '/NEEDED/ { print $2 }'; echo libcurl.so.4; echo libcrypto.so.3; } | sort -u |
    while read -r soname; do
        path=$(ldconfig -p | awk -v n="$soname" '$1 == n && /x86-64/ { print $NF; exit }')
        [ -n "$path" ] && { dpkg -S "$(readlink -f "$path")" 2>/dev/null || dpkg -S "$path" 2>/dev/null; } || true
    done | cut -d: -f1 | sort -u | paste -sd, | sed 's/,/, /g')
# The binaries are linked with packed relative relocations (Package.swift's leanStart), which the
# dynamic loader reads from glibc 2.36 on (Debian 12): say so, as dpkg-shlibdeps would.
DEPENDS=$(echo "$DEPENDS" | sed 's/^libc6,/libc6 (>= 2.36),/; s/, libc6,/, libc6 (>= 2.36),/')
SIZE=$(du -sk "$ROOT" | cut -f1)
sed -e "s/@VERSION@/$VERSION/" -e "s/@DEPENDS@/$DEPENDS/" -e "s/@SIZE@/$SIZE/" packaging/debian/control.in > "$ROOT/DEBIAN/control"

mkdir -p dist
OUT="dist/kioskd_${VERSION}_amd64.deb"
dpkg-deb --build --root-owner-group -Zgzip "$ROOT" "$OUT" >/dev/null  # gzip: xz takes minutes on 2 cores
echo "$OUT"
echo "  depends: $DEPENDS"
echo "  size: $(du -h "$OUT" | cut -f1) (kioskd $(du -h "$ROOT/usr/bin/kioskd" | cut -f1); kioskctl -> kioskd)"
