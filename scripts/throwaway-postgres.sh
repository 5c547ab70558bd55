# A PostgreSQL of a script's own, started and always stopped the same way. Sourced (POSIX sh) by
# test-central.sh, loadtest.sh, explain-central.sh and bench-reports.sh:
#
#   PG_NAME=loadtest . scripts/throwaway-postgres.sh
#   pg_start "-c max_connections=200"     # server options, optional
#   pg_start_standby                      # optional: a streaming replica on $STANDBY_PGPORT
#
# Sets PGBIN, P (a fresh folder under /tmp with work/ for the caller, writable by everyone, and
# log/), PGPORT and AS_PG (runs a command as the postgres user when we are root). On exit, a
# caller's `pg_before_cleanup` function (if it defines one) runs, then the servers are stopped
# and P removed.
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$PGBIN/initdb" ] || { echo "$PG_NAME: PostgreSQL not found; run scripts/setup-debian.sh" >&2; exit 1; }
pg_free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
P=$(mktemp -d "/tmp/kiosk-$PG_NAME.XXXXXX")
PGPORT=$(pg_free_port)
mkdir -p "$P/sock" "$P/work" "$P/log"
if [ "$(id -u)" -eq 0 ]; then
    chown -R postgres:postgres "$P"
    chmod 755 "$P"
    AS_PG="su postgres -c"
else
    AS_PG="sh -c"
fi

pg_cleanup() {
    if command -v pg_before_cleanup >/dev/null 2>&1; then pg_before_cleanup || true; fi
    for d in standby data; do
        [ -d "$P/$d" ] && { $AS_PG "$PGBIN/pg_ctl -D $P/$d stop -m fast" >/dev/null 2>&1 || true; }
    done
    rm -rf "$P"
}
trap pg_cleanup EXIT INT TERM

# pg_start [OPTIONS]: a new cluster in $P/data, trust auth, on 127.0.0.1:$PGPORT.
pg_start() {
    $AS_PG "$PGBIN/initdb -D $P/data -U postgres -A trust --no-sync -E UTF8 --locale=C.UTF-8" >/dev/null
    $AS_PG "$PGBIN/pg_ctl -D $P/data -l $P/server.log -w -o '-c listen_addresses=127.0.0.1 -p $PGPORT -k $P/sock ${1:-}' start" >/dev/null
    chmod 777 "$P/work"
}

# pg_start_standby: a hot standby of the server above (pg_basebackup -R, streaming) on
# 127.0.0.1:$STANDBY_PGPORT, for the centre's report replica. --checkpoint=fast: the default
# spread checkpoint paces its writes over most of checkpoint_timeout (minutes, after a proof has
# dirtied the buffers), and the base backup waits for it.
pg_start_standby() {
    STANDBY_PGPORT=$(pg_free_port)
    $AS_PG "$PGBIN/pg_basebackup -h 127.0.0.1 -p $PGPORT -U postgres -D $P/standby -R -X stream --checkpoint=fast --no-sync" >/dev/null
    $AS_PG "$PGBIN/pg_ctl -D $P/standby -l $P/standby.log -w -o '-c listen_addresses=127.0.0.1 -p $STANDBY_PGPORT -k $P/sock' start" >/dev/null
}
