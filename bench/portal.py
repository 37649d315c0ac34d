"""Portal benchmark: catalogue search and dataset pages with the real
15,758-entry Socrata catalogue loaded.

    .venv/bin/python bench/portal.py [--repeat 5]

Server time is measured in-process through Django's test client (no network),
over the 36 relevance queries (first and second pages) and the dataset pages
of Camden's 886-row PCN sample. Targets: search p95 < 50 ms; dataset page
< 150 ms.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO)


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, max(0, round(p / 100 * len(values)) - 1))]


def report(name: str, timings: list[float], target_ms: float | None = None) -> bool:
    p50, p95 = pct(timings, 50) * 1000, pct(timings, 95) * 1000
    ok = target_ms is None or p95 < target_ms
    goal = f" (target p95 < {target_ms:g} ms: {'met' if ok else 'MISSED'})" if target_ms else ""
    print(
        f"{name:<44} n={len(timings):>4}  p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  max {max(timings) * 1000:7.1f} ms{goal}"
    )
    return ok


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    os.environ["OPENBOROUGH_DATA_DIR"] = tempfile.mkdtemp(prefix="ob-bench-portal-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openborough.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    call_command("migrate", verbosity=0)
    from openborough.catalog.publishing import publish_file
    from openborough.catalog.search import search_datasets
    from tests.conftest import SHARED
    from tests.portal.catalogue import load_socrata_catalogues
    from tests.portal.conftest import DEMO
    from tests.portal.relevance import QUERIES

    t = time.perf_counter()
    n = load_socrata_catalogues(SHARED)
    print(f"loaded {n:,} catalogue entries in {time.perf_counter() - t:.1f} s")
    ds = publish_file(
        DEMO / "camden_pcns.csv",
        meta={"name": "Parking penalty charge notices", "category": "Parking", "tags": ["parking"]},
        actor="bench",
    ).dataset
    client = Client()
    search_datasets("warm up")  # builds the per-process snapshot once

    ok = True
    timings = []
    for _ in range(args.repeat):
        for q, _ in QUERIES:
            for offset in (0, 20):
                t = time.perf_counter()
                search_datasets(q, offset=offset)
                timings.append(time.perf_counter() - t)
    ok &= report("search_datasets (36 queries × 2 pages)", timings, 50)

    def page_times(url_params):
        out = []
        for _ in range(args.repeat):
            for url, params in url_params:
                t = time.perf_counter()
                resp = client.get(url, params)
                out.append(time.perf_counter() - t)
                assert resp.status_code == 200, (url, resp.status_code)
        return out

    ok &= report("GET /datasets/?q=… (catalogue page)", page_times([("/datasets/", {"q": q}) for q, _ in QUERIES]), 50)
    client.get(f"/datasets/{ds.id}/")  # the first view computes and caches the column statistics
    ok &= report("GET /datasets/<id>/ (about)", page_times([(f"/datasets/{ds.id}/", {})] * 20), 150)
    data_pages = [
        (f"/datasets/{ds.id}/data", {}),
        (f"/datasets/{ds.id}/data", {"filter": "street:eq:south hill park", "sort": "cdate", "dir": "desc"}),
        (f"/datasets/{ds.id}/data", {"page": "10"}),
    ]
    ok &= report("GET /datasets/<id>/data (filter, sort, page)", page_times(data_pages * 7), 150)
    ok &= report(
        "GET /datasets/<id>/chart (count by street)",
        page_times([(f"/datasets/{ds.id}/chart", {"x": "street", "agg": "count"})] * 20),
        150,
    )
    ok &= report("GET / (home)", page_times([("/", {})] * 20), 150)
    print(
        "column statistics, first view (uncached):",
        end=" ",
    )
    from django.core.cache import cache

    cache.clear()
    t = time.perf_counter()
    client.get(f"/datasets/{ds.id}/")
    print(f"{(time.perf_counter() - t) * 1000:.0f} ms")
    print("all targets met" if ok else "SOME TARGETS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
