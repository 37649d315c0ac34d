"""``openborough harvest URL``: arguments and the run with a progress bar."""

from __future__ import annotations

import json
import os
import sys


def add_arguments(s) -> None:
    s.add_argument(
        "url", help="the portal's address (Socrata or CKAN), or a DCAT feed (data.json, Turtle, JSON-LD, RDF/XML)"
    )
    s.add_argument("--source", choices=["socrata", "ckan", "dcat"], help="the kind of source (default: detect)")
    s.add_argument("--id", action="append", dest="ids", help="harvest only this source dataset id (repeatable)")
    s.add_argument("--q", dest="query", help="harvest only the datasets a search for these words finds")
    s.add_argument("--limit", type=int, help="harvest at most this many datasets")
    s.add_argument(
        "--dry-run", action="store_true", help="list what would be created, updated or skipped; change nothing"
    )
    s.add_argument("--report", metavar="FILE", help="also write the report as JSON to FILE")
    s.add_argument(
        "--auth",
        metavar="USER:PASSWORD",
        help="HTTP Basic credentials (Socrata API key id:secret) to read private datasets",
    )
    s.add_argument("--app-token", help="a Socrata app token (X-App-Token)")
    s.add_argument("--api-key", help="a CKAN API token (Authorization header), to read private datasets")
    s.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for each answer (default 60)")
    s.add_argument("--retries", type=int, default=3, help="retries of a failing request (default 3)")
    s.add_argument(
        "--page-size", type=int, help="rows (or datasets) asked for per request (default: the source's maximum)"
    )
    s.add_argument("--quiet", action="store_true", help="no progress bar")


def run(args) -> int:
    from tqdm import tqdm

    from .http import Client
    from .runner import run_harvest

    auth = None
    if args.auth:
        if ":" not in args.auth:
            raise SystemExit("--auth takes USER:PASSWORD")
        auth = tuple(args.auth.split(":", 1))
    if args.page_size is not None and args.page_size < 1:
        raise SystemExit("--page-size must be at least 1")
    if args.limit is not None and args.limit < 1:
        raise SystemExit("--limit must be at least 1")
    client = Client(
        auth=auth,
        app_token=args.app_token,
        api_key=args.api_key,
        timeout=(min(10.0, args.timeout), args.timeout),
        retries=max(0, args.retries),
    )
    bar = None if args.quiet else tqdm(unit=" datasets", file=sys.stderr, desc="harvesting", dynamic_ncols=True)

    def step(line):
        if bar is not None:
            bar.update(1)
            bar.set_postfix_str(f"{line.action} {line.dataset_id or line.source_id}", refresh=False)

    def total(n: int):
        if bar is not None and bar.total != n:
            bar.total = n
            bar.refresh()

    try:
        report = run_harvest(
            args.url,
            kind=args.source,
            ids=args.ids,
            query=args.query,
            limit=args.limit,
            dry_run=args.dry_run,
            client=client,
            actor=f"harvest:{os.environ.get('USER', 'cli')}",
            on_step=step,
            on_total=total,
            page_size=args.page_size,
        )
    except KeyboardInterrupt:
        if bar is not None:
            bar.close()
        print("harvest interrupted: what was published is kept; run the same command again to go on", file=sys.stderr)
        return 130
    finally:
        if bar is not None:
            bar.close()
    sys.stdout.write(report.to_text())
    if args.report:
        with open(args.report, "w", encoding="utf-8") as f:
            json.dump(report.to_dict(), f, indent=2, ensure_ascii=False)
            f.write("\n")
    return 0 if report.ok else 1
