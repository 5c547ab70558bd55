# Shared by the QEMU tests (sourced): Debian's kernel and the modules an initramfs needs.
#   install_qemu_packages PKG…   apt-get installs what is missing (never skips silently)
#   fetch_kernel DIR             Debian's kernel in DIR; sets V (version), KERNEL (uncompressed
#                                vmlinux for the fast PVH boot) and KDIR (its modules)
#   copy_modules DEST MODULE…    the modules' closure into DEST/lib/modules, in load order in
#                                DEST/modules.order
# Recipe: ../shared/notes/qemu.md.

install_qemu_packages() {
    need=""
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || need="$need $pkg"
    done
    if [ -n "$need" ]; then
        SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
        $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $need
    fi
}

fetch_kernel() {
    kdir=$1
    KPKG=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-/ {print $2; exit}')
    if [ -z "$KPKG" ]; then
        apt-get update -qq
        KPKG=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-/ {print $2; exit}')
    fi
    [ -n "$KPKG" ] || { echo "FAIL: cannot find Debian's kernel package (apt-cache depends linux-image-amd64)"; exit 1; }
    V=${KPKG#linux-image-}
    KERNEL=$kdir/vmlinux-$V
    KDIR=$kdir/kernel
    if [ ! -f "$KERNEL" ]; then
        (cd "$kdir" && rm -rf kernel ./*.deb && apt-get download "$KPKG" >/dev/null && dpkg -x ./*.deb kernel)
        python3 -c "
import lzma, glob, sys
data = open(glob.glob('$KDIR/boot/vmlinuz-*')[0], 'rb').read()
out = lzma.LZMADecompressor().decompress(data[data.find(b'\xfd7zXZ\x00'):])
open('$KERNEL', 'wb').write(out)"
        depmod -b "$KDIR" "$V"
    fi
}

copy_modules() {
    dest=$1; shift
    mkdir -p "$dest/lib/modules"
    : > "$dest/modules.order"
    for m in "$@"; do
        modprobe -d "$KDIR" -S "$V" --show-depends "$m" | awk '$1 == "insmod" {print $2}'
    done | awk '!seen[$0]++' | while read -r ko; do cp "$ko" "$dest/lib/modules/"; echo "/lib/modules/$(basename "$ko")" >> "$dest/modules.order"; done
}
