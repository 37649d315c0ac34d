"""Helpers shared by the benchmarks: the big parking CSV and measuring a child process."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("OPENBOROUGH_SHARED", REPO.parent / "shared"))
WORK = Path(os.environ.get("OPENBOROUGH_BENCH_DIR", REPO / "bench" / "work"))
NYC = SHARED / "data" / "real" / "parking" / "nyc-parking-violations"
SOURCES = ["ParkingViolations2015-Partial.csv", "ParkingViolations2016-Partial.csv"]


def parking_csv(rows: int = 2_000_000) -> Path:
    """A CSV of ``rows`` NYC parking violations made by replicating the FY2015 and
    FY2016 files (same 52 columns), with every Summons Number made unique.
    Built once and cached in bench/work/."""
    WORK.mkdir(parents=True, exist_ok=True)
    out = WORK / f"nyc_parking_{rows}.csv"
    if out.exists():
        return out
    source_rows = []
    header = None
    for name in SOURCES:
        with open(NYC / name, newline="", encoding="utf-8") as f:
            reader = csv.reader(f)
            h = next(reader)
            header = header or h
            if h != header:
                raise SystemExit(f"{name} has a different header")
            source_rows.extend(reader)
    summons = header.index("Summons Number")
    tmp = out.with_suffix(".tmp")
    with open(tmp, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        n = 0
        copy = 0
        while n < rows:
            for i, r in enumerate(source_rows):
                if n >= rows:
                    break
                r = list(r)
                r[0] = str(n)  # the unnamed pandas index column
                # original numbers are 10 digits; the copy number goes in front, and the position
                # within the copy breaks the duplicates the FY2015 excerpt already has
                r[summons] = str((copy + 1) * 10**11 + i * 10 + 0)
                w.writerow(r)
                n += 1
            copy += 1
    tmp.rename(out)
    return out


@dataclass
class Run:
    seconds: float
    peak_rss_mib: float
    returncode: int
    stderr: str


def measure(cmd: list[str], env: dict | None = None) -> Run:
    """Wall time and peak RSS (of the child, via wait4) of one command."""
    start = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    # read pipes in the background so a chatty child cannot block
    import threading

    chunks = {"out": b"", "err": b""}

    def drain(stream, key):
        chunks[key] = stream.read()

    threads = [threading.Thread(target=drain, args=(p.stdout, "out")), threading.Thread(target=drain, args=(p.stderr, "err"))]
    for t in threads:
        t.start()
    _, status, usage = os.wait4(p.pid, 0)
    elapsed = time.perf_counter() - start
    for t in threads:
        t.join()
    p.returncode = os.waitstatus_to_exitcode(status)
    return Run(elapsed, usage.ru_maxrss / 1024, p.returncode, chunks["err"].decode(errors="replace")[-2000:])


def venv_bin(name: str) -> str:
    return str(Path(sys.executable).parent / name)
