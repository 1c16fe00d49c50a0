"""Server CPU as the bench counts it: the web workers plus PostgreSQL, read from ``/proc``.

Worker CPU is the user + system time of the gunicorn master's children. PostgreSQL CPU is the
user + system time of every live ``postgres`` process plus the postmaster's reaped children
(``cutime``/``cstime``: backends that exited during the run), so connections that come and go
are counted too. Background work (autovacuum, checkpoints) is included: it is small and real.
The machine's other CPU use (other people's processes) is what remains of ``/proc/stat``'s busy
time; a run where it is large is reported as not judged instead of met.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")
PROC = Path("/proc")


def _stat(pid: int) -> list[str] | None:
    try:
        raw = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    # The command name may hold spaces: split after its closing parenthesis.
    return raw[raw.rindex(")") + 2 :].split()


def _processes() -> list[tuple[int, str, list[str]]]:
    rows = []
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        fields = _stat(int(entry.name))
        if fields is None:
            continue
        try:
            comm = (entry / "comm").read_text().strip()
        except OSError:
            continue
        rows.append((int(entry.name), comm, fields))
    return rows


def process_seconds(pid: int, *, children: bool = False) -> float:
    fields = _stat(pid)
    if fields is None:
        return 0.0
    # After the name: state(0) ppid(1) ... utime(11) stime(12) cutime(13) cstime(14)
    ticks = int(fields[11]) + int(fields[12])
    if children:
        ticks += int(fields[13]) + int(fields[14])
    return ticks / TICK


def workers_seconds(master_pid: int) -> float:
    """CPU of the gunicorn master's live children (the workers)."""
    return sum(
        (int(f[11]) + int(f[12])) / TICK for pid, _, f in _processes() if int(f[1]) == master_pid and pid != master_pid
    )


def postgres_seconds() -> float | None:
    """CPU of the local PostgreSQL server, or ``None`` when it does not run on this machine."""
    procs = [(pid, f) for pid, comm, f in _processes() if comm == "postgres"]
    if not procs:
        return None
    pids = {pid for pid, _ in procs}
    total = 0.0
    for _, f in procs:
        total += (int(f[11]) + int(f[12])) / TICK
        if int(f[1]) not in pids:  # the postmaster: add the backends it reaped
            total += (int(f[13]) + int(f[14])) / TICK
    return total


def machine_busy_seconds() -> float:
    """Busy CPU time of the whole machine (all cores) from ``/proc/stat``."""
    parts = [int(x) for x in (PROC / "stat").read_text().splitlines()[0].split()[1:]]
    idle = parts[3] + (parts[4] if len(parts) > 4 else 0)  # idle + iowait
    return (sum(parts[:8]) - idle) / TICK


@dataclass
class Sample:
    workers: float
    postgres: float | None
    machine: float
    bench: float  # this process (the HTTP client)

    @classmethod
    def take(cls, master_pid: int, *, postgres: bool = True) -> Sample:
        """``postgres=False``: the server under test does not use PostgreSQL (SQLite), do not count it."""
        return cls(
            workers=workers_seconds(master_pid),
            postgres=postgres_seconds() if postgres else None,
            machine=machine_busy_seconds(),
            bench=process_seconds(os.getpid()),
        )


@dataclass
class Usage:
    worker_ms: float
    postgres_ms: float | None
    others_share: float  # other processes' CPU, as a share of the machine's cores

    @property
    def cpu_ms(self) -> float:
        return self.worker_ms + (self.postgres_ms or 0.0)


def usage(before: Sample, after: Sample, *, requests: int, seconds: float) -> Usage:
    """CPU per request between two samples, and how much of the machine others used meanwhile."""
    workers = after.workers - before.workers
    postgres = None if before.postgres is None or after.postgres is None else after.postgres - before.postgres
    ours = workers + (postgres or 0.0) + (after.bench - before.bench)
    others = max(after.machine - before.machine - ours, 0.0)
    cores = os.cpu_count() or 1
    return Usage(
        worker_ms=1000 * workers / max(requests, 1),
        postgres_ms=None if postgres is None else 1000 * postgres / max(requests, 1),
        others_share=others / max(seconds * cores, 1e-9),
    )
