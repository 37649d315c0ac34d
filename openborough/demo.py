"""``openborough demo``: publish the sample datasets shipped in demo_data/."""

from __future__ import annotations

import os
import sys
from pathlib import Path

DEMO_DIR = Path(__file__).resolve().parent / "demo_data"

ATTRIBUTION_OGL = "Contains public sector information licensed under the Open Government Licence v3.0."

DEMO_DATASETS = [
    {
        "id": "cpcn-nw3s",
        "file": "camden_pcns.csv",
        "row_id": "socrata",
        "point": None,
        "meta": {
            "name": "Parking Penalty Charge Notices – South End Green (sample)",
            "description": (
                "Penalty Charge Notices (PCNs) issued by the **London Borough of Camden** within about 100 m of "
                "South End Green, NW3, from April 2017 to August 2020.\n\n"
                "A sample of Camden's full PCN dataset; columns were given short names by the excerpt's author."
            ),
            "category": "Parking",
            "tags": ["parking", "pcn", "enforcement", "camden"],
            "organisation": "London Borough of Camden",
            "licence": "OGL-UK-3.0",
            "attribution": "London Borough of Camden. " + ATTRIBUTION_OGL,
            "update_frequency": "never",
            "temporal_coverage": "2017-04/2020-08",
            "spatial_coverage": "South End Green, London Borough of Camden",
        },
    },
    {
        "id": "lapm-mtrs",
        "file": "la_parking_meters.csv",
        "row_id": "spaceid",
        "meta": {
            "name": "Metered Parking Inventory and Policies – Los Angeles (sample)",
            "description": (
                "Every parking meter space with its rate, time limit, parking policy and location, "
                "from the City of Los Angeles Department of Transportation (first 5,000 spaces)."
            ),
            "category": "Parking",
            "tags": ["parking", "meters", "tariffs"],
            "organisation": "City of Los Angeles Department of Transportation",
            "licence": "other",
            "attribution": "City of Los Angeles open data (data.lacity.org).",
            "update_frequency": "never",
            "spatial_coverage": "Los Angeles",
        },
    },
    {
        "id": "oxsp-2017",
        "file": "oxford_spending_over_500_2017q4.csv",
        "meta": {
            "name": "Spending over £500 – October to December 2017",
            "description": (
                "Payments to suppliers over £500 by Oxford City Council, published under the Local Government "
                "Transparency Code 2015."
            ),
            "category": "Finance",
            "tags": ["spending", "transparency code", "suppliers"],
            "organisation": "Oxford City Council",
            "licence": "OGL-UK-3.0",
            "attribution": "Oxford City Council. " + ATTRIBUTION_OGL,
            "update_frequency": "quarterly",
            "temporal_coverage": "2017-10/2017-12",
            "spatial_coverage": "Oxford",
        },
    },
    {
        "id": "ldnw-2011",
        "file": "london_wards_2011.geojson",
        "meta": {
            "name": "London ward boundaries (Census merged wards 2011)",
            "description": (
                "Generalised, clipped boundaries of the 628 census merged wards of the 33 London boroughs "
                "(December 2011), from the Office for National Statistics."
            ),
            "category": "Boundaries",
            "tags": ["wards", "boundaries", "geography"],
            "organisation": "Office for National Statistics",
            "licence": "OGL-UK-3.0",
            "attribution": "Office for National Statistics. Contains OS data © Crown copyright and database right 2011.",
            "update_frequency": "never",
            "temporal_coverage": "2011",
            "spatial_coverage": "Greater London",
        },
    },
]


#: the Transparency Code template each demo dataset is published under, and its reporting period
TRANSPARENCY = {"oxsp-2017": ("spending-over-500", "2017-10-01")}

#: sample dataset requests from the public: (title, description, use, votes, what staff did)
REQUESTS = [
    (
        "Parking tickets near South End Green (Demo)",
        "Every penalty charge notice issued round South End Green: when, where and for what contravention.",
        "To see whether the new loading bay has reduced tickets outside the shops.",
        6,
        {"status": "published", "dataset_id": "cpcn-nw3s"},
    ),
    (
        "Council spending with suppliers (Demo)",
        "Payments to suppliers over £500, with the service area and what each payment was for.",
        "Local journalism on how the council spends its money.",
        4,
        {"status": "published", "dataset_id": "oxsp-2017"},
    ),
    (
        "Home addresses of residents with parking permits (Demo)",
        "A list of every resident holding a parking permit, with their address.",
        "",
        0,
        {
            "status": "declined",
            "decline_reason": "foi_exemption",
            "decline_exemption": "s40",
            "decline_detail": "Permit holders' names and addresses are their personal data. We publish the number "
            "of permits by zone instead.",
        },
    ),
    (
        "Street trees (Demo)",
        "The council's tree inventory: species, age, location and the last inspection date.",
        "A map for a community tree-planting group.",
        8,
        {"status": "under_review"},
    ),
    ("Public toilets and opening hours (Demo)", "Where the public toilets are and when they are open.", "", 3, {}),
]

ADMIN_PASSWORD_FILE = "demo-admin-password"


