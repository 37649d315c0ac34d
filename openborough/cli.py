"""The ``openborough`` command: init, serve, publish, user, demo."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path


def _setup(data_dir: str | None) -> Path:
    if data_dir:
        os.environ["OPENBOROUGH_DATA_DIR"] = data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openborough.settings")
    from .config import data_dir as resolve

    path = resolve()
    path.mkdir(parents=True, exist_ok=True)
    import django

    django.setup()
    if os.environ.get("OPENBOROUGH_PROCESS_ROLE") != "server":
        from .store.routing import pin_process

        pin_process()  # commands act on the primary, never on a replica's older view
    return path


def _migrate(verbose: bool = False) -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=1 if verbose else 0)


def _collectstatic() -> None:
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)


def cmd_init(args) -> int:
    path = _setup(args.data_dir)
    _migrate(verbose=True)
    _collectstatic()
    from django.conf import settings

    Path(settings.OPENBOROUGH_STORE_URL).mkdir(
        parents=True, exist_ok=True
    ) if "://" not in settings.OPENBOROUGH_STORE_URL else None
    print(f"openborough data directory ready: {path}")
    return 0


def cmd_serve(args) -> int:
    os.environ["OPENBOROUGH_PROCESS_ROLE"] = "server"
    _setup(args.data_dir)
    _migrate()
    _collectstatic()
    from .server import serve

    with _background_worker(args):
        serve(args.host, args.port, workers=args.workers, threads=args.threads)
    return 0


class _background_worker:
    """``openborough worker`` beside the server, unless --no-worker (workers run elsewhere)."""

    def __init__(self, args):
        self.args = args
        self.proc = None

    def __enter__(self):
        import subprocess

        if getattr(self.args, "no_worker", False):
            return self
        from .config import data_dir

        cmd = [sys.executable, "-m", "openborough.cli", "worker", "--data-dir", str(data_dir())]
        env = {k: v for k, v in os.environ.items() if k != "OPENBOROUGH_PROCESS_ROLE"}
        self.proc = subprocess.Popen(cmd, env=env)
        return self

    def __exit__(self, *exc):
        import subprocess

        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()  # the worker finishes or hands back its current task
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        return False


def _parse_types(items: list[str]) -> dict:
    out = {}
    for item in items or []:
        if "=" not in item:
            raise SystemExit(f"--type takes FIELD=TYPE, not {item!r}")
        field, ty = item.split("=", 1)
        out[field.strip()] = ty.strip()
    return out


def cmd_publish(args) -> int:
    _setup(args.data_dir)
    _migrate()
    from tqdm import tqdm

    from .catalog.publishing import PublishError, publish_file
    from .ingest import IngestError, IngestOptions

    mode = "append" if args.append else "upsert" if args.upsert else "replace"
    if args.append and args.upsert:
        raise SystemExit("choose one of --append and --upsert")
    visibility = None
    if args.private:
        if not args.exemption:
            raise SystemExit("--private needs --exemption SECTION (e.g. s40) and --reason: open by default")
        review = dt.date.fromisoformat(args.review_date) if args.review_date else None
        visibility = {
            "visibility": "private",
            "exemption": args.exemption,
            "reason": args.reason or "",
            "review_date": review,
        }
    elif args.public:
        visibility = {"visibility": "public"}
    point = None
    if args.point:
        parts = [p.strip() for p in args.point.split(",")]
        if len(parts) != 2:
            raise SystemExit("--point takes LAT_FIELD,LON_FIELD")
        point = (parts[0], parts[1])
    options = IngestOptions(
        format=args.format,
        types=_parse_types(args.type),
        on_bad=args.on_bad,
        point_from=point,
        date_order=args.date_order,
    )
    meta = {
        "name": args.title,
        "description": args.description,
        "category": args.category,
        "tags": args.tags,
        "organisation": args.organisation,
        "licence": args.licence,
        "update_frequency": args.frequency,
        "contact_email": args.contact_email,
    }
    meta = {k: v for k, v in meta.items() if v is not None}
    bar = None

    def on_prepared(prepared):
        nonlocal bar
        if not args.quiet:
            bar = tqdm(
                total=prepared.row_count,
                unit=" rows",
                unit_scale=True,
                file=sys.stderr,
                desc="publishing",
                dynamic_ncols=True,
            )

    done = 0

    def progress(rows: int):
        nonlocal done
        if bar is not None:
            bar.update(rows - done)
        done = rows

    try:
        out = publish_file(
            args.file,
            meta=meta,
            dataset_id=args.id,
            mode=mode,
            row_id=args.row_id,
            options=options,
            visibility=visibility,
            actor=f"cli:{os.environ.get('USER', 'unknown')}",
            progress=progress,
            on_prepared=on_prepared,
        )
    except IngestError as e:
        if bar is not None:
            bar.close()
        print(f"error: {e.message}", file=sys.stderr)
        if getattr(e, "report", None) is not None:
            print(e.report.summary_text(), file=sys.stderr)
        return 1
    except PublishError as e:
        if bar is not None:
            bar.close()
        print(f"error: {e.message}", file=sys.stderr)
        return 1
    if bar is not None:
        bar.close()
    if not args.quiet:
        v = out.version
        print(
            f"{'created' if out.new_dataset else mode + 'd'} {out.dataset.id} version {v.number}: "
            f"{v.row_count} rows ({out.created} created, {out.updated} updated, {out.deleted} deleted)",
            file=sys.stderr,
        )
        warnings = (out.report or {}).get("warnings") or []
        for w in warnings[:20]:
            print(f"note: {w if isinstance(w, str) else w.get('message', w)}", file=sys.stderr)
    print(out.dataset.id)
    return 0


def cmd_user_add(args) -> int:
    _setup(args.data_dir)
    _migrate()
    from django.contrib.auth import get_user_model

    User = get_user_model()
    user, created = User.objects.get_or_create(username=args.username)
    user.role = args.role
    user.is_staff = args.role == "admin"
    user.is_superuser = args.role == "admin"
    if args.email:
        user.email = args.email
    user.set_password(args.password)
    user.save()
    print(f"{'added' if created else 'updated'} {user.username} ({user.role})")
    return 0


def cmd_user_key(args) -> int:
    _setup(args.data_dir)
    _migrate()
    from django.contrib.auth import get_user_model

    from .accounts.models import ApiKey

    user = get_user_model().objects.filter(username=args.username).first()
    if user is None:
        print(f"error: no user {args.username!r}", file=sys.stderr)
        return 1
    key, secret = ApiKey.issue(user, args.name)
    print(
        f"API key id: {key.key_id}\nsecret:     {secret}\n(use as HTTP Basic username:password; the secret is not shown again)"
    )
    return 0


def cmd_demo(args) -> int:
    path = _setup(args.data_dir)
    _migrate()
    _collectstatic()
    from .demo import load_demo

    load_demo(verbose=True)
    print(f"demo data loaded into {path}", file=sys.stderr)
    if args.no_serve:
        return 0
    from .server import serve

    serve(args.host, args.port, workers=args.workers, threads=args.threads)
    return 0


def cmd_check(args) -> int:
    """Validate the configuration and every connection; non-zero exit when something must be fixed."""
    path = _setup(args.data_dir)
    from .operations import checks

    findings = checks.run(checks.ALL)
    bad = checks.failed(findings)
    if args.json:
        import orjson

        print(orjson.dumps({"ok": not bad, "data_dir": str(path), "checks": [f.as_dict() for f in findings]},
                           option=orjson.OPT_INDENT_2).decode())  # fmt: skip
    else:
        for f in findings:
            print(f.line())
        print(f"{len(bad)} problem(s) to fix" if bad else "configuration ready to serve")
    return 1 if bad else 0


def cmd_backup(args) -> int:
    _setup(args.data_dir)
    from .operations.backup import BackupError, archive_path_default, backup

    target = Path(args.file) if args.file else archive_path_default()
    try:
        summary = backup(target, progress=(lambda m: None) if args.quiet else (lambda m: print(m, file=sys.stderr)))
    except BackupError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    print(summary.text("backed up"), file=sys.stderr)
    print(target)
    return 0


def cmd_restore(args) -> int:
    _setup(args.data_dir)
    from .operations.backup import BackupError, restore

    try:
        summary = restore(args.file, progress=(lambda m: None) if args.quiet else (lambda m: print(m, file=sys.stderr)))
    except BackupError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    print(summary.text("restored"), file=sys.stderr)
    return 0


def cmd_migrate_store(args) -> int:
    """Move this portal onto other databases: back up here, restore there (resumable)."""
    import subprocess

    path = _setup(args.data_dir)
    from .operations.backup import BackupError, backup

    if not args.to.startswith(("postgres://", "postgresql://", "duckdb://")):
        print("error: --to takes postgresql://… (or duckdb:///path)", file=sys.stderr)
        return 2
    archive = path / "backups" / "migrate-store.tar"
    try:
        summary = backup(archive, progress=lambda m: None)
    except BackupError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    print(summary.text("read"), file=sys.stderr)
    env = dict(os.environ, OPENBOROUGH_STORE=args.to)
    env.pop("OPENBOROUGH_STORE_URL", None)
    env.pop("OPENBOROUGH_DATABASE_URL", None)
    env["DATABASE_URL"] = args.database or (args.to if args.to.startswith(("postgres://", "postgresql://")) else "")
    cmd = [sys.executable, "-m", "openborough.cli", "restore", str(archive), "--data-dir", str(path)]
    done = subprocess.run(cmd, env=env)
    if done.returncode != 0:
        print("error: the copy stopped; fix the cause and run migrate-store again (it resumes)", file=sys.stderr)
        return done.returncode
    archive.unlink(missing_ok=True)
    print(
        f"copied into {args.to.split('@')[-1]}; now set DATABASE_URL={env['DATABASE_URL'] or '(SQLite)'} and "
        f"OPENBOROUGH_STORE={args.to.split('://')[0]}://… for the server",
        file=sys.stderr,
    )
    return 0


def cmd_worker(args) -> int:
    """Run background tasks (large publishes from the web …) until stopped (SIGTERM finishes the current one)."""
    import threading

    _setup(args.data_dir)
    _migrate()
    from django.core.management import call_command

    from .operations.jobs import recovery_loop

    stop = threading.Event()
    threading.Thread(target=recovery_loop, args=(stop,), daemon=True, name="job-recovery").start()
    try:
        call_command("db_worker", interval=args.interval, startup_delay=False, verbosity=0)
    finally:
        stop.set()
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="openborough", description="Open-by-default data portal for councils")
    p.add_argument("--version", action="version", version=__import__("openborough").__version__)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-dir", help="data directory (default: $OPENBOROUGH_DATA_DIR or ./openborough-data)")
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("init", parents=[common], help="create the data directory and database")
    s.set_defaults(func=cmd_init)

    def server_opts(s):
        s.add_argument("--host", default="127.0.0.1")
        s.add_argument("--port", type=int, default=8000)
        s.add_argument("--workers", type=int, default=None, help="worker processes (default: CPU count)")
        s.add_argument("--threads", type=int, default=8, help="threads per worker")

    s = sub.add_parser("serve", parents=[common], help="serve the portal and APIs")
    server_opts(s)
    s.add_argument("--no-worker", action="store_true", help="do not start a background worker beside the server")
    s.set_defaults(func=cmd_serve)

    s = sub.add_parser("publish", parents=[common], help="create, replace or add to a dataset from a file")
    s.add_argument("file")
    s.add_argument("--title")
    s.add_argument("--id", help="dataset id (abcd-1234); default: a new id")
    s.add_argument("--row-id", help="column that identifies each row (must be unique)")
    s.add_argument("--description")
    s.add_argument("--category")
    s.add_argument("--tags", help="comma-separated")
    s.add_argument("--organisation")
    s.add_argument("--licence")
    s.add_argument("--frequency", help="update frequency: daily, weekly, monthly, quarterly, annually, …")
    s.add_argument("--contact-email")
    g = s.add_mutually_exclusive_group()
    g.add_argument("--append", action="store_true", help="add the file's rows to the dataset")
    g.add_argument("--upsert", action="store_true", help="insert or update rows by the row identifier")
    v = s.add_mutually_exclusive_group()
    v.add_argument("--private", action="store_true", help="keep private (needs --exemption and --reason)")
    v.add_argument("--public", action="store_true", help="make public (the default for new datasets)")
    s.add_argument("--exemption", help="FOI Act section the private dataset relies on, e.g. s40")
    s.add_argument("--reason", help="why the dataset is exempt")
    s.add_argument("--review-date", help="when to review the exemption (YYYY-MM-DD; default in a year)")
    s.add_argument("--type", action="append", help="override an inferred type: FIELD=TYPE (repeatable)")
    s.add_argument(
        "--on-bad",
        choices=["reject", "null"],
        default="reject",
        help="cells that do not fit their column type: reject the file (default) or store nulls",
    )
    s.add_argument("--point", help="LAT_FIELD,LON_FIELD to combine into a point column")
    s.add_argument("--format", help="csv, tsv, xlsx, json, geojson or socrata-rows-json (default: detect)")
    s.add_argument(
        "--date-order",
        choices=["dmy", "mdy"],
        default="dmy",
        help="reading of ambiguous nn/nn/yyyy dates (default dmy)",
    )
    s.add_argument("--quiet", action="store_true")
    s.set_defaults(func=cmd_publish)

    u = sub.add_parser("user", help="manage staff users")
    usub = u.add_subparsers(dest="user_command", required=True)
    s = usub.add_parser("add", parents=[common], help="add or update a user")
    s.add_argument("username")
    s.add_argument("--password", required=True)
    s.add_argument("--role", choices=["viewer", "publisher", "admin"], default="viewer")
    s.add_argument("--email")
    s.set_defaults(func=cmd_user_add)
    s = usub.add_parser("key", parents=[common], help="issue an API key for the SODA write API")
    s.add_argument("username")
    s.add_argument("--name", default="API key")
    s.set_defaults(func=cmd_user_key)

    s = sub.add_parser("check", parents=[common], help="validate the configuration and every connection")
    s.add_argument("--json", action="store_true", help="print the findings as JSON")
    s.set_defaults(func=cmd_check)

    s = sub.add_parser("worker", parents=[common], help="run background tasks (large publishes from the web …)")
    s.add_argument("--interval", type=float, default=1.0, help="seconds between looks for new tasks")
    s.set_defaults(func=cmd_worker)

    s = sub.add_parser("backup", parents=[common], help="write the whole portal to one archive file")
    s.add_argument("file", nargs="?", help="archive to write (default: <data-dir>/backups/openborough-<time>.tar)")
    s.add_argument("--quiet", action="store_true")
    s.set_defaults(func=cmd_backup)
    s = sub.add_parser("restore", parents=[common], help="restore a backup archive into an empty portal")
    s.add_argument("file")
    s.add_argument("--quiet", action="store_true")
    s.set_defaults(func=cmd_restore)
    s = sub.add_parser("migrate-store", parents=[common], help="copy this portal into PostgreSQL (resumable)")
    s.add_argument("--to", required=True, help="dataset store to copy into: postgresql://…")
    s.add_argument("--database", help="application database to copy into (default: the same as --to)")
    s.set_defaults(func=cmd_migrate_store)

    s = sub.add_parser("demo", parents=[common], help="load the demo datasets and serve")
    server_opts(s)
    s.add_argument("--no-serve", action="store_true", help="load the demo data and stop")
    s.set_defaults(func=cmd_demo)
    return p


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args) or 0


if __name__ == "__main__":
    sys.exit(main())
