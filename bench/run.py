"""``make bench``: national-scale search and recommendation latency through a real server.

1. PostgreSQL (``BENCH_DATABASE_URL``, default ``postgres://postgres@127.0.0.1:5432/mmm_bench``):
   drop and re-create the database, migrate, generate 200 institutions, 30,000 mentors,
   80,000 mentees and 1,000,000 search-log rows with COPY.
2. Start gunicorn (2 workers, DEBUG off) on that database; sign bench mentees in by
   creating real sessions; warm up; time each endpoint over HTTP; count its queries
   with Django's test client against the same database.
3. The same on SQLite with 5,000 mentors (the embedded default).

Prints a table and writes ``bench/results/latest.json``. Sizes can be lowered for a
quick look with ``BENCH_SCALE=0.1``.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
PYTHON = sys.executable
PG_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/mmm_bench")
SQLITE_PATH = Path(os.environ.get("BENCH_SQLITE", "/tmp/mmm_bench.sqlite3"))
SCALE = float(os.environ.get("BENCH_SCALE", "1"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "60"))
PORT = int(os.environ.get("BENCH_PORT", "0"))  # 0: any free port
TARGETS = {"postgresql": 100.0, "sqlite": 200.0}


def endpoints(mentor_id: int) -> list[tuple[str, str]]:
    return [
        ("search, no filter", "/mentors/"),
        ("search, three filters", "/mentors/?f=area:research&f=lang:en&f=id:first_generation:first_generation"),
        ("search, free text", "/mentors/?q=ultrasound+equity"),
        ("recommendations", "/mentors/recommended/"),
        ("mentor profile", f"/mentors/{mentor_id}/"),
    ]


def main() -> int:
    results = []
    pg = {"institutions": 200, "mentors": 30_000, "mentees": 80_000, "search_logs": 1_000_000}
    pg = {k: max(int(v * SCALE), 10) for k, v in pg.items()}
    results += run_backend("postgresql", PG_URL, pg)
    results += run_outcomes(PG_URL)  # outcomes dashboards on the same data (bench/outcomes.py)
    lite = {"institutions": 40, "mentors": 5_000, "mentees": 10_000, "search_logs": 100_000}
    lite = {k: max(int(v * min(SCALE, 1)), 10) for k, v in lite.items()}
    SQLITE_PATH.unlink(missing_ok=True)
    results += run_backend("sqlite", f"sqlite:///{SQLITE_PATH}", lite, only=("search",))
    print_table(results)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(results, indent=2))
    print(f"\nwrote {RESULTS / 'latest.json'}")
    return 0 if all(r["ok"] for r in results) else 1


def run_backend(vendor: str, url: str, sizes: dict, only: tuple[str, ...] = ()) -> list[dict]:
    port = PORT or _free_port()
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "0", "DJANGO_SETTINGS_MODULE": "mentormemed.settings"}
    if vendor == "postgresql":
        _recreate_pg(url)
    print(f"[{vendor}] migrating …", flush=True)
    subprocess.run([PYTHON, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    print(f"[{vendor}] generating {sizes} …", flush=True)
    out = subprocess.run(
        [PYTHON, "-m", "bench.prepare", json.dumps(sizes)], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if out.returncode:
        sys.stderr.write(out.stderr[-4000:])
        raise SystemExit(f"[{vendor}] data generation failed")
    prep = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"[{vendor}] generated in {prep['seconds']} s; {len(prep['sessions'])} sessions", flush=True)
    server = subprocess.Popen(
        [
            PYTHON,
            "-m",
            "gunicorn",
            "mentormemed.wsgi",
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "--timeout",
            "120",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        _wait_for_server(server, port)
        rows = []
        for name, path in endpoints(prep["mentor_id"]):
            if only and not any(name.startswith(o) for o in only):
                continue
            timings = _time(port, path, prep["sessions"])
            p50 = statistics.median(timings)
            p95 = statistics.quantiles(timings, n=20)[18]
            rows.append(
                {
                    "backend": vendor,
                    "endpoint": name,
                    "path": path,
                    "p50_ms": round(p50, 1),
                    "p95_ms": round(p95, 1),
                    "queries": prep["queries"].get(path),
                    "n_mentors": sizes["mentors"],
                    "target_p95_ms": TARGETS[vendor],
                    "ok": p95 <= TARGETS[vendor],
                    "generate_seconds": prep["seconds"],
                }
            )
            print(f"[{vendor}] {name}: p50 {p50:.1f} ms, p95 {p95:.1f} ms", flush=True)
        return rows
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def run_outcomes(url: str) -> list[dict]:
    sizes = {"requests": max(int(200_000 * SCALE), 100), "evaluated": max(int(60_000 * SCALE), 30)}
    print(f"[postgresql] outcomes: adding history {sizes}, refreshing rollups, timing dashboards …", flush=True)
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "0", "DJANGO_SETTINGS_MODULE": "mentormemed.settings"}
    out = subprocess.run(
        [PYTHON, "-m", "bench.outcomes", json.dumps(sizes)], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if out.returncode:
        sys.stderr.write(out.stderr[-4000:])
        raise SystemExit("[postgresql] outcomes benchmark failed")
    rows = json.loads(out.stdout.strip().splitlines()[-1])
    for r in rows:
        print(f"[postgresql] {r['endpoint']}: p50 {r['p50_ms']:.1f} ms, p95 {r['p95_ms']:.1f} ms", flush=True)
    return rows


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _recreate_pg(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def _wait_for_server(server, port: int) -> None:
    for _ in range(100):
        if server.poll() is not None:
            raise RuntimeError("the benchmark server exited (is the port in use?)")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the benchmark server did not start")


def _time(port: int, path: str, sessions: list[str]) -> list[float]:
    def get(i: int) -> float:
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}{path}", headers={"Cookie": f"sessionid={sessions[i % len(sessions)]}"}
        )
        started = time.perf_counter()
        with urllib.request.urlopen(request, timeout=60) as response:
            body = response.read()
            if response.status != 200 or not body:
                raise RuntimeError(f"{path}: HTTP {response.status}")
        return (time.perf_counter() - started) * 1000

    for i in range(10):  # warm both workers' caches and connections
        get(i)
    return [get(i) for i in range(REQUESTS)]


def print_table(rows: list[dict]) -> None:
    print()
    header = (
        f"{'backend':<11} {'endpoint':<30} {'p50 ms':>8} {'p95 ms':>8} {'target':>7} {'queries':>8} {'mentors':>8}  ok"
    )
    print(header)
    print("-" * len(header))
    for r in rows:
        print(
            f"{r['backend']:<11} {r['endpoint']:<30} {r['p50_ms']:>8.1f} {r['p95_ms']:>8.1f} "
            f"{r['target_p95_ms']:>7.0f} {r['queries'] or '-':>8} {r['n_mentors']:>8}  {'yes' if r['ok'] else 'NO'}"
        )


if __name__ == "__main__":
    sys.exit(main())
