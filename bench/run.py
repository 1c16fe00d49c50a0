"""``make bench``: national-scale search and recommendation latency through a real server.

1. PostgreSQL (``BENCH_DATABASE_URL``, default ``postgres://postgres@127.0.0.1:5432/mmm_bench``):
   drop and re-create the database, migrate, generate 200 institutions, 30,000 mentors,
   80,000 mentees and 1,000,000 search-log rows with COPY.
2. Start gunicorn (2 workers, DEBUG off) on that database; sign bench mentees in by
   creating real sessions; warm up; time each endpoint over HTTP; count its queries
   with Django's test client against the same database.
3. The same on SQLite with 5,000 mentors (the embedded default).

Prints a table and writes ``bench/results/latest.json``. Sizes can be lowered for a
quick look with ``BENCH_SCALE=0.1``; ``BENCH_REUSE=1`` times an already generated
PostgreSQL database again (migrated, not regenerated) while iterating on a change.
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

from bench.cpu import Sample, usage
from bench.load import load_run

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
PYTHON = sys.executable
PG_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/mmm_bench")
SQLITE_PATH = Path(os.environ.get("BENCH_SQLITE", "/tmp/mmm_bench.sqlite3"))
SCALE = float(os.environ.get("BENCH_SCALE", "1"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "60"))
PORT = int(os.environ.get("BENCH_PORT", "0"))  # 0: any free port
TARGETS = {"postgresql": 40.0, "sqlite": 200.0}  # p95 over HTTP, one client
CPU_TARGET_MS = 15.0  # server CPU per request (worker + PostgreSQL), PostgreSQL at 30,000 mentors
STATEMENTS_TARGET = 8
LOAD = {"connections": 32, "seconds": float(os.environ.get("BENCH_LOAD_SECONDS", "20"))}
LOAD_TARGETS = {"req_per_s": 100.0, "p95_ms": 500.0}
REUSE = os.environ.get("BENCH_REUSE") == "1"  # keep an already generated PostgreSQL database (iterating)
PARTS = frozenset(os.environ.get("BENCH_PARTS", "search,load,outcomes,sqlite").split(","))  # a quicker look
BUSY_SHARE = 0.25  # other processes using more than this share of the cores: the run is not judged


def endpoints(mentor_id: int) -> list[tuple[str, str]]:
    return [
        ("search, no filter", "/mentors/"),
        ("search, three filters", "/mentors/?f=area:research&f=lang:en&f=id:first_generation:first_generation"),
        ("search, free text", "/mentors/?q=ultrasound+equity"),
        ("search, surname", "/mentors/?q=Nguyen"),
        ("recommendations", "/mentors/recommended/"),
        ("mentor profile", f"/mentors/{mentor_id}/"),
    ]


def load_mix() -> list[str]:
    """The signed-in mix of the load run (mentees; the outcomes dashboard for an admin session)."""
    return [
        "/home/",
        "/mentors/",
        "/mentors/?f=area:research&f=lang:en",
        "/mentors/?q=residency+research",
        "/mentors/recommended/",
        "/notifications/",
        "/home/",
        "/mentors/?f=id:first_generation:first_generation",
    ]


def main() -> int:
    """Every part by default; ``BENCH_PARTS=outcomes`` (say) runs only some, written to ``partial.json``."""
    results = []
    pg = {"institutions": 200, "mentors": 30_000, "mentees": 80_000, "search_logs": 1_000_000}
    pg = {k: max(int(v * SCALE), 10) for k, v in pg.items()}
    if PARTS & {"search", "load", "outcomes"}:
        results += run_backend("postgresql", PG_URL, pg, timed="search" in PARTS, load="load" in PARTS)
    if "outcomes" in PARTS:
        results += run_outcomes(PG_URL)  # outcomes dashboards on the same data (bench/outcomes.py)
    if "sqlite" in PARTS:
        lite = {"institutions": 40, "mentors": 5_000, "mentees": 10_000, "search_logs": 100_000}
        lite = {k: max(int(v * min(SCALE, 1)), 10) for k, v in lite.items()}
        SQLITE_PATH.unlink(missing_ok=True)
        results += run_backend("sqlite", f"sqlite:///{SQLITE_PATH}", lite, only=("search",), load=False)
    print_table(results)
    RESULTS.mkdir(parents=True, exist_ok=True)
    written = RESULTS / ("latest.json" if {"search", "load", "outcomes", "sqlite"} <= PARTS else "partial.json")
    written.write_text(json.dumps(results, indent=2))
    print(f"\nwrote {written}")
    return 0 if all(r["ok"] for r in results) else 1


def run_backend(
    vendor: str, url: str, sizes: dict, only: tuple[str, ...] = (), *, timed: bool = True, load: bool = True
) -> list[dict]:
    port = PORT or _free_port()
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "0", "DJANGO_SETTINGS_MODULE": "mentormemed.settings"}
    if vendor == "postgresql" and not REUSE:
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
            "--access-logfile",
            "/dev/null",
            "--timeout",
            "120",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        _wait_for_server(server, port)
        rows = []
        for name, path in endpoints(prep["mentor_id"]) if timed else []:
            if only and not any(name.startswith(o) for o in only):
                continue
            timings, use = _time(server.pid, port, path, prep["sessions"], postgres=vendor == "postgresql")
            p50 = statistics.median(timings)
            p95 = statistics.quantiles(timings, n=20)[18]
            queries = prep["queries"].get(path)
            checks = [p95 <= TARGETS[vendor]]
            if vendor == "postgresql":
                checks += [use.cpu_ms <= CPU_TARGET_MS, (queries or 0) <= STATEMENTS_TARGET]
            busy = use.others_share > BUSY_SHARE
            rows.append(
                {
                    "backend": vendor,
                    "endpoint": name,
                    "path": path,
                    "p50_ms": round(p50, 1),
                    "p95_ms": round(p95, 1),
                    "cpu_ms": round(use.cpu_ms, 1),
                    "worker_cpu_ms": round(use.worker_ms, 1),
                    "postgres_cpu_ms": None if use.postgres_ms is None else round(use.postgres_ms, 1),
                    "others_cpu_share": round(use.others_share, 2),
                    "queries": queries,
                    "n_mentors": sizes["mentors"],
                    "target_p95_ms": TARGETS[vendor],
                    "target_cpu_ms": CPU_TARGET_MS if vendor == "postgresql" else None,
                    "ok": all(checks),
                    "verdict": ("met" if all(checks) else "missed") + (" (busy machine: not judged)" if busy else ""),
                    "generate_seconds": prep["seconds"],
                }
            )
            print(
                f"[{vendor}] {name}: p50 {p50:.1f} ms, p95 {p95:.1f} ms, cpu {use.cpu_ms:.1f} ms/request "
                f"(worker {use.worker_ms:.1f} + postgres {use.postgres_ms or 0:.1f}), {queries} statements",
                flush=True,
            )
        if vendor == "postgresql" and load:
            rows.append(_load_row(server.pid, port, prep, sizes))
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
        print(
            f"[postgresql] {r['endpoint']}: p50 {r['p50_ms']:.1f} ms, p95 {r['p95_ms']:.1f} ms, "
            f"cpu {r['cpu_ms']:.1f} ms/request, {r['queries']} statements",
            flush=True,
        )
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


def _time(master_pid: int, port: int, path: str, sessions: list[str], *, postgres: bool = True):
    """Timings (ms) of ``REQUESTS`` sequential requests and the server CPU they cost."""

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
    before, started = Sample.take(master_pid, postgres=postgres), time.monotonic()
    timings = [get(i) for i in range(REQUESTS)]
    after = Sample.take(master_pid, postgres=postgres)
    return timings, usage(before, after, requests=REQUESTS, seconds=time.monotonic() - started)


def _load_row(master_pid: int, port: int, prep: dict, sizes: dict) -> dict:
    mix = load_mix()
    admins = 4 if prep.get("admin_session") else 0  # of the connections: an admin on the outcomes dashboard
    groups = [(mix, prep["sessions"], LOAD["connections"] - admins)]
    if admins:
        groups.append((["/outcomes/", "/home/"], [prep["admin_session"]], admins))
    print(f"[postgresql] load run: {LOAD['connections']} connections for {LOAD['seconds']:.0f} s …", flush=True)
    before, started = Sample.take(master_pid), time.monotonic()
    result = load_run(port=port, groups=groups, seconds=LOAD["seconds"])
    use = usage(
        before, Sample.take(master_pid), requests=max(result["requests"], 1), seconds=time.monotonic() - started
    )
    met = (
        result["req_per_s"] >= LOAD_TARGETS["req_per_s"]
        and (result["p95_ms"] or 1e9) <= LOAD_TARGETS["p95_ms"]
        and result["errors"] == 0
    )
    busy = use.others_share > BUSY_SHARE
    print(
        f"[postgresql] load: {result['req_per_s']} req/s, p95 {result['p95_ms']} ms, {result['errors']} errors, "
        f"load average {result['loadavg_before'][0]} → {result['loadavg_after'][0]}, "
        f"others used {use.others_share:.0%} of the cores",
        flush=True,
    )
    return {
        "backend": "postgresql",
        "endpoint": f"load: {LOAD['connections']} connections, signed-in mix",
        "path": " ".join(mix + (["/outcomes/ (admin)"] if admins else [])),
        "p50_ms": result["p50_ms"],
        "p95_ms": result["p95_ms"],
        "cpu_ms": round(use.cpu_ms, 1),
        "worker_cpu_ms": round(use.worker_ms, 1),
        "postgres_cpu_ms": None if use.postgres_ms is None else round(use.postgres_ms, 1),
        "others_cpu_share": round(use.others_share, 2),
        "queries": None,
        "n_mentors": sizes["mentors"],
        "target_p95_ms": LOAD_TARGETS["p95_ms"],
        "target_cpu_ms": None,
        "load": result,
        "ok": met,
        "verdict": ("met" if met else "missed") + (" (busy machine: not judged)" if busy else ""),
        "generate_seconds": prep["seconds"],
    }


def print_table(rows: list[dict]) -> None:
    print()
    print(f"load average now: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
    header = (
        f"{'backend':<11} {'endpoint':<40} {'p50 ms':>8} {'p95 ms':>8} {'target':>7} {'cpu ms':>7} "
        f"{'stmts':>6} {'mentors':>8}  verdict"
    )
    print(header)
    print("-" * len(header))
    for r in rows:
        cpu = r.get("cpu_ms")
        verdict = r.get("verdict") or ("met" if r["ok"] else "missed")
        extra = ""
        if "load" in r:
            extra = f" — {r['load']['req_per_s']} req/s, {r['load']['errors']} errors"
        print(
            f"{r['backend']:<11} {r['endpoint'][:40]:<40} {r['p50_ms'] or 0:>8.1f} {r['p95_ms'] or 0:>8.1f} "
            f"{r['target_p95_ms']:>7.0f} {'-' if cpu is None else f'{cpu:.1f}':>7} {r['queries'] or '-':>6} "
            f"{r['n_mentors']:>8}  {verdict}{extra}"
        )


if __name__ == "__main__":
    sys.exit(main())
