"""A source openborough on loopback, loaded with the real files and real Socrata catalogue entries."""

from __future__ import annotations

import json

import pytest

from tests.conftest import SHARED
from tests.live import LiveServer, cli

REAL = SHARED / "data" / "real"
CATALOG = REAL / "catalog" / "socrata-data-json-2013-08-28"

#: (file, catalogue, 4x4 id in it, extra publish arguments)
SOURCES = [
    ("service-requests/nyc_311_2022-05-01_sample.csv", "data.cityofnewyork.us.json", "erm2-nwe9", ["--date-order", "mdy"]),
    ("socrata-rows-json/nyc_dohmh_restaurant_inspections_rows.json", "data.cityofnewyork.us.json", "4vkw-7nck", []),
    ("socrata-rows-json/chicago_christmas_tree_recycling_2018_rows.json", "data.cityofchicago.org.json", "spxm-tnai", []),
    ("parking/camden-pcn/camden_pcn_south_end_green_2017-2020.csv", "data.cityofnewyork.us.json", "ncbg-6agr",
     ["--row-id", "socrata"]),
    ("geo/census-merged-wards-2011-london/E09000007.geojson", "data.cityofchicago.org.json", "bhcv-wqkf", []),
    # payments to named people: private at the source
    ("spending/oxford-city-council-over-500/expenditure-over-500-apr-jun-2015.csv", "data.cityofchicago.org.json",
     "xt4z-bnwh", ["--private", "--exemption", "s40", "--reason", "supplier names include individuals"]),
]  # fmt: skip
PRIVATE_ID = "xt4z-bnwh"


def catalogue_entry(catalogue: str, identifier: str) -> dict:
    for e in json.loads((CATALOG / catalogue).read_text()):
        if e.get("identifier") == identifier:
            return e
    raise LookupError(identifier)


def load_source(data_dir) -> None:
    for path, catalogue, ident, extra in SOURCES:
        e = catalogue_entry(catalogue, ident)
        keywords = e.get("keywords") or [k for k in (e.get("keyword") or "").split(",") if k.strip()]
        args = ["publish", str(REAL / path), "--id", ident, "--title", e["title"], "--quiet"]
        if e.get("description"):
            args += ["--description", e["description"]]
        if keywords:
            args += ["--tags", ",".join(keywords)]
        if e.get("theme") or e.get("category"):
            args += ["--category", str(e.get("theme") or e.get("category"))]
        cli(data_dir, *args, *extra)


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    """(server, 'keyid:secret' of an admin's API key) for the loaded source instance."""
    data = tmp_path_factory.mktemp("source") / "data"
    load_source(data)
    key = admin_key(data)
    server = LiveServer(data)
    yield server, key
    server.stop()


def admin_key(data) -> str:
    """'keyid:secret' of a new admin's API key on the instance at ``data``."""
    cli(data, "user", "add", "migrator", "--password", "Harvest-pass-2026", "--role", "admin")
    out = cli(data, "user", "key", "migrator").stdout
    return out.split("API key id:")[1].split()[0] + ":" + out.split("secret:")[1].split()[0]
