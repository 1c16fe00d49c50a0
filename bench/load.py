"""A bounded load run over loopback: ``connections`` concurrent clients for ``seconds``, plain asyncio.

Each client loops over a signed-in mix of pages with its own session; every request opens a new
connection (gunicorn's sync workers close it after each response, as they would behind a proxy).
Counts answers, errors (anything but 200, or no answer within the timeout) and latencies.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import time


async def _get(port: int, path: str, cookie: str, timeout: float) -> tuple[int, float]:
    started = time.perf_counter()
    reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), timeout)
    try:
        head = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: sessionid={cookie}\r\nConnection: close\r\n\r\n"
        writer.write(head.encode())
        await writer.drain()
        status_line = await asyncio.wait_for(reader.readline(), timeout)
        await asyncio.wait_for(reader.read(), timeout)  # the rest, up to the close
    finally:
        writer.close()
    parts = status_line.split()
    status = int(parts[1]) if len(parts) > 1 else 0
    return status, (time.perf_counter() - started) * 1000


async def _run(port: int, groups: list[tuple[list[str], list[str], int]], seconds: float, timeout: float):
    deadline = time.monotonic() + seconds
    latencies: list[float] = []
    errors = 0

    async def client(n: int, mix: list[str], sessions: list[str]) -> None:
        nonlocal errors
        i = n
        while time.monotonic() < deadline:
            path = mix[i % len(mix)]
            i += 1
            try:
                status, ms = await _get(port, path, sessions[n % len(sessions)], timeout)
            except (OSError, TimeoutError):
                errors += 1
                continue
            if status != 200:
                errors += 1
            else:
                latencies.append(ms)

    started = time.monotonic()
    await asyncio.gather(
        *(client(n, mix, sessions) for mix, sessions, connections in groups for n in range(connections))
    )
    return latencies, errors, time.monotonic() - started


def load_run(*, port: int, groups: list[tuple[list[str], list[str], int]], seconds: float = 20, timeout: float = 10):
    """Run each group (its pages, its sessions, how many connections) at once; returns req/s,
    p50/p95 (ms), errors and the load average before and after the run."""
    load_before = os.getloadavg()
    latencies, errors, elapsed = asyncio.run(_run(port, groups, seconds, timeout))
    load_after = os.getloadavg()
    done = len(latencies)
    return {
        "connections": sum(n for _, _, n in groups),
        "seconds": round(elapsed, 1),
        "requests": done,
        "errors": errors,
        "req_per_s": round(done / elapsed, 1) if elapsed else 0.0,
        "p50_ms": round(statistics.median(latencies), 1) if latencies else None,
        "p95_ms": round(statistics.quantiles(latencies, n=20)[18], 1) if len(latencies) >= 20 else None,
        "loadavg_before": [round(x, 2) for x in load_before],
        "loadavg_after": [round(x, 2) for x in load_after],
    }
