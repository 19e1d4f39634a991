"""Runs the offers load generator against the release server on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import time
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


def wait_demo_seeded(server: Server, database_url: str | None, timeout_s: float = 180.0) -> float:
    """Seconds until the demo history is in the database. The server seeds it in the
    background after it starts answering; measuring before it is done would time the seeding's
    writes along with the deliveries."""
    query = "SELECT 1 FROM settings WHERE key = 'demo_history'"
    started = time.perf_counter()
    while time.perf_counter() - started < timeout_s:
        if database_url:
            out = subprocess.run(["psql", database_url, "-Atc", query], capture_output=True, text=True)
            done = out.stdout.strip() == "1"
        else:
            with sqlite3.connect(f"file:{server.db}?mode=ro", uri=True, timeout=5) as c:
                done = c.execute(query).fetchone() is not None
        if done:
            return time.perf_counter() - started
        time.sleep(0.2)
    server.fail(f"demo history not seeded within {timeout_s} s")
    return timeout_s


def run(backend: str, database_url: str | None, tmp: Path) -> dict:
    env = {"DODO_WEBHOOK_SECRET": SECRET, "DEMO_DATA": "1", "RUST_LOG": "warn", "METRICS_TOKEN": METRICS_TOKEN}
    if database_url:
        env["DATABASE_URL"] = database_url
    with Server(tmp, env) as server:
        server.wait_ready()
        log(f"demo history seeded after {wait_demo_seeded(server, database_url):.1f} s")
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
        result["ingest_vs_bare"] = round(result["ingest_events_per_s"] / result["bare_axum_events_per_s"], 3)
        if database_url:
            # 20-offers.sh starts PostgreSQL with PG_DURABLE=1: an answered event was fsynced.
            settings = subprocess.run(["psql", database_url, "-Atc", "SHOW fsync; SHOW synchronous_commit"],
                                      capture_output=True, text=True, check=True).stdout.split()
            result["postgres_fsync"], result["postgres_synchronous_commit"] = settings[:2]
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
        # Issue 14, P3: on PostgreSQL, answered (durable) events per second and the share of a
        # bare handler measured in the same run.
        "postgres_ingest_events_per_s_min": 10000,
        "ingest_vs_bare_min": 0.2,
        "accept_overhead_ms_p99_max": 5,
        # Our own time on a plan-change accept, Dodo's (change-plan preview and call) excluded.
        "plan_change_accept_overhead_ms_p99_max": 5,
    }
    write_result("offers", {"targets": targets, "results": results})


if __name__ == "__main__":
    main()
