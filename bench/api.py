"""API benchmark: openborough's SODA API against `datasette serve` on the same data.

    .venv/bin/python bench/api.py [--rows 2000000] [--repeat 15]

Both serve the ≥ 2,000,000-row NYC parking-violations file (bench/common.py):
openborough published with `openborough publish` (DuckDB + Parquet, 2 gunicorn
workers), datasette over a SQLite copy of the same typed rows (immutable mode,
SQL time limit raised to 60 s and max_returned_rows to 50,000 so every query can
finish; facets off). Data directories are
built once and kept in bench/work/api/.

Each query is asked of both servers over loopback HTTP, sequentially
(`--repeat` times after a warm-up), and the row counts of the two answers are
compared so both did the same work. Then 16 client threads ask, for 10 s each,
for 1000-row pages at random offsets, a filtered sorted page, a count by
category and monthly sums, to measure requests/s. Last, a datasette with its
default settings (1 s SQL time limit) is asked each question once, and the
questions it fails are reported.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.common import WORK, parking_csv, venv_bin  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, proc: subprocess.Popen, what: str) -> None:
    deadline = time.time() + 180
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"{what} exited with {proc.returncode}")
        try:
            if requests.get(url, timeout=5).status_code < 500:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise SystemExit(f"{what} did not start")


def build(rows: int) -> tuple[Path, str, Path]:
    csv_path = parking_csv(rows)
    base = WORK / "api" / str(rows)
    base.mkdir(parents=True, exist_ok=True)
    ob_dir, id_file, db = base / "openborough", base / "dataset-id", base / "nyc.db"
    if not id_file.exists():
        shutil.rmtree(ob_dir, ignore_errors=True)
        env = dict(os.environ, OPENBOROUGH_DATA_DIR=str(ob_dir))
        run = subprocess.run(
            [venv_bin("openborough"), "publish", str(csv_path), "--title", "NYC parking violations", "--quiet",
             "--row-id", "summons_number"],
            env=env, capture_output=True, text=True,
        )  # fmt: skip
        if run.returncode:
            raise SystemExit("openborough publish failed:\n" + run.stderr)
        id_file.write_text(run.stdout.strip().splitlines()[-1])
        print(f"published {id_file.read_text()} into {ob_dir}")
    if not db.exists():
        build_sqlite(ob_dir, id_file.read_text().strip(), db)
    return ob_dir, id_file.read_text().strip(), db


def build_sqlite(ob_dir: Path, ds_id: str, db: Path) -> None:
    """The SQLite database datasette serves: the very rows openborough holds (its
    Parquet version, typed), copied with the standard library in batches. (sqlite-utils
    insert --csv manages about 10,000 rows a minute on this file, too slow to wait for.)"""
    import sqlite3

    import pyarrow as pa
    import pyarrow.parquet as pq

    start = time.perf_counter()
    path = max((ob_dir / "store" / ds_id).glob("v*.parquet"), key=lambda p: int(p.stem[1:]))
    pf = pq.ParquetFile(path)
    fields = [f for f in pf.schema_arrow if not f.name.startswith(":")]

    def sql_type(t) -> str:
        if pa.types.is_floating(t) or pa.types.is_integer(t):
            return "REAL"
        return "TEXT"

    tmp = db.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)
    con = sqlite3.connect(tmp)
    con.execute("PRAGMA journal_mode=OFF")
    con.execute("PRAGMA synchronous=OFF")
    cols = ", ".join(f'"{f.name}" {sql_type(f.type)}' for f in fields)
    con.execute(f"CREATE TABLE violations ({cols})")
    marks = ", ".join("?" for _ in fields)
    names = [f.name for f in fields]
    for batch in pf.iter_batches(batch_size=50_000, columns=names):
        arrays = []
        for f, col in zip(fields, batch.columns, strict=True):
            if pa.types.is_timestamp(f.type):
                col = col.cast(pa.string())
            arrays.append(col.to_pylist())
        con.executemany(f"INSERT INTO violations VALUES ({marks})", zip(*arrays, strict=True))
    con.commit()
    con.close()
    tmp.rename(db)
    print(f"built {db} from {path.name} in {time.perf_counter() - start:.0f} s")


def timed(session: requests.Session, url: str, params: dict) -> tuple[float, int]:
    start = time.perf_counter()
    r = session.get(url, params=params, timeout=600)
    elapsed = time.perf_counter() - start
    if r.status_code != 200:
        raise SystemExit(f"{r.status_code} from {r.url}: {r.text[:300]}")
    if ".csv" in url:  # datasette sends its CSV as text/plain
        n = r.text.count("\n") - 1
    else:
        body = r.json()
        n = len(body) if isinstance(body, list) else 1
    return elapsed, n


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, max(0, round(p / 100 * len(values)) - 1))]


CLIENTS = 16


def throughput(url_for, seconds: float = 10.0, threads: int = CLIENTS) -> float:
    done = [0] * threads
    stop = time.time() + seconds

    def work(i):
        s = requests.Session()
        rnd = random.Random(i)
        while time.time() < stop:
            url, params = url_for(rnd.randrange(0, 1_900_000))
            r = s.get(url, params=params, timeout=120)
            if r.status_code == 200:
                done[i] += 1

    ts = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return sum(done) / seconds


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rows", type=int, default=2_000_000)
    ap.add_argument("--repeat", type=int, default=15)
    args = ap.parse_args()
    ob_dir, ds_id, db = build(args.rows)
    ob_port, dt_port = free_port(), free_port()
    env = dict(os.environ, OPENBOROUGH_DATA_DIR=str(ob_dir), OPENBOROUGH_SODA_ANON_RATE="0")
    logs = open(WORK / "api" / "servers.log", "w")
    ob = subprocess.Popen([venv_bin("openborough"), "serve", "--port", str(ob_port), "--workers", "2"], env=env,
                          stdout=logs, stderr=subprocess.STDOUT)  # fmt: skip
    dt = subprocess.Popen(
        [venv_bin("datasette"), "serve", "-i", str(db), "--port", str(dt_port), "--setting", "sql_time_limit_ms",
         "60000", "--setting", "max_returned_rows", "50000", "--setting", "num_sql_threads", "4",
         "--setting", "facet_time_limit_ms", "1", "--setting", "allow_facet", "off", "--setting", "suggest_facets", "off"],
        stdout=logs, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        OB, DT = f"http://127.0.0.1:{ob_port}", f"http://127.0.0.1:{dt_port}"
        wait_for(f"{OB}/api/openapi.json", ob, "openborough serve")
        wait_for(f"{DT}/-/versions.json", dt, "datasette serve")
        view = requests.get(f"{OB}/api/views/{ds_id}.json", timeout=600).json()
        assert {"registration_state", "violation_code", "violation_county", "summons_number"} <= {
            c["fieldName"] for c in view["columns"]
        }
        state, code, county, summons = "registration_state", "violation_code", "violation_county", "summons_number"
        some_summons = requests.get(f"{OB}/resource/{ds_id}.json", {"$select": summons, "$offset": 1234567,
                                                                    "$limit": 1, "$order": ":id"}).json()[0][summons]  # fmt: skip
        res, tbl, sql = f"{OB}/resource/{ds_id}.json", f"{DT}/nyc/violations.json", f"{DT}/nyc.json"
        page = {"_shape": "array", "_nocount": "1"}
        queries = [
            ("first page (1000 rows)", res, {}, tbl, {**page, "_size": "1000"}),
            ("equality filter (100 rows)", res, {state: "NJ", "$limit": "100"}, tbl,
             {**page, state: "NJ", "_size": "100"}),
            ("where + order by (100 rows)", res, {"$where": f"{code} = 21", "$order": f"{summons} DESC",
                                                  "$limit": "100"},
             sql, {"_shape": "array", "sql": f"select * from violations where {code} = 21 order by {summons} desc limit 100"}),
            ("group by + count", res, {"$select": f"{county}, count(*) AS n", "$group": county, "$order": "n DESC"},
             sql, {"_shape": "array", "sql": f"select {county}, count(*) as n from violations group by {county} order by n desc"}),
            ("monthly count and sum", res, {"$select": "date_trunc_ym(issue_date) AS month, count(*) AS n, "
                                              "sum(violation_precinct) AS s", "$group": "month", "$order": "month"},
             sql, {"_shape": "array", "sql": "select substr(issue_date, 1, 7) as month, count(*) as n, "
                   "sum(violation_precinct) as s from violations group by month order by month"}),
            ("filtered count(*)", res, {"$select": "count(*)", "$where": f"{state} = 'NY'"},
             sql, {"_shape": "array", "sql": f"select count(*) from violations where {state} = 'NY'"}),
            ("deep page (offset 1.5M, 100 rows)", res, {"$order": ":id", "$offset": "1500000", "$limit": "100"},
             sql, {"_shape": "array", "sql": "select * from violations order by rowid limit 100 offset 1500000"}),
            ("50,000-row CSV page", f"{OB}/resource/{ds_id}.csv", {"$limit": "50000", "$order": ":id"},
             f"{DT}/nyc.csv", {"sql": "select * from violations order by rowid limit 50000", "_size": "max"}),
            ("one row by row identifier", f"{OB}/resource/{ds_id}/{some_summons}.json", {}, tbl,
             {**page, summons: some_summons}),
        ]  # fmt: skip
        s = requests.Session()
        print(f"{args.rows:,} rows; {args.repeat} timed requests per query per server (after one warm-up)\n")
        print(f"{'query':<36}{'openborough p50/p95 ms':>24}{'datasette p50/p95 ms':>24}{'speed-up':>10}{'rows':>8}")
        ratios = []
        for label, ob_url, ob_params, dt_url, dt_params in queries:
            _, n_ob = timed(s, ob_url, ob_params)
            _, n_dt = timed(s, dt_url, dt_params)
            if n_ob != n_dt:
                print(f"  note: {label}: openborough returned {n_ob} rows, datasette {n_dt}")
            t_ob = [timed(s, ob_url, ob_params)[0] for _ in range(args.repeat)]
            t_dt = [timed(s, dt_url, dt_params)[0] for _ in range(args.repeat)]
            ratio = statistics.median(t_dt) / statistics.median(t_ob)
            ratios.append(ratio)
            print(f"{label:<36}{pct(t_ob, 50) * 1e3:>11.1f} /{pct(t_ob, 95) * 1e3:>9.1f}"
                  f"{pct(t_dt, 50) * 1e3:>13.1f} /{pct(t_dt, 95) * 1e3:>9.1f}{ratio:>9.1f}x{n_ob:>8}")  # fmt: skip
        geo = statistics.geometric_mean(ratios)
        print(f"\ngeometric mean speed-up (datasette median / openborough median): {geo:.1f}x")
        print(f"\nthroughput, {CLIENTS} concurrent clients for 10 s each (requests/s):")
        print(f"{'query':<36}{'openborough':>14}{'datasette':>12}{'ratio':>9}")
        by_label = {q[0]: q for q in queries}
        loads = [
            ("1000-row pages at random offsets",
             lambda off: (res, {"$order": ":id", "$offset": str(off), "$limit": "1000"}),
             lambda off: (sql, {"_shape": "array", "sql": f"select * from violations order by rowid limit 1000 offset {off}"})),
        ] + [
            (label, (lambda q: lambda off: (q[1], q[2]))(by_label[label]), (lambda q: lambda off: (q[3], q[4]))(by_label[label]))
            for label in ("where + order by (100 rows)", "group by + count", "monthly count and sum")
        ]  # fmt: skip
        for label, ob_req, dt_req in loads:
            ob_rps = throughput(ob_req, threads=CLIENTS)
            dt_rps = throughput(dt_req, threads=CLIENTS)
            print(f"{label:<36}{ob_rps:>14.1f}{dt_rps:>12.1f}{ob_rps / max(dt_rps, 1e-9):>8.1f}x")
        print("\ndatasette with its default settings (1 s SQL time limit, 1,000 returned rows):")
        default_port = free_port()
        dd = subprocess.Popen([venv_bin("datasette"), "serve", "-i", str(db), "--port", str(default_port)],
                              stdout=logs, stderr=subprocess.STDOUT)  # fmt: skip
        try:
            DD = f"http://127.0.0.1:{default_port}"
            wait_for(f"{DD}/-/versions.json", dd, "datasette serve (defaults)")
            for label, _, _, dt_url, dt_params in queries:
                r = s.get(dt_url.replace(DT, DD), params=dt_params, timeout=600)
                text = r.text[:4000]
                if r.status_code != 200:
                    verdict = f"FAILED ({r.status_code}: {'too long' if 'too long' in text.lower() else text[:80]!r})"
                else:
                    verdict = "ok"
                print(f"  {label:<36}{verdict}")
        finally:
            dd.terminate()
            dd.wait(timeout=20)
    finally:
        for p in (ob, dt):
            p.terminate()
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
        logs.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
