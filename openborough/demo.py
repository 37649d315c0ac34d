"""``openborough demo``: publish the sample datasets shipped in demo_data/."""

from __future__ import annotations

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


def load_demo(verbose: bool = False) -> list[str]:
    """Publish each demo dataset that is not there yet; returns the ids."""
    from .catalog.models import Dataset
    from .catalog.publishing import publish_file
    from .ingest import IngestOptions

    ids = []
    for spec in DEMO_DATASETS:
        ids.append(spec["id"])
        if Dataset.objects.filter(pk=spec["id"]).exists():
            continue
        if verbose:
            print(f"loading {spec['meta']['name']} …", file=sys.stderr)
        publish_file(
            DEMO_DIR / spec["file"],
            meta=spec["meta"],
            dataset_id=spec["id"],
            row_id=spec.get("row_id"),
            options=IngestOptions(date_order="dmy"),
            actor="demo",
        )
    from .strategy.demo import load_demo_strategy

    if verbose:
        print("loading the demo borough's digital strategy, savings plan and service assessments …", file=sys.stderr)
    load_demo_strategy()
    return ids
