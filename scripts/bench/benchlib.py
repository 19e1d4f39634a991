"""Helpers shared by the bench pieces in scripts/bench/ (run from the repo root).

Plain standard library on purpose: python3 3.11 is on every machine of this
kind, so the benches need no install step of their own.
"""

from __future__ import annotations

import datetime
import gzip
import http.client
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
# Overridable so the harness itself can be tried against a stand-in server.
SERVER_BIN = Path(os.environ.get("BENCH_SERVER_BIN", REPO_ROOT / "target" / "release" / "upsell_dashboard"))
SITE_ROOT = Path(os.environ.get("BENCH_SITE_ROOT", REPO_ROOT / "target" / "site"))
RESULTS_DIR = Path(os.environ.get("BENCH_RESULTS_DIR", REPO_ROOT / "bench" / "results"))


def log(msg: str) -> None:
    print(f"==> {msg}", file=sys.stderr, flush=True)


def free_port() -> int:
    # Kernel-chosen port: 3000 may be held by a dev server on a shared machine.
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """The release server binary with its own port, fresh SQLite file and log."""

    def __init__(self, workdir: Path, extra_env: dict[str, str] | None = None):
        self.port = free_port()
        self.addr = f"127.0.0.1:{self.port}"
        self.db = workdir / f"bench-{self.port}.db"
        self.log_path = workdir / f"server-{self.port}.log"
        env = dict(os.environ)
        env.update(
            {
                "LEPTOS_SITE_ROOT": str(SITE_ROOT.relative_to(REPO_ROOT)) if SITE_ROOT.is_relative_to(REPO_ROOT) else str(SITE_ROOT),
                "LEPTOS_SITE_ADDR": self.addr,
                "LEPTOS_OUTPUT_NAME": "upsell_dashboard",
                "LEPTOS_ENV": "PROD",
                "LEPTOS_HASH_FILES": "true",
                "DATABASE_URL": f"sqlite://{self.db}",
            }
        )
        env.update(extra_env or {})
        self.env = env
        self.proc: subprocess.Popen | None = None
        self.started_at = 0.0

    def start(self) -> None:
        self._log = open(self.log_path, "wb")
        # perf_counter right before spawn: cold start includes exec, runtime
        # setup, DB open + migrations and binding the socket.
        self.started_at = time.perf_counter()
        self.proc = subprocess.Popen(
            [str(SERVER_BIN)], cwd=REPO_ROOT, env=self.env,
            stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT,
        )

    def get(self, path: str, timeout: float = 5.0) -> int:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request("GET", path)
            resp = conn.getresponse()
            resp.read()
            return resp.status
        finally:
            conn.close()

    def wait_ready(self, path: str = "/healthz", poll_s: float = 0.005, timeout_s: float = 60.0) -> float:
        """Seconds from spawn to the first 200 on `path`, polling every `poll_s`."""
        assert self.proc is not None
        deadline = self.started_at + timeout_s
        while True:
            if self.proc.poll() is not None:
                self.fail(f"server exited with {self.proc.returncode} before answering {path}")
            try:
                if self.get(path, timeout=1.0) == 200:
                    return time.perf_counter() - self.started_at
            except (ConnectionError, OSError, http.client.HTTPException):
                pass
            if time.perf_counter() > deadline:
                self.fail(f"no 200 from {path} within {timeout_s} s")
            time.sleep(poll_s)

    def proc_status(self, key: str) -> int:
        """A /proc/PID/status size field (VmRSS, VmHWM...) in bytes."""
        assert self.proc is not None
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                value, unit = line.split()[1:3]
                assert unit == "kB", line
                return int(value) * 1024
        raise KeyError(key)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if hasattr(self, "_log"):
            self._log.close()

    def fail(self, msg: str) -> None:
        self.stop()
        tail = self.log_path.read_text(errors="replace")[-4000:] if self.log_path.exists() else ""
        raise SystemExit(f"bench: {msg}\n--- server log ({self.log_path}) ---\n{tail}")

    def __enter__(self) -> "Server":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def workdir() -> tempfile.TemporaryDirectory:
    return tempfile.TemporaryDirectory(prefix="upsell-bench.")


def summary(samples: list[float]) -> dict:
    return {
        "median": round(statistics.median(samples), 2),
        "min": round(min(samples), 2),
        "max": round(max(samples), 2),
        "samples": [round(s, 2) for s in samples],
    }


def compressed_sizes(path: Path) -> dict:
    """Raw, `gzip -9` and (if the CLI exists) `brotli -q 11` sizes in bytes."""
    data = path.read_bytes()
    sizes = {"raw": len(data)}
    if shutil.which("gzip"):
        sizes["gzip9"] = len(subprocess.run(["gzip", "-9", "-c", "-n"], input=data, capture_output=True, check=True).stdout)
    else:  # same deflate level via zlib; a few bytes off the CLI at most
        sizes["gzip9"] = len(gzip.compress(data, compresslevel=9, mtime=0))
    if shutil.which("brotli"):
        sizes["brotli"] = len(subprocess.run(["brotli", "-q", "11", "-c"], input=data, capture_output=True, check=True).stdout)
    return sizes


def _run(cmd: list[str]) -> str:
    try:
        return subprocess.run(cmd, cwd=REPO_ROOT, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def metadata() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "git_commit": _run(["git", "rev-parse", "HEAD"]),
        # Numbers from uncommitted code are not comparable with the commit's.
        "git_dirty": _run(["git", "status", "--porcelain", "--untracked-files=no"]) not in ("", "unknown"),
        "machine": {"nproc": len(os.sched_getaffinity(0)), "cpu": cpu, "loadavg_1m": os.getloadavg()[0]},
        "rustc": _run(["rustc", "--version"]),
    }


def write_result(name: str, result: dict) -> Path:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    out = RESULTS_DIR / f"{name}.json"
    out.write_text(json.dumps({"bench": name, **metadata(), **result}, indent=2) + "\n")
    log(f"wrote {out.relative_to(REPO_ROOT) if out.is_relative_to(REPO_ROOT) else out}")
    return out


def require_release_build() -> None:
    if not SERVER_BIN.exists():
        raise SystemExit(f"bench: {SERVER_BIN} missing: run `cargo leptos build --release` (scripts/bench.sh does)")
    if not list((SITE_ROOT / "pkg").glob("*.wasm")):
        raise SystemExit(f"bench: no wasm in {SITE_ROOT}/pkg: run `cargo leptos build --release`")
