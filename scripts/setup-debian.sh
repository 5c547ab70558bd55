#!/bin/sh
# Installs the Debian packages kiosk needs to build, run and test, if any are missing.
# Safe to run repeatedly; uses sudo when not root.
set -eu
need=""
for pkg in gcc libsqlite3-dev sqlite3 tmux pkg-config libfreetype-dev zlib1g-dev libpng-dev libbrotli-dev libevdev-dev libcrypt-dev libssl-dev fonts-wqy-microhei espeak-ng sox chromium chromium-driver debootstrap postgresql libcurl4-openssl-dev nginx openssl; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || need="$need $pkg"
done
[ -z "$need" ] && exit 0
echo "Installing:$need"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $need
