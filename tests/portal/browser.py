"""Playwright for Python driving Debian's chromium, with axe-core injected."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("OPENBOROUGH_CHROMIUM", "/usr/bin/chromium")
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
#: WCAG 2.0/2.1/2.2 A and AA rules, as the GOV.UK Service Manual asks
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def launch(playwright):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/ensure-browser (installs Debian's chromium)")
    if not AXE.exists():
        pytest.fail("node_modules/axe-core is missing: run scripts/build-assets")
    return playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])


#: every rule with one of the tags, including those axe leaves off unless asked (target-size, WCAG 2.5.8)
AXE_RUN = """tags => axe.run(document, {
  runOnly: {type: 'tag', values: tags},
  rules: Object.fromEntries(axe.getRules(tags).map(r => [r.ruleId, {enabled: true}])),
})"""


def axe_violations(page) -> list[dict]:
    """axe-core's WCAG A/AA violations on the current page."""
    # evaluated through the DevTools protocol: the Content-Security-Policy allows no injected <script>
    page.evaluate(AXE.read_text())
    result = page.evaluate(AXE_RUN, AXE_TAGS)
    ran = {r["id"] for key in ("violations", "passes", "incomplete", "inapplicable") for r in result[key]}
    assert "target-size" in ran, "axe did not run the WCAG 2.2 target-size rule"
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"], "targets": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
    ]
