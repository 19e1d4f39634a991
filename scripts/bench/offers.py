"""Runs the offers load generator against the release server on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import subprocess
import urllib.request
from pathlib import Path

from benchlib import REPO_ROOT, Server, log, workdir, write_result

SECRET = "whsec_AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA="
# /metrics tells the load generator when the inbox has applied a burst.
METRICS_TOKEN = "bench-metrics-token"
EVENTS = int(os.environ.get("BENCH_OFFER_EVENTS", "20000"))
# Plan-change offers accepted one after another, each on a Basic subscription of its own.
PLAN_CHANGES = int(os.environ.get("BENCH_PLAN_CHANGES", "200"))
LOADGEN = REPO_ROOT / "target" / "release" / "examples" / "offers_bench"


def fresh_pg_db(admin_url: str, name: str) -> str:
    subprocess.run(["psql", admin_url, "-qc", f"CREATE DATABASE {name}"], check=True)
    return admin_url.rsplit("/", 1)[0] + "/" + name


def run(backend: str, database_url: str | None, tmp: Path) -> dict:
    env = {"DODO_WEBHOOK_SECRET": SECRET, "DEMO_DATA": "1", "RUST_LOG": "warn", "METRICS_TOKEN": METRICS_TOKEN}
    if database_url:
        env["DATABASE_URL"] = database_url
    with Server(tmp, env) as server:
        server.wait_ready()
        base = f"http://{server.addr}"
        log(f"offers bench on {backend}: {EVENTS} events, {PLAN_CHANGES} plan changes")
        out = subprocess.run(
            [str(LOADGEN), base, SECRET, str(EVENTS), str(PLAN_CHANGES)],
            check=True,
            capture_output=True,
            text=True,
            env={**os.environ, "METRICS_TOKEN": METRICS_TOKEN},
        )
        result = json.loads(out.stdout.strip().splitlines()[-1])
        result["backend"] = backend
        return result


def main() -> None:
    results = []
    with workdir() as d:
        tmp = Path(d)
        results.append(run("sqlite", None, tmp))
        pg = os.environ.get("BENCH_POSTGRES_URL")
        if pg:
            results.append(run("postgres", fresh_pg_db(pg, f"bench_{os.getpid()}"), tmp))
        else:
            log("no PostgreSQL available: SQLite only")
    targets = {
        "ingest_events_per_s_min": 3000,
        "accept_overhead_ms_p99_max": 5,
        # Our own time on a plan-change accept, Dodo's (change-plan preview and call) excluded.
        "plan_change_accept_overhead_ms_p99_max": 5,
    }
    write_result("offers", {"targets": targets, "results": results})


if __name__ == "__main__":
    main()
