"""The servers of the burst benchmark, and what it reads of them: CPU time, peak memory
and, with py-spy, where the time goes."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.e2e.served_app import SERVER_PIDS, served_app


@dataclass(frozen=True)
class Server:
    """A served app: its address and its process."""

    base_url: str
    pid: int


@contextmanager
def served(database_url: str, *, log_path: Path, script: str | None = None) -> Iterator[Server]:
    """The app (or a bare ``script``) served over ``database_url`` until the block ends."""
    with served_app(database_url, log_path=log_path, script=script) as base_url:
        yield Server(base_url, SERVER_PIDS[base_url])


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of process ``pid`` so far (all its threads)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_memory_mb(pid: int) -> float:
    """The most memory process ``pid`` has held at once (its peak resident set)."""
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024


class Profiler:
    """py-spy recording the server while a phase runs (no-op without ``--profile``)."""

    def __init__(self, py_spy: str | None, output: Path | None, pid: int):
        self.py_spy, self.output, self.pid = py_spy, output, pid
        self.process: subprocess.Popen | None = None

    def start(self, phase: str) -> None:
        if not (self.py_spy and self.output):
            return
        out = self.output.with_name(f"{self.output.stem}-{phase}{self.output.suffix}")
        fmt = {".svg": "flamegraph", ".json": "speedscope"}.get(self.output.suffix, "raw")
        self.process = subprocess.Popen(
            [self.py_spy, "record", "--pid", str(self.pid), "--output", str(out)]
            + ["--format", fmt, "--rate", "200", "--threads", "--gil", "--nonblocking"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(0.5)  # py-spy attaches

    def stop(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGINT)
            self.process.wait(timeout=60)
            self.process = None
