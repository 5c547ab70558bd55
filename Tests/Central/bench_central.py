#!/usr/bin/env python3
"""Benchmark (prints figures; not a test): time for one kiosk to drain a backlog into
kiosk-central with `kioskctl sync`, next to a plain COPY of the same rows into PostgreSQL on the
same machine. Run by scripts/bench-central.sh (which starts a throwaway PostgreSQL)."""
import csv, os, sqlite3, subprocess, sys, time

sys.path.insert(0, os.path.dirname(__file__))
import sync_proof as sp  # noqa: E402

N = int(os.environ.get("BENCH_EVENTS", "100000"))


def main():
    centre = sp.Centre("bench_central")
    centre.start()
    token = centre.admin_cli("register", "--kiosk", "bench-k1", "--site", "site-a").strip()
    d = sp.make_kiosk("bench-k1", centre.url, token, N, days=3)
    for batch in ["500", "1000"]:
        psql_reset = f"DELETE FROM events; UPDATE kiosks SET acked_seq = 0"
        sp.psql(centre.db, psql_reset)
        con = sqlite3.connect(os.path.join(d, "kiosk.sqlite"))
        con.execute("UPDATE sync_state SET acked_seq = 0")
        con.commit()
        con.close()
        sp.set_conf(d, "sync-batch-size", batch)
        t0 = time.time()
        p = sp.kioskctl(d, "sync")
        out, err = p.communicate()
        took = time.time() - t0
        assert p.returncode == 0, err
        assert centre.count("bench-k1") == N
        print(f"drain {N} events, batch {batch}: {took:.2f} s = {N / took:.0f} events/s ({out.strip()})", flush=True)
    # Baseline: the same rows with COPY into a plain table with the same key.
    path = os.path.join(sp.WORK, "bench.csv")
    con = sqlite3.connect(os.path.join(d, "kiosk.sqlite"))
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        for seq, type_, t, payload in con.execute("SELECT seq, type, device_time, payload FROM events ORDER BY seq"):
            w.writerow(["bench-k1", seq, "site-a", type_, t, t, payload])
    con.close()
    sp.psql(centre.db, "CREATE TABLE copy_baseline (LIKE events INCLUDING ALL)")
    t0 = time.time()
    subprocess.run(["psql", "-h", "127.0.0.1", "-p", sp.PGPORT, "-U", "postgres", "-d", centre.db, "-qc",
                    f"\\copy copy_baseline (kiosk_id, seq, site_id, type, device_time, received_at, payload) FROM '{path}' CSV"],
                   check=True)
    took = time.time() - t0
    print(f"baseline COPY of the same {N} rows: {took:.2f} s = {N / took:.0f} rows/s", flush=True)
    centre.kill()


if __name__ == "__main__":
    main()
