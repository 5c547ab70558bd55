#!/usr/bin/env python3
"""schemathesis against a live kiosk-central on PostgreSQL, every check on (issue 13: "make the
spec and the server agree"): requests generated from docs/openapi.yaml, valid and invalid, with a
kiosk token on the kiosk's operations and an admin token on the admin API; server errors,
undocumented statuses, responses that break the schema, invalid data accepted, valid data
refused, wrong answers to undeclared methods (405 with Allow) and ignored authentication fail.
Per-operation rules the schema cannot state are in Tests/Central/schemathesis.toml.

scripts/test-central.sh runs it (part `api`) with a short, seeded budget; `API_FUZZ_EXAMPLES`
(examples per operation and phase, default 12 here) and `API_FUZZ_SEED` change it; `make
api-fuzz` runs a long one. Environment: PGPORT, CENTRAL, WORK.
"""
import json
import os
import subprocess
import sys
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cluster import Cluster  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PGPORT, CENTRAL, WORK = os.environ["PGPORT"], os.environ["CENTRAL"], os.environ["WORK"]
EXAMPLES = os.environ.get("API_FUZZ_EXAMPLES", "12")
SEED = os.environ.get("API_FUZZ_SEED", "20261203")
# Who may call what: the kiosk's operations with its token, the rest with an admin token.
KIOSK_PATHS = r"^/v1/(events|heartbeat|commands|cases|contacts|sites/)"
ADMIN_PATHS = r"^/v1/(admin/|health)"


def schemathesis(centre, token, paths, name):
    """One run; returns its exit status (0: every check passed)."""
    out = os.path.join(centre.dir, f"schemathesis-{name}.txt")
    cmd = [sys.executable, "-m", "schemathesis.cli", "--config-file", os.path.join(ROOT, "Tests/Central/schemathesis.toml"),
           "run", os.path.join(ROOT, "docs/openapi.yaml"), "--url", centre.url,
           "-H", f"Authorization: Bearer {token}", "--include-path-regex", paths,
           "--checks", "all", "--phases", "examples,coverage,fuzzing", "--max-examples", EXAMPLES,
           "--seed", SEED, "--generation-deterministic", "--workers", "1", "--continue-on-failure", "--no-color"]
    with open(out, "w") as f:
        rc = subprocess.run(cmd, stdout=f, stderr=subprocess.STDOUT, cwd=centre.dir).returncode
    text = open(out, errors="replace").read()
    summary = [line for line in text.splitlines() if "generated" in line or line.startswith("=") and "in " in line]
    print(f"api_fuzz: {name} token: " + "; ".join(s.strip("= ") for s in summary[-2:]), flush=True)
    if rc != 0:
        print(text[text.find("FAILURES"):][:20000] if "FAILURES" in text else text[-8000:], file=sys.stderr)
    return rc


def main():
    key = os.path.join(WORK, "api-fuzz-contact.key")
    with open(os.open(key, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as f:
        f.write(os.urandom(32).hex() + "\n")
    centre = Cluster(PGPORT, "api_fuzz", CENTRAL, WORK, args=["--contact-key-file", key])
    try:
        # The spec's examples name kiosk lobby-1 at site tower-a: they reach real data.
        r = urllib.request.Request(centre.url + "/v1/admin/kiosks", method="POST",
                                   data=json.dumps({"kiosk": "lobby-1", "site": "tower-a"}).encode(),
                                   headers={"Authorization": "Bearer " + centre.admin, "Content-Type": "application/json"})
        kiosk_token = json.loads(urllib.request.urlopen(r, timeout=30).read())["token"]
        # The kiosk first: the admin run registers and revokes lobby-1 again.
        failed = schemathesis(centre, kiosk_token, KIOSK_PATHS, "kiosk")
        failed |= schemathesis(centre, centre.admin, ADMIN_PATHS, "admin")
        log = open(centre.logs[0].name, errors="replace").read()
        if "request failed" in log:
            print("api_fuzz: the centre logged failed requests (500s):\n" + log[-4000:], file=sys.stderr)
            failed = 1
    finally:
        centre.stop()
    if failed:
        raise SystemExit("api_fuzz: FAILED (the failures and how to reproduce each are above)")
    print("api_fuzz: all checks passed")


if __name__ == "__main__":
    main()