def _spending_file(path: Path) -> bytes:
    """Oxford's file in the Transparency Code's columns: it publishes one category per
    payment, which is also the merchant category, and no irrecoverable VAT (left empty);
    where it left the supplier out (payments to individuals) the Code's "Redacted
    personal data" says so."""
    import csv
    import io

    from .transparency.personal import REDACTED

    out = io.StringIO()
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        writer = csv.DictWriter(out, [*reader.fieldnames, "Merchant Category", "Irrecoverable VAT"])
        writer.writeheader()
        for row in reader:
            writer.writerow(
                {
                    **row,
                    "Supplier Name": row["Supplier Name"].strip() or REDACTED,
                    "Merchant Category": row["Expenditure Category"],
                    "Irrecoverable VAT": "",
                }
            )
    return out.getvalue().encode()


def _publish(spec: dict) -> None:
    from .catalog.publishing import publish_file
    from .ingest import IngestOptions

    if spec["id"] in TRANSPARENCY:
        from .transparency.publish import publish

        template, period = TRANSPARENCY[spec["id"]]
        publish(
            template,
            _spending_file(DEMO_DIR / spec["file"]),
            period_start=period,
            confirm_personal=True,  # supplier names as the council published them
            meta=spec["meta"],
            dataset_id=spec["id"],
        )
        return
    publish_file(
        DEMO_DIR / spec["file"],
        meta=spec["meta"],
        dataset_id=spec["id"],
        row_id=spec.get("row_id"),
        options=IngestOptions(date_order="dmy"),
        actor="demo",
    )


def ensure_admin(username: str, data_dir: Path) -> tuple[str, str | None]:
    """The demo's staff sign-in: an admin ``username`` with a generated password, kept in
    the data directory (readable by its owner only) so that every run can show it.
    Returns (username, password), or (username, None) for an existing user whose
    password the demo did not set (it is left alone)."""
    import secrets

    from django.contrib.auth import get_user_model, password_validation

    from .accounts.models import Role

    User = get_user_model()
    secret_file = data_dir / ADMIN_PASSWORD_FILE
    user = User.objects.filter(username=username).first()
    if user is not None:
        if secret_file.exists() and user.check_password(pw := secret_file.read_text().strip()):
            return username, pw
        return username, None
    password = secrets.token_urlsafe(12)
    user = User(username=username, role=Role.ADMIN, is_staff=True, is_superuser=True)
    password_validation.validate_password(password, user)
    user.set_password(password)
    user.save()
    fd = os.open(secret_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(password + "\n")
    return username, password


def _load_requests(staff) -> None:
    from .requests_foi import workflow
    from .requests_foi.models import DatasetRequest

    if DatasetRequest.objects.filter(title__in=[r[0] for r in REQUESTS]).exists():
        return
    for title, description, use, votes, done in REQUESTS:
        req = workflow.submit({"title": title, "description": description, "use": use})
        for _ in range(votes):
            workflow.vote(req)
        status = done.get("status")
        if status == "published":
            workflow.triage(req, user=staff, status="accepted", dataset_id=done["dataset_id"])
            workflow.triage(req, user=staff, status="published", dataset_id=done["dataset_id"])
        elif status:
            workflow.triage(req, user=staff, **done)


def _load_foi_log(staff) -> None:
    from .requests_foi.foi_figures import refresh_figures
    from .requests_foi.foi_import import import_csv
    from .requests_foi.models import FOIRequest

    if FOIRequest.objects.filter(reference__startswith="DEMO-FOI-").exists():
        return
    report = import_csv((DEMO_DIR / "demo_foi_log.csv").read_bytes(), user=staff)
    if report.errors:
        raise RuntimeError("the demo FOI log did not import: " + "; ".join(report.errors))
    refresh_figures()


def load_demo(verbose: bool = False, admin: str = "admin", data_dir: Path | None = None) -> list[str]:
    """Load the demo borough once: the sample datasets (the spending data as its
    Transparency Code publication), dataset requests, an FOI log linked to the
    datasets, the digital strategy, and an admin sign-in. Whatever is there
    already is left as it is, so a second run changes nothing. Returns the dataset ids."""
    from django.contrib.auth import get_user_model

    from .catalog.models import Dataset
    from .strategy.models import Initiative

    ids = []
    for spec in DEMO_DATASETS:
        ids.append(spec["id"])
        if Dataset.objects.filter(pk=spec["id"]).exists():
            continue
        if verbose:
            print(f"loading {spec['meta']['name']} …", file=sys.stderr)
        _publish(spec)
    if data_dir is not None:
        ensure_admin(admin, data_dir)
    staff = get_user_model().objects.filter(username=admin).first()
    if verbose:
        print("loading sample dataset requests and the FOI log …", file=sys.stderr)
    _load_requests(staff)
    _load_foi_log(staff)
    if not Initiative.objects.filter(ref__startswith="DEMO-").exists():
        from .strategy.demo import load_demo_strategy

        if verbose:
            print("loading the demo borough's digital strategy, savings plan and service assessments …", file=sys.stderr)
        load_demo_strategy()
    return ids
