"""Serving bench: the analytics page (50 rules x 365 days of data) rendered per request
against the same bytes served as a static file by the same server, in one run, under 64
connections (wrk, from Debian); the page's p99 on one connection; the wasm fetched twenty
times on one keep-alive connection; and the bytes a browser transfers for the bundle.

Writes bench/results/serving.json: a `results` list with, per backend, `ssr_req_per_s`,
`static_req_per_s`, `ssr_p99_ms_1conn`, `keepalive_max_ms` and the bundle's transfer sizes.
"""

from __future__ import annotations

import datetime
import http.client
import os
import re
import subprocess
import time
import urllib.parse
from pathlib import Path

from benchlib import REPO_ROOT, SITE_ROOT, Server, log, require_release_build, workdir, write_result

GENERATOR = REPO_ROOT / "target" / "release" / "examples" / "analytics_bench"
# 50 rules, 365 days, every kind of event on every rule and day.
EVENTS = int(os.environ.get("BENCH_SERVING_EVENTS", str(50 * 365 * 8 * 4)))
DAYS = 365
SECONDS = int(os.environ.get("BENCH_SERVING_SECONDS", "10"))
CONNECTIONS = 64
STATIC_NAME = "bench-analytics.html"


def wrk(url: str, connections: int, threads: int, cookie: str | None) -> dict:
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{SECONDS}s", "--latency"]
    if cookie:
        cmd += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(cmd + [url], check=True, capture_output=True, text=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", out)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    if non_2xx:
        raise SystemExit(f"bench: {url} answered {non_2xx.group(1)} errors under load:\n{out}")
    return {"req_per_s": round(rate, 1), "p99_ms": round(float(p99.group(1)) * scale, 3)}


def sign_in(server: Server) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    body = urllib.parse.urlencode({"email": "merchant@demo.test", "password": "demo-merchant-pass"})
    conn.request("POST", "/api/session/login", body, {"content-type": "application/x-www-form-urlencoded"})
    resp = conn.getresponse()
    resp.read()
    cookie = resp.getheader("set-cookie") or ""
    if resp.status != 200 or not cookie.startswith("sid="):
        server.fail(f"sign-in answered {resp.status}")
    return cookie.split(";", 1)[0]


def fetch(server: Server, path: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    conn.request("GET", path, headers=headers)
    resp = conn.getresponse()
    data = resp.read()
    return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data


def keepalive_max_ms(server: Server, path: str) -> float:
    """The slowest of twenty sequential GETs on one keep-alive connection."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    worst = 0.0
    for _ in range(20):
        t = time.perf_counter()
        conn.request("GET", path)
        resp = conn.getresponse()
        resp.read()
        worst = max(worst, (time.perf_counter() - t) * 1000)
        if resp.status != 200:
            server.fail(f"{path} answered {resp.status}")
    conn.close()
    return round(worst, 3)


def bundle_transfer(server: Server) -> dict:
    """What a first visit downloads for the bundle, as a browser asks (br, gzip) and raw."""
    _, _, html = fetch(server, "/login", {})
    names = sorted(set(re.findall(rb"/pkg/([\w.-]+\.(?:wasm|js|css))", html)))
    if not names:
        server.fail("no bundle files named on /login")
    out = {"files": [n.decode() for n in names], "br_gzip_bytes": 0, "raw_bytes": 0}
    for n in names:
        path = "/pkg/" + n.decode()
        status, headers, data = fetch(server, path, {"accept-encoding": "br, gzip"})
        if status != 200:
            server.fail(f"{path} answered {status}")
        out["br_gzip_bytes"] += len(data)
        out.setdefault("encodings", {})[n.decode()] = headers.get("content-encoding", "identity")
        _, _, raw = fetch(server, path, {})
        out["raw_bytes"] += len(raw)
    return out


def run(backend: str, database_url: str, tmp: Path) -> dict:
    log(f"serving bench on {backend}: generating {EVENTS} events over {DAYS} days")
    subprocess.run([str(GENERATOR), "generate", database_url, str(EVENTS), str(DAYS)], check=True)
    env = {"DATABASE_URL": database_url, "DEMO_DATA": "1", "DEMO_HISTORY": "0", "RUST_LOG": "warn"}
    with Server(tmp, env) as server:
        server.wait_ready()
        cookie = sign_in(server)
        today = datetime.date.today()
        page = f"/analytics?from={today - datetime.timedelta(days=DAYS)}&to={today - datetime.timedelta(days=1)}"
        status, _, html = fetch(server, page, {"cookie": cookie})
        if status != 200 or b"Rule 49" not in html:
            server.fail(f"{page} answered {status} without the 50 rules")
        static = SITE_ROOT / STATIC_NAME
        static.write_bytes(html)
        try:
            base = f"http://{server.addr}"
            # Warm-up, then the two in one run, back to back.
            wrk(base + page, 8, 2, cookie)
            ssr = wrk(base + page, CONNECTIONS, 2, cookie)
            fixed = wrk(f"{base}/{STATIC_NAME}", CONNECTIONS, 2, None)
            one = wrk(base + page, 1, 1, cookie)
        finally:
            static.unlink(missing_ok=True)
        wasm = next(n for n in bundle_transfer(server)["files"] if n.endswith(".wasm"))
        result = {
            "backend": backend,
            "page_bytes": len(html),
            "connections": CONNECTIONS,
            "seconds": SECONDS,
            "ssr_req_per_s": ssr["req_per_s"],
            "ssr_p99_ms_64conn": ssr["p99_ms"],
            "static_req_per_s": fixed["req_per_s"],
            "ssr_to_static": round(ssr["req_per_s"] / fixed["req_per_s"], 3),
            "ssr_p99_ms_1conn": one["p99_ms"],
            "keepalive_max_ms": keepalive_max_ms(server, f"/pkg/{wasm}"),
            "bundle_transfer": bundle_transfer(server),
        }
    log(f"{backend}: {result}")
    return result


def main() -> None:
    require_release_build()
    results = []
    with workdir() as d:
        tmp = Path(d)
        results.append(run("sqlite", f"sqlite://{tmp}/serving.db", tmp))
        pg = os.environ.get("BENCH_POSTGRES_URL")
        if pg:
            name = f"bench_serving_{os.getpid()}"
            subprocess.run(["psql", pg, "-qc", f"CREATE DATABASE {name}"], check=True)
            results.append(run("postgres", pg.rsplit("/", 1)[0] + "/" + name, tmp))
        else:
            log("no PostgreSQL available: SQLite only")
    targets = {"ssr_to_static_min": 0.5, "ssr_p99_ms_1conn_max": 10, "keepalive_max_ms_max": 5}
    write_result("serving", {"targets": targets, "results": results})


if __name__ == "__main__":
    main()
