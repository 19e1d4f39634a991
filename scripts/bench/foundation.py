"""Foundation bench: cold start, idle memory, bundle size of the release build.

Writes bench/results/foundation.json. Needs only SQLite (no PostgreSQL).
"""

from __future__ import annotations

import collections
import os
import time
from pathlib import Path

from benchlib import SERVER_BIN, SITE_ROOT, Server, compressed_sizes, log, require_release_build, summary, workdir, write_result

COLD_STARTS = int(os.environ.get("BENCH_COLD_STARTS", "5"))
IDLE_SECONDS = 3.0
REQUESTS = 200


def cold_start(tmp: Path) -> dict:
    samples = []
    for i in range(COLD_STARTS):
        # A fresh DB file each time: cold start includes creating it and migrating.
        with Server(tmp) as server:
            ms = server.wait_ready("/healthz") * 1000
        samples.append(ms)
        log(f"cold start {i + 1}/{COLD_STARTS}: {ms:.1f} ms")
    return summary(samples)


def memory(tmp: Path) -> dict:
    with Server(tmp) as server:
        server.wait_ready("/healthz")
        time.sleep(IDLE_SECONDS)
        idle = server.proc_status("VmRSS")
        statuses: collections.Counter[int] = collections.Counter()
        started = time.perf_counter()
        for _ in range(REQUESTS):
            statuses[server.get("/")] += 1
        elapsed = time.perf_counter() - started
        if any(code >= 500 for code in statuses):
            server.fail(f"GET / answered {dict(statuses)}")
        after = server.proc_status("VmRSS")
        peak = server.proc_status("VmHWM")
    log(f"RSS idle {idle / 2**20:.1f} MiB, after {REQUESTS} GET / {after / 2**20:.1f} MiB")
    return {
        "idle_seconds": IDLE_SECONDS,
        "idle_rss_bytes": idle,
        "requests": REQUESTS,
        "request_status": {str(k): v for k, v in sorted(statuses.items())},
        "sequential_get_root_ms_mean": round(elapsed / REQUESTS * 1000, 3),
        "after_requests_rss_bytes": after,
        "peak_rss_bytes": peak,
    }


def bundle() -> dict:
    pkg = SITE_ROOT / "pkg"
    out: dict = {}
    for kind in ("wasm", "js", "css"):
        files = sorted(pkg.glob(f"*.{kind}"))
        per_file = {f.name: compressed_sizes(f) for f in files}
        totals: dict[str, int] = collections.Counter()
        for sizes in per_file.values():
            totals.update(sizes)
        out[kind] = {"files": per_file, **dict(totals)}
    # What a first visit downloads before hydration: the wasm plus its JS glue.
    wasm_js: collections.Counter[str] = collections.Counter()
    for kind in ("wasm", "js"):
        wasm_js.update({k: v for k, v in out[kind].items() if k != "files"})
    out["wasm_plus_js"] = dict(wasm_js)
    log(f"bundle wasm+js: {out['wasm_plus_js']}")
    return out


def main() -> None:
    require_release_build()
    with workdir() as tmp_name:
        tmp = Path(tmp_name)
        result = {
            "cold_start_ms": cold_start(tmp),
            "memory": memory(tmp),
            "bundle_bytes": bundle(),
            "server_binary_bytes": SERVER_BIN.stat().st_size,
        }
    write_result("foundation", result)


if __name__ == "__main__":
    main()
