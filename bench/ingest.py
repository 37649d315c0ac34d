"""Ingest benchmark: `openborough publish` against `sqlite-utils insert --csv`.

    .venv/bin/python bench/ingest.py [--rows 2000000]

Builds (once) a ≥ 2,000,000-row CSV by replicating the NYC parking-violation
files in ../shared/data/real/parking/ with unique ticket numbers, then in the
same run times both loaders on the same file and records each one's peak RSS.
Target: publish ≥ 30× faster than sqlite-utils, peak RSS ≤ 1 GiB.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.common import measure, parking_csv, venv_bin  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rows", type=int, default=2_000_000)
    args = ap.parse_args()
    csv_path = parking_csv(args.rows)
    size_mb = csv_path.stat().st_size / 1e6
    print(f"file: {csv_path.name}, {args.rows:,} rows, {size_mb:,.0f} MB")
    work = tempfile.mkdtemp(prefix="ob-bench-ingest-")
    try:
        env = dict(os.environ, OPENBOROUGH_DATA_DIR=os.path.join(work, "data"))
        init = measure([venv_bin("openborough"), "init"], env)
        if init.returncode:
            print(init.stderr)
            return 1
        ob = measure(
            [venv_bin("openborough"), "publish", str(csv_path), "--title", "NYC parking violations", "--quiet",
             "--row-id", "summons_number"],
            env,
        )
        if ob.returncode:
            print("openborough publish failed:\n" + ob.stderr)
            return 1
        su = measure([venv_bin("sqlite-utils"), "insert", os.path.join(work, "su.db"), "violations", str(csv_path), "--csv"])
        if su.returncode:
            print("sqlite-utils failed:\n" + su.stderr)
            return 1
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"{'loader':<28}{'seconds':>10}{'rows/s':>14}{'peak RSS MiB':>15}")
    for name, run in (("openborough publish", ob), ("sqlite-utils insert --csv", su)):
        print(f"{name:<28}{run.seconds:>10.1f}{args.rows / run.seconds:>14,.0f}{run.peak_rss_mib:>15,.0f}")
    ratio = su.seconds / ob.seconds
    print(f"ratio: openborough publish is {ratio:.1f}x faster than sqlite-utils (target >= 30x); "
          f"peak RSS {ob.peak_rss_mib:,.0f} MiB (target <= 1024)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
