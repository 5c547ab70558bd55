#!/bin/sh
# Checks that each unit in systemd/ stays locked down: `systemd-analyze security --offline=true`
# must report an overall exposure of 2.0 or lower. Prints each unit's figure.
set -eu
cd "$(dirname "$0")"
limit=2.0
status=0
for unit in kioskd.service kiosk-central.service; do
    out=$(systemd-analyze security --offline=true "$unit" 2>&1) || true
    level=$(printf '%s\n' "$out" | sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
    if [ -z "$level" ]; then
        printf '%s\n' "$out" >&2
        echo "FAIL $unit: systemd-analyze gave no exposure level" >&2
        status=1
    elif awk "BEGIN { exit !($level <= $limit) }"; then
        echo "ok   $unit: exposure $level (limit $limit)"
    else
        printf '%s\n' "$out" | grep '✗' >&2
        echo "FAIL $unit: exposure $level is above $limit; harden the unit (see the ✗ lines)" >&2
        status=1
    fi
done
exit $status
